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

  it("reports a gap once for the stack, with the affected resources and the mitigation", () => {
    const report = vi.fn();
    const resources = [
      policyResource(CONTAINER, "api-0", SAFE_CONTAINER),
      policyResource(CONTAINER, "web-0", SAFE_CONTAINER),
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

  it("starts under @pulumi/pulumi's policy-pack runner exactly as the CLI starts it, and serves", async () => {
    // The CLI runs `node <run-policy-pack> <engine> <pack dir>` from the pack directory; the runner
    // compiles the pack with ts-node and its own defaults (target ES2020), so a library API newer
    // than ES2020 anywhere under policy/ fails here even though the root tsc accepts it.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [pack] });
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", pack], { cwd: pack });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const firstLine = await new Promise<string>((resolve) => {
        child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
        child.once("exit", () => resolve(""));
      });
      expect({ firstLine: /^\d+$/.test(firstLine) ? "<port>" : firstLine, stderr }).toEqual({
        firstLine: "<port>",
        stderr: "",
      });
    } finally {
      child.kill();
    }
  }, 120_000);

  it("declares a nodejs pack and a version for @pulumi/policy, with no dependencies of its own", () => {
    expect(readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const pkg = JSON.parse(readFileSync(path.join(pack, "package.json"), "utf8")) as Record<string, unknown>;
    expect([pkg["version"], pkg["main"], pkg["dependencies"]]).toEqual(["0.1.0", "index.ts", undefined]);
  });
});
