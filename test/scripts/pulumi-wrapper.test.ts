import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, run before any TypeScript
const { compiledBuild } = require("../../infra/compile.cjs") as { compiledBuild: (root: string) => string };

// `npm run up|preview` against a stand-in CLI (test/fixtures/fake-pulumi): which Pulumi commands
// the wrapper runs, in which order, that it serves the program to those that evaluate it
// (`--client`, infra/program-host.ts) and starts them before loading the Pulumi SDK, and that it
// starts the policy pack the CLI attaches to (scripts/policy-pack.ts). Run as npm runs it:
// scripts/pulumi.cjs, the wrapper compiled into the program's build.
const ROOT = path.resolve(__dirname, "../..");
const FAKE_BIN = path.join(ROOT, "test", "fixtures", "fake-pulumi");
const STACK_URN = "urn:pulumi:dev::shipyard::pulumi:pulumi:Stack::shipyard-dev";
const API_URN =
  "urn:pulumi:dev::shipyard::shipyard:components:Service$docker:index/container:Container::api-0";
/** The pack as a CLI from 3.255 gets it: the executable attaching it to the pack the wrapper started. */
const POLICY = ["--policy-pack", path.join(ROOT, "policy", "pack", "attach.sh")];
/** What the stand-in CLI records of that pack: the name it serves under, and where. */
const PACK = /^(preview|up): pack shipyard on \d+$/;
/** `--client=127.0.0.1:<port>` as the calls show it. */
const CLIENT = "--client";
const version = (pkg: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
/** What the program host answers when the CLI asks which plugins the program needs. */
const PLUGINS = `docker@${version("@pulumi/docker")} random@${version("@pulumi/random")}`;

function planOf(apiSteps: string[]): string {
  const goal = { outputDiff: {} };
  return JSON.stringify({
    resourcePlans: { [STACK_URN]: { goal, steps: ["same"] }, [API_URN]: { goal, steps: apiSteps } },
  });
}

// The first command would compile the build (seconds): compile it once, before the tests.
beforeAll(() => void compiledBuild(ROOT), 120_000);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-wrapper-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(command: string, env: Record<string, string>, ...flags: string[]) {
  const log = path.join(dir, "calls.jsonl");
  const sdk = path.join(dir, "sdk-loaded");
  const client = path.join(dir, "client.log");
  const result = spawnSync(
    process.execPath,
    ["-r", "./test/fixtures/record-pulumi-sdk.cjs", "scripts/pulumi.cjs", command, "dev", ...flags],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
        HOME: dir,
        CI: "true",
        PULUMI_BACKEND_URL: `file://${dir}`,
        FAKE_PULUMI_LOG: log,
        FAKE_PULUMI_SDK_LOADED: sdk,
        FAKE_PULUMI_CLIENT_LOG: client,
        TMPDIR: dir,
        ...env,
      },
    },
  );
  const calls = fs.existsSync(log)
    ? fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) =>
          (JSON.parse(line) as string[]).map((a) =>
            a.endsWith("plan.json") ? "<plan>" : /^--client=127\.0\.0\.1:\d+$/.test(a) ? CLIENT : a,
          ),
        )
    : [];
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls,
    sdk: fs.readFileSync(sdk, "utf8"),
    client: fs.existsSync(client) ? fs.readFileSync(client, "utf8").trim().split("\n") : [],
  };
}

