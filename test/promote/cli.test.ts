import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// The promote CLI against a stand-in pulumi (fake-pulumi.mjs): what it prints, and the exact
// commands the Automation API would have run, without a real CLI or state.
const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "scripts/promote/cli.ts");
/** The CLI version the `pulumi` npm package (a devDependency) installs. */
const PULUMI_NPM_VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, "node_modules/pulumi/package.json"), "utf8")) as { version: string }
).version;

const API_OLD = `sha256:${"a".repeat(64)}`;
const API_NEW = `sha256:${"b".repeat(64)}`;
const WEB = `sha256:${"c".repeat(64)}`;
const POSTGRES = `postgres:16.15-alpine@sha256:${"d".repeat(64)}`;

function dev(result: string) {
  return {
    outputs: { url: "http://127.0.0.1:8080", images: { api: API_NEW, web: WEB, postgres: POSTGRES } },
    history: [
      {
        version: 4,
        kind: "update",
        startTime: "2026-09-01T10:00:00.000Z",
        message: "",
        environment: { "exec.kind": "cli" },
        config: { "shipyard:environment": { value: "dev", secret: false } },
        result,
        endTime: "2026-09-01T10:02:00.000Z",
        resourceChanges: { same: 20, update: 1 },
      },
    ],
  };
}

const PROD = { outputs: {}, history: [], images: { api: API_OLD, postgres: POSTGRES } };

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Each pulumi invocation, one line of arguments. */
  readonly calls: string[];
}

/**
 * Where the fake pulumi is: `path` on PATH (the user's own CLI), or `npm-cache` where the `pulumi`
 * npm package keeps the CLI it installed, with a decoy in a node_modules/.bin on PATH (where
 * `npm run` puts the package's wrapper, which must never be taken for a CLI on PATH).
 */
type FakeAt = "path" | "npm-cache";

function install(dir: string, source: string): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(source, path.join(dir, "pulumi"));
  chmodSync(path.join(dir, "pulumi"), 0o755);
}

