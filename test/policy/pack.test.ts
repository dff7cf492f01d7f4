import { unknownCheckingProxy, type PolicyResource, type StackValidationArgs } from "@pulumi/policy";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  DEFAULT_CONTEXT,
  contextFrom,
  parseStackConfig,
  policies,
  toRegisteredResource,
} from "../../policy/pack/policies";
import { rules } from "../../policy/rules";
import { UNKNOWN } from "../../policy/types";
import { expectThrowsExactly } from "../mocks";
import { CONTAINER, REMOTE_IMAGE, SAFE_CONTAINER, SERVICE } from "./fixtures";

/** @pulumi/policy's typings lose this helper's type (see policy/pack/policies.ts). */
const checkingProxy = unknownCheckingProxy as <T extends object>(value: T) => T;
/** The engine's sentinel for a string unknown during preview (@pulumi/policy proxy.js). */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function policyResource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  protect = false,
): PolicyResource {
  return {
    type,
    name,
    urn: `urn:pulumi:prod::shipyard::${type}::${name}`,
    props: checkingProxy(props),
    opts: {
      protect,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

class NotApplicable extends Error {}

function stackArgs(resources: PolicyResource[], config: object = {}): StackValidationArgs {
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
}

function policy(name: string) {
  const found = policies.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
}

describe("policy pack wiring", () => {
  it("registers every rule exactly once, named by its id, described by its title", () => {
    expect(policies.map((p) => p.name)).toEqual(rules.map((r) => r.id.toLowerCase()));
    expect(new Set(policies.map((p) => p.name)).size).toBe(rules.length);
    expect(policies.map((p) => p.description)).toEqual(rules.map((r) => r.title));
  });

  it("blocks on critical and high rules and only warns on medium rules and gaps", () => {
    expect(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]))).toEqual({
      "cis-4.1": "mandatory",
      "cis-5.2": "mandatory",
      "cis-5.4": "mandatory",
      "cis-5.5": "mandatory",
      "cis-5.6": "mandatory",
      "cis-5.8": "advisory",
      "cis-5.10": "mandatory",
      "cis-5.11": "mandatory",
      "cis-5.12": "advisory",
      "cis-5.13": "advisory",
      "cis-5.14": "mandatory",
      "cis-5.15": "advisory",
      "cis-5.16": "mandatory",
      "cis-5.17": "mandatory",
      "cis-5.18": "advisory",
      "cis-5.20": "advisory",
      "cis-5.22": "mandatory",
      "cis-5.25": "advisory",
      "cis-5.26": "mandatory",
      "cis-5.26-swarm": "advisory",
      "cis-5.27": "advisory",
      "cis-5.29": "advisory",
      "cis-5.30": "advisory",
      "cis-5.31": "mandatory",
      "cis-5.32": "mandatory",
      "ship-1": "mandatory",
      "ship-2": "mandatory",
      "ship-3": "mandatory",
      "ship-4": "mandatory",
      "ship-5": "mandatory",
      "ship-6": "mandatory",
      "ship-7": "advisory",
      "ship-8": "mandatory",
    });
  });

  it("reports a privileged container against its URN", () => {
    const report = vi.fn();
    const api = policyResource(CONTAINER, "api-0", { ...SAFE_CONTAINER, privileged: true });
    void policy("cis-5.5").validateStack(stackArgs([api]), report);
    expect(report.mock.calls).toEqual([
      [
        'Container "api-0": `privileged` is true; remove it (CIS 5.5)',
        "urn:pulumi:prod::shipyard::docker:index/container:Container::api-0",
      ],
    ]);
  });

  it("reports a gap once for the stack, with the affected resources in order and the mitigation", () => {
    const report = vi.fn();
    // In the order the engine may hand them over, which varies with the program's timing.
    const resources = [
      policyResource(CONTAINER, "web-0", SAFE_CONTAINER),
      policyResource(CONTAINER, "api-0", SAFE_CONTAINER),
    ];
    void policy("cis-5.29").validateStack(stackArgs(resources), report);
    expect(report.mock.calls).toEqual([
      [
        `CIS-5.29 cannot be enforced (affects Container api-0, Container web-0); mitigation: ${rules.find((r) => r.id === "CIS-5.29")?.gap}`,
      ],
    ]);
  });

  it("marks the swarm gap not applicable on the container target", () => {
    expect(() =>
      policy("cis-5.26-swarm").validateStack(
        stackArgs([policyResource(CONTAINER, "api-0", SAFE_CONTAINER)]),
        vi.fn(),
      ),
    ).toThrow(NotApplicable);
  });

  it("takes a stack that registers Swarm services to be on swarm when no config names the target", () => {
    const report = vi.fn();
    void policy("cis-5.26-swarm").validateStack(stackArgs([policyResource(SERVICE, "api", {})]), report);
    expect(report).toHaveBeenCalledTimes(1);
  });

  it("takes the environment from the policy config", () => {
    const report = vi.fn();
    const postgres = policyResource(REMOTE_IMAGE, "postgres", { name: "postgres:16" });
    void policy("ship-1").validateStack(stackArgs([postgres], { environment: "dev" }), report);
    expect(report).not.toHaveBeenCalled();
    void policy("ship-1").validateStack(stackArgs([postgres]), report);
    expect(report).toHaveBeenCalledTimes(1);
  });

  it("skips values unknown during preview instead of failing them", () => {
    const report = vi.fn();
    const api = policyResource(CONTAINER, "api-0", {
      ...SAFE_CONTAINER,
      image: UNKNOWN_STRING,
      envs: [UNKNOWN_STRING, "DB_TOKEN=x"],
    });
    for (const name of ["ship-1", "ship-2", "cis-5.30"])
      void policy(name).validateStack(stackArgs([api]), report);
    expect(report.mock.calls.map((c: unknown[]) => c[0])).toEqual([
      'Container "api-0": `envs` sets DB_TOKEN directly; deliver the secret as a file under /run/secrets and set DB_TOKEN_FILE instead (SHIP-2)',
    ]);
  });
});

