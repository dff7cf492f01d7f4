import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

// The unit tests import the program through vitest; `pulumi up` loads it through the language
// host, as Pulumi.yaml says: infra/main.cjs, which compiles it with tsc (tsconfig.build.json) and
// runs the CommonJS tsc wrote. This runs that path: the language host's ts-node once failed on
// TypeScript 6's rootDir rule (TS5011) while `tsc --noEmit` passed.
function load(stack: string, config: Record<string, string>): unknown {
  const runner = path.join(__dirname, "fixtures", "pulumi-run.cjs");
  const result = spawnSync(process.execPath, [runner, stack, JSON.stringify(config)], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout.trim().split("\n").pop()!);
}

it("loads the program compiled, the way Pulumi's Node.js language host runs Pulumi.yaml's main", () => {
  const config = {
    "shipyard:environment": "dev",
    "shipyard:webPort": "8080",
    "shipyard:publishAddress": "127.0.0.1",
  };
  expect(load("dev", config)).toEqual({
    url: "http://127.0.0.1:8080",
    // six services (graph on) and the file carriers of the five with secret or config files
    containers: 11,
    // infra/sdk-preload.cjs kept the SDK from loading them; nothing compiled TypeScript
    loaded: [],
  });
}, 120_000);

// Through the language host's CommonJS emit, a local named `exports` in stacks/system.ts shadowed
// the module's exported constants and the graph backup got no volume path: a real `up` failed while
// every vitest run passed.
it("loads the system with every feature on, both backups included, through the language host", () => {
  const config = {
    "shipyard:environment": "dev",
    "shipyard:features": JSON.stringify({ graph: true, monitoring: true, backups: true }),
  };
  expect(load("dev", config)).toEqual({
    url: "http://127.0.0.1:8080",
    // eight services and the file carriers of the seven with secret or config files
    containers: 15,
    loaded: [],
  });
}, 120_000);

// A real `up -- prod` before promotion printed the config error as an unhandled exception with
// a stack trace; as a RunError the engine prints the message alone. Its stack is the message too:
// the SDK's runner formats every uncaught error with util.inspect, which over the real stack took
// 15 s on Node.js 20 (a real preview with a bad config took 17 s, 4 s with this).
it("hands a config error to the engine as a RunError carrying only the message", () => {
  expect(load("dev", { "shipyard:environment": "dev", "shipyard:webPort": "80" })).toEqual({
    runError: true,
    stack: "the message",
    message: [
      "Invalid stack config (1 problem); nothing was deployed:",
      "  - shipyard:webPort must be 1025 or above (CIS 5.8: no privileged host ports), got 80; publish a high port and let a proxy or firewall map it",
    ].join("\n"),
  });
}, 120_000);