describe("npm run up", () => {
  it("stops after a preview that plans no change, and says so", () => {
    const out = run("up", { FAKE_PULUMI_PLAN: planOf(["same"]) });
    expect(out.status).toBe(0);
    expect(out.calls).toEqual([
      ["stack", "select", "dev", "--create"],
      ["preview", ...POLICY, "--save-plan", "<plan>", "--stack", "dev", CLIENT],
      ["stack", "export", "--stack", "dev"],
      ["stack", "history", "--json", "--page-size", "1", "--stack", "dev"],
    ]);
    expect(out.stdout).toContain(
      "No changes: every resource and output is as the preview found it, so no update ran.",
    );
  });

  // A failed health gate leaves its container in place: the next preview plans nothing, yet the
  // gate must check again (components/health-gate.ts).
  it("runs the update again when the last one failed, though the preview plans no change", () => {
    const history = JSON.stringify([{ kind: "update", result: "failed" }]);
    const out = run("up", { FAKE_PULUMI_PLAN: planOf(["same"]), FAKE_PULUMI_HISTORY: history });
    expect(out.calls.slice(1).map((c) => c.slice(0, 2))).toEqual([
      ["preview", ...POLICY.slice(0, 1)],
      ["stack", "export"],
      ["stack", "history"],
      ["up", "--skip-preview"],
      ["stack", "output"],
    ]);
    expect(out.stdout).toContain(
      "The last update failed and the preview shows nothing left to do: the update runs again, " +
        "so the health gates check the containers again.",
    );
  });

  // Not `up --plan`: on a real first deploy Pulumi's plan check rejected a generated password that
  // was unknown in the plan and known in the update, and printed the password in its error.
  it("runs the update when the preview plans a change", () => {
    const out = run("up", { FAKE_PULUMI_PLAN: planOf(["delete-replaced", "replace", "create-replacement"]) });
    expect(out.status).toBe(0);
    expect(out.calls.slice(1)).toEqual([
      ["preview", ...POLICY, "--save-plan", "<plan>", "--stack", "dev", CLIENT],
      ["stack", "export", "--stack", "dev"],
      ["up", "--skip-preview", "--yes", ...POLICY, "--stack", "dev", CLIENT],
      ["stack", "output", "summary", "--json", "--stack", "dev"],
    ]);
    // One host in the wrapper's process serves the preview and the update, and one pack.
    expect(out.client.filter((line) => !PACK.test(line))).toEqual([`preview: ${PLUGINS}`, `up: ${PLUGINS}`]);
    const packs = out.client.filter((line) => PACK.test(line));
    expect(packs.map((line) => line.split(" on ")[0])).toEqual([
      "preview: pack shipyard",
      "up: pack shipyard",
    ]);
    expect(new Set(packs.map((line) => line.split(" on ")[1])).size).toBe(1);
  });

  it("runs the update when an interrupted one left pending operations", () => {
    const state = JSON.stringify({ deployment: { pending_operations: [{ type: "creating" }] } });
    const out = run("up", { FAKE_PULUMI_PLAN: planOf(["same"]), FAKE_PULUMI_STATE: state });
    expect(out.calls.map((c) => c[0])).toEqual(["stack", "preview", "stack", "up", "stack"]);
    expect(out.stdout).toContain(
      "1 operation(s) of an interrupted update are pending; the update resolves them.",
    );
  });

  // The policy pack's Node.js process gets the SDK preload only this way (scripts/pulumi-env.ts).
  it("starts every Pulumi command with the SDK preload after the user's NODE_OPTIONS", () => {
    const log = path.join(dir, "node-options");
    const plan = planOf(["update"]);
    const out = run("up", {
      FAKE_PULUMI_PLAN: plan,
      FAKE_PULUMI_NODE_OPTIONS_LOG: log,
      NODE_OPTIONS: "--max-old-space-size=2048",
    });
    const preload = `--max-old-space-size=2048 --require "${path.join(ROOT, "infra", "sdk-preload.cjs")}"`;
    expect(out.status).toBe(0);
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual(out.calls.map(() => preload));
  });

  it("runs no update when the preview fails, and fails", () => {
    const out = run("up", { FAKE_PULUMI_PLAN: planOf(["update"]), FAKE_PULUMI_PREVIEW_EXIT: "255" });
    expect(out.status).toBe(1);
    expect(out.calls.map((c) => c[0])).toEqual(["stack", "preview"]);
  });

  it.each([
    ["", {}],
    [", in color as on a terminal", { FAKE_PULUMI_COLOR: "1" }],
  ])("keeps the preview's output but not its advice to run `pulumi up --plan` itself%s", (_, env) => {
    const out = run("up", { FAKE_PULUMI_PLAN: planOf(["same"]), ...env });
    expect(out.stdout).toContain("fake preview");
    expect(out.stderr).not.toMatch(/Update plan written|pulumi up --plan/);
  });

  it("passes other flags to a plain `pulumi up`", () => {
    const out = run("up", {}, "--target", "urn:x", "--yes");
    expect(out.calls.slice(1)).toEqual([
      ["up", ...POLICY, "--yes", "--stack", "dev", "--target", "urn:x", "--yes", CLIENT],
      ["stack", "output", "summary", "--json", "--stack", "dev"],
    ]);
  });

  it("refuses to run unattended without --yes", () => {
    const out = run("up", { CI: "false", FAKE_PULUMI_PLAN: planOf(["update"]) });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain(
      "error: --yes is needed where nothing can answer the confirmation (no terminal)",
    );
    expect(out.calls.map((c) => c[0])).toEqual(["stack"]);
  });
});