/** Runs the CLI with a PATH holding node and the fake pulumi where `at` says. */
function promote(args: readonly string[], scenario: object, at: FakeAt = "path"): Run {
  const dir = mkdtempSync(path.join(tmpdir(), "promote-cli-"));
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, "node"));
  const npmBin = path.join(dir, "node_modules", ".bin");
  const fake = path.join(__dirname, "fake-pulumi.mjs");
  if (at === "path") install(bin, fake);
  else {
    install(npmBin, path.join(__dirname, "decoy-pulumi.mjs"));
    install(path.join(dir, "pulumi-home", "versions", PULUMI_NPM_VERSION, "bin"), fake);
  }
  const log = path.join(dir, "calls.log");
  writeFileSync(log, "");
  writeFileSync(path.join(dir, "scenario.json"), JSON.stringify(scenario));
  const result = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      PATH: [npmBin, bin].join(path.delimiter),
      HOME: dir,
      PULUMI_HOME: path.join(dir, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${dir}/state`,
      PULUMI_CONFIG_PASSPHRASE: "test",
      FAKE_PULUMI_LOG: log,
      FAKE_PULUMI_SCENARIO: path.join(dir, "scenario.json"),
    },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line !== ""),
  };
}

const READS = [
  "version",
  "stack select --stack dev --non-interactive",
  "stack output --json --stack dev --non-interactive",
  "stack output --json --show-secrets --stack dev --non-interactive",
  "stack history --json --page-size 1 --page 1 --stack dev --non-interactive",
  "stack select --stack prod --non-interactive",
  "config get images --json --stack prod --non-interactive",
];

describe("promote CLI", () => {
  it("sets each changed image with config set --path and prints what to do next", () => {
    const run = promote(["--from", "dev", "--to", "prod"], { dev: dev("succeeded"), prod: PROD });
    expect(run).toEqual({
      status: 0,
      stderr: "",
      stdout: [
        "Promote dev → prod:",
        "  images.api: sha256:aaaaaaaaaaaa… → sha256:bbbbbbbbbbbb…",
        "  images.web: (not set) → sha256:cccccccccccc…",
        "  unchanged: images.postgres",
        "Wrote 2 values to Pulumi.prod.yaml. Next:",
        "  1. commit Pulumi.prod.yaml in a pull request",
        "  2. read its preview of prod (the change summary: rolling updates, nothing at risk), or run `npm run preview -- prod`",
        "  3. once merged: npm run up -- prod",
        "Rollback: revert that commit (or promote the previous images) and run `npm run up -- prod`.",
        "",
      ].join("\n"),
      calls: [
        ...READS,
        `config set --path images.api --stack prod --plaintext --non-interactive -- ${API_NEW}`,
        `config set --path images.web --stack prod --plaintext --non-interactive -- ${WEB}`,
      ],
    });
  });

  it("changes nothing on a dry run", () => {
    const run = promote(["--from", "dev", "--to", "prod", "--dry-run"], {
      dev: dev("succeeded"),
      prod: PROD,
    });
    expect([run.status, run.stdout.split("\n").slice(-2), run.calls]).toEqual([
      0,
      ["Dry run: Pulumi.prod.yaml is unchanged.", ""],
      READS,
    ]);
  });

  it("plans every image when the target has no images config", () => {
    const run = promote(["--from", "dev", "--to", "prod", "--dry-run"], {
      dev: dev("succeeded"),
      prod: { ...PROD, images: undefined },
    });
    expect(run.stdout.split("\n").slice(0, 4)).toEqual([
      "Promote dev → prod:",
      "  images.api: (not set) → sha256:bbbbbbbbbbbb…",
      "  images.postgres: (not set) → postgres:16.15-alpine@sha256:dddddddddddd…",
      "  images.web: (not set) → sha256:cccccccccccc…",
    ]);
  });

  it("rejects a source whose last update failed, and writes nothing", () => {
    const run = promote(["--from", "dev", "--to", "prod"], { dev: dev("failed"), prod: PROD });
    expect(run).toEqual({
      status: 1,
      stdout: "",
      stderr:
        'promote: cannot promote dev → prod:\n  - stack dev: the last update is "failed", not "succeeded"; run `npm run up -- dev` until it succeeds, then promote\n',
      calls: READS,
    });
  });

  it("creates a target stack that does not exist yet, so promote can come before its first up", () => {
    const run = promote(["--from", "dev", "--to", "prod"], { dev: dev("succeeded") });
    expect([run.status, run.stderr, run.calls]).toEqual([
      0,
      "",
      [
        ...READS.slice(0, 5),
        "stack select --stack prod --non-interactive",
        "stack init prod --non-interactive",
        "config get images --json --stack prod --non-interactive",
        `config set --path images.api --stack prod --plaintext --non-interactive -- ${API_NEW}`,
        `config set --path images.postgres --stack prod --plaintext --non-interactive -- ${POSTGRES}`,
        `config set --path images.web --stack prod --plaintext --non-interactive -- ${WEB}`,
      ],
    ]);
  });

  it("rejects a source stack that does not exist", () => {
    const run = promote(["--from", "qa", "--to", "prod"], { prod: PROD });
    expect([run.status, run.stderr]).toEqual([
      1,
      "promote: stack qa does not exist in this backend; `npm run up -- qa` creates it\n",
    ]);
  });

  it("without a pulumi on PATH, runs the CLI the pulumi npm package installed, not its wrapper", () => {
    const run = promote(
      ["--from", "dev", "--to", "prod", "--dry-run"],
      { dev: dev("succeeded"), prod: PROD },
      "npm-cache",
    );
    expect([run.status, run.calls]).toEqual([0, READS]);
  });

  it("rejects bad arguments before looking for the CLI", () => {
    const run = promote(["--from", "dev"], {});
    expect([run.status, run.stderr.split("\n")[0], run.calls]).toEqual([2, "promote: --to is required", []]);
  });
});
