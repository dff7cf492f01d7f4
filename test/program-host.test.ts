import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as langproto from "@pulumi/pulumi/proto/language_pb";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hostProgram, requiredPlugins, type Program, type ProgramHost } from "../infra/program-host";
import { startFakeEngine, type FakeEngine } from "./fake-pulumi-engine";

// The program served to the CLI from the wrapper's process (`--client`), driven here as the CLI
// drives it: a Run request naming a stand-in engine (test/fake-pulumi-engine.ts).
const ROOT = path.resolve(__dirname, "..");
const PROJECT = "shipyard";
const STACK = "dev";
const STACK_RESOURCE = `pulumi:pulumi:Stack::${PROJECT}-${STACK}`;

let host: ProgramHost | undefined;
let engine: FakeEngine | undefined;
afterEach(() => {
  host?.close();
  engine?.close();
  host = engine = undefined;
});

interface Evaluation {
  readonly bail: boolean;
  readonly error: string;
}

async function start(program: () => Program): Promise<{ host: ProgramHost; engine: FakeEngine }> {
  host = await hostProgram(ROOT, program);
  engine = await startFakeEngine(PROJECT, STACK);
  return { host, engine };
}

/** One Run request, as the CLI sends it to a client runtime (pkg/engine/update.go). */
function evaluate(
  target: { host: ProgramHost; engine: FakeEngine },
  options: { dryRun?: boolean; pwd?: string; config?: Record<string, string> } = {},
): Promise<Evaluation> {
  const client = new langrpc.LanguageRuntimeClient(target.host.address, grpc.credentials.createInsecure());
  const request = new langproto.RunRequest()
    .setProject(PROJECT)
    .setStack(STACK)
    .setPwd(options.pwd ?? "")
    .setProgram(path.join(ROOT, "infra"))
    .setArgsList([target.engine.address])
    .setMonitorAddress(target.engine.address)
    .setDryrun(options.dryRun ?? true)
    .setParallel(8)
    .setOrganization("organization");
  for (const [key, value] of Object.entries(options.config ?? {})) request.getConfigMap().set(key, value);
  return new Promise((resolve, reject) =>
    client.run(request, (error, response) => {
      client.close();
      if (error || !response) reject(error ?? new Error("no response"));
      else resolve({ bail: response.getBail(), error: response.getError() });
    }),
  );
}

