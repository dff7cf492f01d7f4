import type { StackValidationPolicy } from "@pulumi/policy";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decodeOncePerRequest } from "../../policy/pack/decode-once";
import { policies, toRegisteredResource } from "../../policy/pack/policies";
import type { RegisteredResource } from "../../policy/types";
import { CONTAINER, SAFE_CONTAINER } from "./fixtures";

// The pack's stack analysis through @pulumi/policy's own AnalyzeStack handler (server.js), as the
// engine calls it: each resource decoded once per request whatever the number of policies. This
// file patches @pulumi/policy for its whole worker, as the pack does at its start.
const policyRequire = createRequire(require.resolve("@pulumi/policy"));
const server = policyRequire("./server") as {
  makeAnalyzeStackRpcFun: (
    name: string,
    version: string,
    level: string,
    policies: StackValidationPolicy[],
  ) => (
    call: { request: analyzerproto.AnalyzeStackRequest },
    callback: (error: unknown, response?: analyzerproto.AnalyzeResponse) => void,
  ) => Promise<void>;
};
const deserialize = policyRequire("./deserialize") as {
  deserializeProperties: (properties: unknown, keepUnknowns?: boolean) => unknown;
};

function request(resources: Record<string, Record<string, unknown>>): analyzerproto.AnalyzeStackRequest {
  return new analyzerproto.AnalyzeStackRequest().setResourcesList(
    Object.entries(resources).map(([name, props]) =>
      new analyzerproto.AnalyzerResource()
        .setType(CONTAINER)
        .setName(name)
        .setUrn(`urn:pulumi:dev::shipyard::${CONTAINER}::${name}`)
        .setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]))
        .setOptions(new analyzerproto.AnalyzerResourceOptions()),
    ),
  );
}

/** Runs `policies` over `req` as the engine's AnalyzeStack does; the messages they reported. */
async function analyze(policyList: StackValidationPolicy[], req: analyzerproto.AnalyzeStackRequest) {
  const handler = server.makeAnalyzeStackRpcFun("shipyard", "0.1.0", "advisory", policyList);
  let response: analyzerproto.AnalyzeResponse | undefined;
  await handler({ request: req }, (error, result) => {
    if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
    response = result;
  });
  return (response?.getDiagnosticsList() ?? []).map((d) => `${d.getPolicyname()}: ${d.getMessage()}`);
}

describe("decodeOncePerRequest", () => {
  const risky = { ...SAFE_CONTAINER, privileged: true, envs: ["DB_PASSWORD=hunter2"] };

  it("gives every policy of a request the same copy of each resource's properties, decoded once", async () => {
    // The pack's findings before the patch, to compare with after it.
    const before = await analyze(policies, request({ "api-0": risky, "web-0": SAFE_CONTAINER }));
    expect(before.length).toBeGreaterThan(1);

    const decode = deserialize.deserializeProperties;
    let decoded = 0;
    deserialize.deserializeProperties = (properties, keepUnknowns) => {
      decoded++;
      return decode(properties, keepUnknowns);
    };
    decodeOncePerRequest();
    decodeOncePerRequest(); // a second call wraps nothing more

    const seen: RegisteredResource[][] = [];
    const recorder = (name: string): StackValidationPolicy => ({
      name,
      description: name,
      enforcementLevel: "advisory",
      validateStack: (args) => void seen.push(args.resources.map(toRegisteredResource)),
    });
    await analyze(
      [recorder("a"), recorder("b"), recorder("c")],
      request({ "api-0": risky, "web-0": SAFE_CONTAINER }),
    );
    expect(decoded).toBe(2);
    expect(seen).toHaveLength(3);
    // One copy of each resource's properties, for every policy.
    expect(seen[1]?.[0]?.inputs).toBe(seen[0]?.[0]?.inputs);
    expect(seen[2]?.[1]?.inputs).toBe(seen[0]?.[1]?.inputs);
    expect(seen[0]?.[1]?.inputs).not.toBe(seen[0]?.[0]?.inputs);
    expect(seen[0]?.map((r) => [r.name, r.inputs["privileged"]])).toEqual([
      ["api-0", true],
      ["web-0", undefined],
    ]);

    // The next request is decoded anew: nothing carries over from one analysis to the next.
    await analyze([recorder("a")], request({ "api-0": SAFE_CONTAINER }));
    expect(decoded).toBe(3);
    expect(seen[3]?.[0]?.inputs["privileged"]).toBeUndefined();

    // And the pack finds what it found before.
    expect(await analyze(policies, request({ "api-0": risky, "web-0": SAFE_CONTAINER }))).toEqual(before);
  });
});
