import { describe, expect, it } from "vitest";
import { lastUpdateFailed, pendingOperations, plannedChanges } from "../../scripts/update-plan";

// The shape `pulumi preview --save-plan` writes (Pulumi 3.260), trimmed to what is read.
const STACK = "urn:pulumi:dev::shipyard::pulumi:pulumi:Stack::shipyard-dev";
const API = "urn:pulumi:dev::shipyard::shipyard:components:Service$docker:index/container:Container::api-0";
const REDIS =
  "urn:pulumi:dev::shipyard::shipyard:components:Service$docker:index/container:Container::redis-0";

function plan(resources: Record<string, { steps?: string[]; outputDiff?: object }>): unknown {
  return {
    manifest: {},
    config: {},
    resourcePlans: Object.fromEntries(
      Object.entries(resources).map(([urn, r]) => [
        urn,
        { goal: { type: "t", name: "n", inputDiff: {}, outputDiff: r.outputDiff ?? {} }, steps: r.steps },
      ]),
    ),
  };
}

describe("plannedChanges", () => {
  it("finds nothing when every step is same and no outputs change", () => {
    expect(plannedChanges(plan({ [STACK]: { steps: ["same"] }, [API]: { steps: ["same"] } }))).toEqual([]);
  });

  it.each([
    [
      "a replacement",
      { [API]: { steps: ["delete-replaced", "replace", "create-replacement"] } },
      ["delete-replaced/replace/create-replacement api-0"],
    ],
    ["an update", { [REDIS]: { steps: ["update"] } }, ["update redis-0"]],
    ["a delete", { [REDIS]: { steps: ["delete"] } }, ["delete redis-0"]],
    ["a resource with no steps", { [REDIS]: { steps: [] } }, ["unknown step redis-0"]],
    [
      "an added stack output",
      { [STACK]: { steps: ["same"], outputDiff: { adds: { probe: "x" } } } },
      ["outputs of shipyard-dev"],
    ],
    [
      "a stack output not known until the update",
      {
        [STACK]: {
          steps: ["same"],
          outputDiff: { updates: { images: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } },
        },
      },
      ["outputs of shipyard-dev"],
    ],
  ])("reports %s", (_, resources, expected) => {
    expect(plannedChanges(plan(resources))).toEqual(expected);
  });

  it("treats empty output diff sections as no change", () => {
    const resources = { [STACK]: { steps: ["same"], outputDiff: { adds: {}, deletes: [], updates: {} } } };
    expect(plannedChanges(plan(resources))).toEqual([]);
  });

  it.each([undefined, null, {}, { resourcePlans: "x" }])(
    "counts an unreadable plan (%j) as a change",
    (p) => {
      expect(plannedChanges(p)).toEqual(["the preview's plan could not be read"]);
    },
  );
});

describe("pendingOperations", () => {
  const op = { resource: { urn: API }, type: "creating" };

  it.each([
    ["the file backend's checkpoint", { checkpoint: { latest: { pending_operations: [op, op] } } }, 2],
    ["`pulumi stack export`", { version: 3, deployment: { pending_operations: [op] } }, 1],
    ["a checkpoint without any", { checkpoint: { latest: { resources: [] } } }, 0],
  ])("counts them in %s", (_, checkpoint, expected) => {
    expect(pendingOperations(checkpoint)).toBe(expected);
  });
});

describe("lastUpdateFailed", () => {
  // The file backend's history entry is one object; `pulumi stack history --json` lists the newest
  // first (Pulumi 3.260: kind, result, startTime, ...).
  it.each([
    [{ kind: "update", result: "failed" }, true],
    [
      [
        { kind: "update", result: "failed" },
        { kind: "update", result: "succeeded" },
      ],
      true,
    ],
    [{ kind: "update", result: "succeeded" }, false],
    [
      [
        { kind: "update", result: "succeeded" },
        { kind: "update", result: "failed" },
      ],
      false,
    ],
    [{ kind: "destroy", result: "failed" }, false],
    [{ kind: "refresh", result: "failed" }, false],
    [[], false],
    [undefined, false],
    ["not json", false],
  ])("%j → %s", (entry, failed) => {
    expect(lastUpdateFailed(entry)).toBe(failed);
  });
});
