#!/usr/bin/env node
// Stands in for the pulumi CLI in test/promote/cli.test.ts: answers the commands the Automation API
// runs from a scenario file (FAKE_PULUMI_SCENARIO), in the CLI's JSON formats, and appends each
// invocation to FAKE_PULUMI_LOG so the test can assert exactly what would have been run.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_PULUMI_LOG, `${args.join(" ")}\n`);

if (args[0] === "version") {
  process.stdout.write("v3.248.0\n");
  process.exit(0);
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(255);
}

function print(value) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  process.exit(0);
}

const scenario = JSON.parse(readFileSync(process.env.FAKE_PULUMI_SCENARIO, "utf8"));
if (args[0] === "stack" && args[1] === "init") {
  // A new, empty stack: kept in the scenario file so the next invocation finds it.
  if (scenario[args[2]] !== undefined) fail(`stack '${args[2]}' already exists`);
  scenario[args[2]] = { outputs: {}, history: [] };
  writeFileSync(process.env.FAKE_PULUMI_SCENARIO, JSON.stringify(scenario));
  process.exit(0);
}
const name = args[args.indexOf("--stack") + 1];
const stack = scenario[name];
if (stack === undefined) fail(`no stack named '${name}' found`);

switch (`${args[0]} ${args[1]}`) {
  case "stack select":
  case "config set":
    process.exit(0);
  case "stack output":
    // Masked unless --show-secrets, as `pulumi stack output --json` prints it.
    print(
      Object.fromEntries(
        Object.entries(stack.outputs).map(([key, value]) => [
          key,
          (stack.secretOutputs ?? []).includes(key) && !args.includes("--show-secrets") ? "[secret]" : value,
        ]),
      ),
    );
  case "stack history":
    print(stack.history);
  case "config get":
    if (stack.images === undefined) fail(`configuration key '${args[2]}' not found for stack '${name}'`);
    print({ value: JSON.stringify(stack.images), objectValue: stack.images, secret: false });
  default:
    fail(`the fake pulumi does not know \`${args.join(" ")}\``);
}