describe("toRegisteredResource", () => {
  it("copies props, turning unknown values into UNKNOWN, and cannot see retainOnDelete", () => {
    const props = {
      image: UNKNOWN_STRING,
      envs: ["A=1", UNKNOWN_STRING],
      healthcheck: { tests: ["CMD", "true"] },
    };
    expect(toRegisteredResource(policyResource(CONTAINER, "api-0", props, true))).toEqual({
      type: CONTAINER,
      name: "api-0",
      inputs: { image: UNKNOWN, envs: ["A=1", UNKNOWN], healthcheck: { tests: ["CMD", "true"] } },
      options: { protect: true, retainOnDelete: UNKNOWN },
    });
  });
});

describe("contextFrom", () => {
  it.each([
    [{}, {}, DEFAULT_CONTEXT],
    [
      {},
      { "shipyard:environment": "dev", "shipyard:target": "swarm" },
      { environment: "dev", target: "swarm" },
    ],
    [
      { environment: "staging" },
      { "shipyard:environment": "dev" },
      { environment: "staging", target: "container" },
    ],
    [{}, { "shipyard:environment": { nested: true } }, DEFAULT_CONTEXT],
  ])("config %j and stack config %j give %j", (config, stackConfig, expected) => {
    expect(contextFrom(config, stackConfig)).toEqual(expected);
  });

  it("rejects an unknown target", () => {
    expectThrowsExactly(
      () => contextFrom({}, { "shipyard:target": "kubernetes" }),
      'shipyard policy pack: `target` must be "container" or "swarm", got "kubernetes"',
    );
  });

  it.each([
    ['{"shipyard:environment":"dev"}', { "shipyard:environment": "dev" }],
    [undefined, {}],
    ["not json", {}],
  ])("reads PULUMI_CONFIG %j", (json, expected) => {
    expect(parseStackConfig(json)).toEqual(expected);
  });
});

describe("pack layout", () => {
  const pack = path.join(__dirname, "../../policy/pack");
  const preload = path.join(__dirname, "../../infra/sdk-preload.cjs");
  const reportLoaded = path.join(__dirname, "../fixtures/report-loaded.cjs");

  /**
   * Starts a pack as the CLI does: `node <run-policy-pack> <engine> <pack dir>` from the pack
   * directory; with `preload`, as `npm run preview` does (NODE_OPTIONS), reporting whether a
   * TypeScript compiler got loaded once the pack served.
   */
  async function startPack(dir: string, preload?: string) {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const env = {
      ...process.env,
      NODE_OPTIONS: preload ? `--require ${preload} --require ${reportLoaded}` : "",
    };
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", dir], { cwd: dir, env });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.split("\n").length > (preload ? 2 : 1)) resolve();
        });
        child.once("exit", () => resolve());
      });
    } finally {
      child.kill();
    }
    const [port = "", loaded] = stdout.trim().split("\n");
    return {
      port: /^\d+$/.test(port) ? "<port>" : port,
      stderr,
      ...(preload ? (JSON.parse(loaded ?? "null") as object) : {}),
    };
  }

  // The runner registers ts-node (and so loads TypeScript) whatever the pack's language; the pack
  // runs compiled (main.cjs), and infra/sdk-preload.cjs defers that registration to the first
  // TypeScript file, which a compiled pack never requires.
  it("starts under @pulumi/pulumi's policy-pack runner exactly as the CLI starts it, and serves", async () => {
    expect(await startPack(pack)).toEqual({ port: "<port>", stderr: "" });
  }, 120_000);

  it("serves without loading TypeScript when started with the preload, as npm run preview does", async () => {
    expect(await startPack(pack, preload)).toEqual({ port: "<port>", stderr: "", typescript: false });
  }, 120_000);

  it("still compiles a TypeScript pack under the preload: ts-node registers on its first file", async () => {
    const tsPack = path.join(__dirname, "../fixtures/ts-policy-pack");
    expect(await startPack(tsPack, preload)).toEqual({ port: "<port>", stderr: "", typescript: true });
  }, 120_000);

  it("declares a nodejs pack and a version for @pulumi/policy, with no dependencies of its own", () => {
    expect(readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const pkg = JSON.parse(readFileSync(path.join(pack, "package.json"), "utf8")) as Record<string, unknown>;
    expect([pkg["version"], pkg["main"], pkg["dependencies"]]).toEqual(["0.1.0", "main.cjs", undefined]);
  });
});