describe("hostProgram", () => {
  it("evaluates the program as the runner does: its config, preview or update, folder, outputs", async () => {
    const pwd = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-host-")));
    const cwd = process.cwd();
    const seen: unknown[] = [];
    const target = await start(() => () => {
      seen.push(pulumi.runtime.isDryRun(), process.cwd(), pulumi.getStack(), pulumi.getOrganization());
      const thing = new pulumi.ComponentResource("test:index:Thing", "thing");
      return Promise.resolve({
        greeting: new pulumi.Config("shipyard").require("greeting"),
        thing: thing.urn,
      });
    });
    try {
      const result = await evaluate(target, { dryRun: false, pwd, config: { "shipyard:greeting": "hello" } });
      expect(result).toEqual({ bail: false, error: "" });
      expect(seen).toEqual([false, pwd, STACK, "organization"]);
      expect(process.cwd()).toBe(cwd);
      expect(target.engine.registered).toEqual([STACK_RESOURCE, "test:index:Thing::thing"]);
      expect(target.engine.outputs.get(`urn:pulumi:${STACK}::${PROJECT}::${STACK_RESOURCE}`)).toEqual({
        greeting: "hello",
        thing: `urn:pulumi:${STACK}::${PROJECT}::test:index:Thing::thing`,
      });
      expect(target.engine.logs).toEqual([]);
    } finally {
      fs.rmSync(pwd, { recursive: true, force: true });
    }
  });

  // `npm run up` evaluates twice in one process: the preview's resources must not leak into the update.
  it("starts each evaluation from fresh SDK state, and loads the program once", async () => {
    let loads = 0;
    const target = await start(() => {
      loads++;
      return () => {
        new pulumi.ComponentResource("test:index:Thing", pulumi.runtime.isDryRun() ? "previewed" : "updated");
        return Promise.resolve({});
      };
    });
    expect(await evaluate(target, { dryRun: true })).toEqual({ bail: false, error: "" });
    expect(await evaluate(target, { dryRun: false })).toEqual({ bail: false, error: "" });
    expect(loads).toBe(1);
    expect(target.engine.registered).toEqual([
      STACK_RESOURCE,
      "test:index:Thing::previewed",
      STACK_RESOURCE,
      "test:index:Thing::updated",
    ]);
  });

  // The engine prints a bailed run's logged errors and adds nothing: each error shows once.
  it("reports a RunError once, by its message alone, and tells the CLI it did (bail)", async () => {
    const target = await start(() => () => {
      const error = new pulumi.RunError("Invalid stack config (1 problem); nothing was deployed");
      void Promise.reject(error); // an unhandled rejection of the same error, as the SDK's outputs make
      return Promise.reject(error);
    });
    expect(await evaluate(target)).toEqual({ bail: true, error: "" });
    expect(target.engine.logs).toEqual(["error: Invalid stack config (1 problem); nothing was deployed"]);
  });

  it("reports any other error with its stack trace, as the runner words it", async () => {
    const target = await start(
      () =>
        function failingProgram() {
          return Promise.reject(new TypeError("boom"));
        },
    );
    expect(await evaluate(target)).toEqual({ bail: true, error: "" });
    expect(target.engine.logs).toHaveLength(1);
    expect(target.engine.logs[0]).toMatch(
      new RegExp(
        `^error: Running program '${path.join(ROOT, "infra")}' failed with an unhandled exception:\n` +
          // Source-mapped: the frame names this TypeScript file.
          "TypeError: boom\n    at Object\\.failingProgram .*program-host\\.test\\.ts:\\d+:\\d+\\)\n",
      ),
    );
  });

  // The runner checks as its process exits; the wrapper's process lives on, so each run checks.
  it("fails an evaluation that leaves a promise of the SDK's running", async () => {
    const target = await start(() => () => {
      // What an un-awaited SDK call leaves behind: a promise the SDK tracks, never settled.
      const { debuggablePromise } = createRequire(require.resolve("@pulumi/pulumi"))(
        "./runtime/debuggable",
      ) as {
        debuggablePromise: (p: Promise<unknown>, ctx: string) => Promise<unknown>;
      };
      void debuggablePromise(new Promise(() => undefined), "never settles");
      return Promise.resolve({});
    });
    const result = await evaluate(target);
    expect(result.bail).toBe(false);
    expect(result.error).toMatch(/^The Pulumi runtime detected that 1 promise was still active\n/);
    // Reported once: the next evaluation in the same process counts its own.
    expect((await evaluate(target)).error).toMatch(/^The Pulumi runtime detected that 1 promise was/);
  });

  it("returns a program that fails to load as the run's error", async () => {
    const target = await start(() => {
      throw new Error("Cannot find module 'zod'");
    });
    target.host.load(); // the wrapper's early load says nothing; the evaluation does
    const result = await evaluate(target);
    expect(result.bail).toBe(false);
    expect(result.error).toMatch(
      /^Running program '.*' failed with an unhandled exception:\nError: Cannot find module 'zod'/,
    );
  });
});

describe("requiredPlugins", () => {
  // What the Node.js language host would list: the CLI installs a missing one before the run.
  it("lists each dependency that is a Pulumi resource provider, at its installed version", () => {
    const plugins = requiredPlugins(ROOT).map((p) => [p.getName(), p.getKind(), p.getVersion()]);
    const version = (pkg: string) =>
      (
        JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
    expect(plugins).toEqual([
      ["docker", "resource", version("@pulumi/docker")],
      ["random", "resource", version("@pulumi/random")],
    ]);
  });
});
