import { describe, expect, it } from "vitest";
import { audit } from "../../scripts/audit";
import { WAIVERS } from "../../policy/waivers";
import { promotedProd } from "../stacks/fixtures";

describe("every stack passes every rule", () => {
  it.each<[string, string, Parameters<typeof audit>[1]]>([
    ["dev", "dev", {}],
    ["prod on swarm", "prod", { raw: promotedProd() }],
    ["prod on the container target", "prod", { raw: promotedProd(), target: "container" }],
    ["prod before the first promotion (placeholder images)", "prod", {}],
  ])("%s", async (_name, stack, options) => {
    const report = await audit(stack, options);
    // The waivers in force are part of the result: print them so a reader of the test log sees them.
    console.log(
      `waivers (${WAIVERS.length}):`,
      WAIVERS.map((w) => `${w.rule} [${w.environments.join(",")}]: ${w.reason}`),
    );
    expect(
      report.results
        .filter((r) => r.status === "fail")
        .map((r) => `${r.rule.id}: ${r.violations.map((v) => v.message).join("; ")}`),
    ).toEqual([]);
    expect(report.failed).toBe(false);
  });

  it("reports the two controls the provider cannot express as gaps, never as passes", async () => {
    const report = await audit("prod", { raw: promotedProd() });
    expect(report.results.filter((r) => r.status === "gap").map((r) => r.rule.id)).toEqual([
      "CIS-5.26-SWARM",
      "CIS-5.29",
    ]);
  });
});

describe("the audit command", () => {
  it("fails a deliberately weakened stack with the right rule and names the resource", async () => {
    const report = await audit("dev", {
      tamper: (resources) =>
        resources.map((r) => (r.name === "api-0" ? { ...r, inputs: { ...r.inputs, privileged: true } } : r)),
    });
    expect(report.failed).toBe(true);
    expect(
      report.results
        .filter((r) => r.status === "fail")
        .map((r) => [r.rule.id, r.violations.map((v) => v.resource)]),
    ).toEqual([["CIS-5.5", ["Container api-0"]]]);
    expect(report.text).toMatch(
      /^CIS-5\.5 +Privileged containers are not used \(CIS v1\.5 5\.4\) +fail +Container api-0$/m,
    );
    expect(report.text.split("\n").pop()).toBe("FAILED");
  });

  it("fails prod when the graph's store has no backup (SHIP-6), naming its volume", async () => {
    const report = await audit("prod", {
      raw: promotedProd({ features: { graph: true, monitoring: true, backups: false } }),
    });
    expect(
      report.results
        .filter((r) => r.status === "fail")
        .map((r) => [r.rule.id, r.violations.map((v) => v.resource)]),
    ).toEqual([["SHIP-6", ["Volume pgdata", "Volume graph-data"]]]);
  });

  it("notes placeholder images for a prod stack that was never promoted", async () => {
    const report = await audit("prod");
    expect(report.notes).toEqual([
      "not promoted yet: images.api, images.web; audited with placeholder image ids",
    ]);
  });
});
