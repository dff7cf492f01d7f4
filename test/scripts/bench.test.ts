import { describe, expect, it } from "vitest";
import { plainSystem } from "../../scripts/bench/plain-system";
import { benchServices } from "../../scripts/bench/shape";
import { shipyardSystem } from "../../scripts/bench/shipyard-system";
import { freshRegistrations, settle } from "../mocks";
import { registered } from "../../infra/offline";

/** What the engine receives for each custom resource, in a stable order. */
async function engineView(build: (size: number) => void, size: number) {
  await freshRegistrations();
  build(size);
  await settle();
  return registered()
    .filter((r) => r.custom)
    .map((r) => {
      const { protect, retainOnDelete, deleteBeforeReplace, replaceOnChanges } = r.options;
      return {
        resource: `${r.type}::${r.name}`,
        inputs: r.inputs,
        options: { protect, retainOnDelete, deleteBeforeReplace, replaceOnChanges },
      };
    })
    .sort((a, b) => (a.resource < b.resource ? -1 : 1));
}

describe("the bench's two programs", () => {
  it("register the same resources with the same inputs and options, shipyard through its components", async () => {
    const shipyard = await engineView(shipyardSystem, 10);
    const plain = await engineView(plainSystem, 10);
    expect(plain).toEqual(shipyard);
    // 2 networks, 2 images and the carrier build; per stateful service a volume, a password, a
    // carrier and a container; per stateless service 2 containers.
    expect(shipyard).toHaveLength(5 + 2 * 4 + 8 * 2);
  });

  it("share one generated shape: every fifth service stateful, each after the one before but every tenth", () => {
    expect(benchServices(12).map((s) => [s.name, s.stateful, s.replicas, s.dependsOn])).toEqual([
      ["svc-0", true, 1, undefined],
      ["svc-1", false, 2, "svc-0"],
      ["svc-2", false, 2, "svc-1"],
      ["svc-3", false, 2, "svc-2"],
      ["svc-4", false, 2, "svc-3"],
      ["svc-5", true, 1, "svc-4"],
      ["svc-6", false, 2, "svc-5"],
      ["svc-7", false, 2, "svc-6"],
      ["svc-8", false, 2, "svc-7"],
      ["svc-9", false, 2, "svc-8"],
      ["svc-10", true, 1, undefined],
      ["svc-11", false, 2, "svc-10"],
    ]);
  });
});