// A type error in the sources: the build fails before the wrapper runs.
describe("when the sources do not compile", () => {
  const failing = `--require ${path.join(ROOT, "test", "fixtures", "failing-build.cjs")}`;

  it("stops preview and up with tsc's report, before any Pulumi command", () => {
    const out = run("up", { NODE_OPTIONS: failing });
    expect({ status: out.status, calls: out.calls, stderr: out.stderr }).toEqual({
      status: 2,
      calls: [],
      stderr:
        "error: the program does not compile (tsc -p tsconfig.build.json); nothing was deployed:\n" +
        "infra/index.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\n",
    });
  });

  // Destroying reads only the stack's state: a broken program must not keep a stack up.
  it("still destroys, the wrapper run from its TypeScript", () => {
    const out = run("destroy", { NODE_OPTIONS: failing });
    expect(out.status).toBe(0);
    // CI=true in these runs: the wrapper answers yes itself.
    expect(out.calls.slice(1)).toEqual([["destroy", "--exclude-protected", "--yes", "--stack", "dev"]]);
    expect(out.stderr).toContain("warning: the sources do not compile (tsc -p tsconfig.build.json);");
  });
});

describe("the wrapper's start", () => {
  // The SDK and the program load while the CLI starts, not before it (0.8 s when they did).
  it("starts the CLI before it loads the Pulumi SDK, then serves the program to it", () => {
    const out = run("preview", {});
    expect(out.calls.slice(1)).toEqual([["preview", "--diff", ...POLICY, "--stack", "dev", CLIENT]]);
    // `pulumi version`, the policy pack, `stack select`, the preview.
    expect(out.sdk).toBe("false false false false | true");
    expect(out.client[0]).toBe(`preview: ${PLUGINS}`);
  });

  // The program runs in the wrapper's process: the wrapper must outlive the CLI it serves.
  it.each([
    ["Ctrl-C is left to the CLI (the terminal signals it too)", "SIGINT", 0],
    ["SIGTERM is passed on to the CLI", "SIGTERM", 1],
  ] as const)("%s", async (_, signal, status) => {
    const log = path.join(dir, "calls.jsonl");
    const child = spawn(process.execPath, ["scripts/pulumi.cjs", "preview", "dev"], {
      cwd: ROOT,
      stdio: "ignore",
      env: {
        PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
        HOME: dir,
        PULUMI_BACKEND_URL: `file://${dir}`,
        FAKE_PULUMI_LOG: log,
        FAKE_PULUMI_SLEEP_MS: "1500",
      },
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Signal once the preview has started.
    while (!(fs.existsSync(log) && fs.readFileSync(log, "utf8").includes('"preview"')))
      await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill(signal);
    expect(await exited).toBe(status);
  });

  it("loads neither for destroy, which evaluates no program", () => {
    const out = run("destroy", {});
    expect(out.calls.slice(1)).toEqual([["destroy", "--exclude-protected", "--yes", "--stack", "dev"]]);
    // `stack select`, the destroy: no policy pack, so no question of the CLI's version either.
    expect(out.sdk).toBe("false false | false");
    expect(out.client).toEqual([]);
  });
});

describe("the policy pack", () => {
  const packFiles = () => fs.readdirSync(dir).filter((name) => name.startsWith("shipyard-pack-"));

  it("is started by the wrapper, and the CLI attaches to it through attach.sh", () => {
    const out = run("preview", {});
    expect(out.status).toBe(0);
    expect(out.calls[1]).toEqual(["preview", "--diff", ...POLICY, "--stack", "dev", CLIENT]);
    expect(out.client).toEqual([`preview: ${PLUGINS}`, expect.stringMatching(PACK)]);
    // Its port file is gone with it.
    expect(packFiles()).toEqual([]);
  });

  it("is the folder, started by the CLI, for a CLI before 3.255", () => {
    const out = run("up", { FAKE_PULUMI_VERSION: "v3.254.0", FAKE_PULUMI_PLAN: planOf(["update"]) });
    expect(out.status).toBe(0);
    expect(out.calls.slice(1, 2)).toEqual([
      ["preview", "--policy-pack", "policy/pack", "--save-plan", "<plan>", "--stack", "dev", CLIENT],
    ]);
    expect(out.calls[3]).toEqual([
      "up",
      "--skip-preview",
      "--yes",
      "--policy-pack",
      "policy/pack",
      "--stack",
      "dev",
      CLIENT,
    ]);
    expect(out.client).toEqual([`preview: ${PLUGINS}`, `up: ${PLUGINS}`]);
  });

  it("asks the CLI its version once, then remembers it", () => {
    const versions = path.join(dir, "versions.log");
    run("preview", { FAKE_PULUMI_VERSION_LOG: versions });
    run("preview", { FAKE_PULUMI_VERSION_LOG: versions });
    expect(fs.readFileSync(versions, "utf8")).toBe("version\n");
    const cache = path.join(dir, ".cache", "shipyard", "pulumi-cli-versions.json");
    expect(Object.values(JSON.parse(fs.readFileSync(cache, "utf8")) as object)).toEqual([
      { stamp: expect.stringMatching(/^\d+:[\d.]+$/) as unknown, version: "v3.260.0" },
    ]);
  });
});
