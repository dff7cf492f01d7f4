import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parsePromoteArgs, UsageError, type PromoteArgs } from "../../scripts/promote/options";
import { DEV_PASSPHRASE, pulumiEnv } from "../../scripts/pulumi-env";

describe("parsePromoteArgs", () => {
  it.each<[string[], PromoteArgs | "help"]>([
    [["--from", "dev", "--to", "prod"], { from: "dev", to: "prod", dryRun: false }],
    [["--to=prod", "--from=dev", "--dry-run"], { from: "dev", to: "prod", dryRun: true }],
    [
      ["--from", "organization/shipyard/dev", "--to", "prod-eu"],
      { from: "organization/shipyard/dev", to: "prod-eu", dryRun: false },
    ],
    [["--from", "dev", "--help"], "help"],
    [["-h"], "help"],
  ])("parses %j", (argv, expected) => {
    expect(parsePromoteArgs(argv)).toEqual(expected);
  });

  it.each<[string, string[], string]>([
    ["rejects no arguments", [], "--from and --to are required"],
    ["rejects a missing --to", ["--from", "dev"], "--to is required"],
    ["rejects a missing --from", ["--to", "prod", "--dry-run"], "--from is required"],
    ["rejects a flag without its value", ["--from", "--to", "prod"], "--from needs a stack name"],
    ["rejects a flag at the end without its value", ["--from", "dev", "--to"], "--to needs a stack name"],
    ["rejects an empty inline value", ["--from=", "--to", "prod"], "--from needs a stack name"],
    ["rejects a repeated flag", ["--from", "dev", "--from", "qa", "--to", "prod"], "--from is given twice"],
    ["rejects an unknown option", ["--from", "dev", "--to", "prod", "--force"], "unknown option --force"],
    [
      "rejects a value on --dry-run",
      ["--from", "dev", "--to", "prod", "--dry-run=false"],
      "--dry-run takes no value",
    ],
    [
      "rejects a positional argument",
      ["dev", "prod"],
      'unexpected argument "dev"; name the stacks with --from and --to',
    ],
    [
      "rejects a name that is not a stack name",
      ["--from", "dev", "--to", "pro d"],
      '--to "pro d" is not a stack name',
    ],
    [
      "rejects the same stack twice",
      ["--from", "dev", "--to", "dev"],
      "--from and --to are both dev; promotion copies between two stacks",
    ],
  ])("%s", (_name, argv, message) => {
    expect(() => parsePromoteArgs(argv)).toThrow(new UsageError(message));
  });
});

describe("pulumiEnv", () => {
  const root = mkdtempSync(path.join(tmpdir(), "promote-env-"));
  const state = path.join(root, ".pulumi-state");
  // Every Pulumi command's Node.js processes load the SDK preload (nodeOptions).
  const node = { NODE_OPTIONS: `--require "${path.join(root, "infra", "sdk-preload.cjs")}"` };

  it.each<[string, string, NodeJS.ProcessEnv, Record<string, string>]>([
    [
      "uses the project-local state folder by default",
      "prod",
      {},
      { ...node, PULUMI_BACKEND_URL: `file://${state}` },
    ],
    ["keeps a backend the environment names", "prod", { PULUMI_BACKEND_URL: "s3://state" }, node],
    [
      "treats an empty backend variable as unset",
      "prod",
      { PULUMI_BACKEND_URL: "" },
      { ...node, PULUMI_BACKEND_URL: `file://${state}` },
    ],
  ])("%s", (_name, stack, env, expected) => {
    expect(pulumiEnv(stack, env, root)).toEqual(expected);
  });

  it("on a team backend, uses dev's passphrase only when the environment sets none", () => {
    const env = { PULUMI_BACKEND_URL: "s3://state" };
    expect([
      pulumiEnv("dev", env, root),
      pulumiEnv("dev", { ...env, PULUMI_CONFIG_PASSPHRASE: "team" }, root),
      pulumiEnv("dev", { ...env, PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/dev" }, root),
      pulumiEnv("prod", env, root),
    ]).toEqual([{ ...node, PULUMI_CONFIG_PASSPHRASE: DEV_PASSPHRASE }, node, node, node]);
  });

  // A real run: with prod's passphrase exported, `npm run up -- dev` failed "incorrect passphrase".
  it("on the project-local backend, keeps dev on its passphrase whatever the environment sets", () => {
    const local = { ...node, PULUMI_BACKEND_URL: `file://${state}` };
    expect([
      pulumiEnv("dev", { PULUMI_CONFIG_PASSPHRASE: "prod-secret" }, root),
      pulumiEnv("prod", { PULUMI_CONFIG_PASSPHRASE: "prod-secret" }, root),
    ]).toEqual([{ ...local, PULUMI_CONFIG_PASSPHRASE: DEV_PASSPHRASE }, local]);
  });
});
