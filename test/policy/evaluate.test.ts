import { describe, expect, it } from "vitest";
import { checkWaivers, evaluate, formatTable, hasFailures, type Waiver } from "../../policy/evaluate";
import { rules } from "../../policy/rules";
import type { Rule } from "../../policy/types";
import { container, dev, prod, prodSwarm, service, violation } from "./fixtures";
import { expectThrowsExactly } from "../mocks";

const statuses = (results: ReturnType<typeof evaluate>) =>
  Object.fromEntries(results.map((r) => [r.rule.id, r.status]));

describe("rules", () => {
  it("lists every rule once, in a stable order", () => {
    expect(rules.map((r) => r.id)).toEqual([
      "CIS-4.1",
      "CIS-5.2",
      "CIS-5.4",
      "CIS-5.5",
      "CIS-5.6",
      "CIS-5.8",
      "CIS-5.10",
      "CIS-5.11",
      "CIS-5.12",
      "CIS-5.13",
      "CIS-5.14",
      "CIS-5.15",
      "CIS-5.16",
      "CIS-5.17",
      "CIS-5.18",
      "CIS-5.20",
      "CIS-5.22",
      "CIS-5.25",
      "CIS-5.26",
      "CIS-5.26-SWARM",
      "CIS-5.27",
      "CIS-5.29",
      "CIS-5.30",
      "CIS-5.31",
      "CIS-5.32",
      "SHIP-1",
      "SHIP-2",
      "SHIP-3",
      "SHIP-4",
      "SHIP-5",
      "SHIP-6",
      "SHIP-7",
      "SHIP-8",
    ]);
  });

  it("names the CIS v1.5 number in every CIS title", () => {
    const cis = rules.filter((r) => r.id.startsWith("CIS-"));
    expect(cis.filter((r) => !/v1\.5 \d+\.\d+/.test(r.title)).map((r) => r.id)).toEqual([]);
  });

  it("has exactly two gaps, each with its mitigation", () => {
    expect(rules.filter((r) => r.gap !== undefined).map((r) => r.id)).toEqual(["CIS-5.26-SWARM", "CIS-5.29"]);
  });
});

describe("evaluate", () => {
  it("passes a hardened container and service in prod, reporting the PIDs gap", () => {
    const results = evaluate([container("api-0"), service("api")], prod);
    expect(results.filter((r) => r.status !== "pass").map((r) => [r.rule.id, r.status])).toEqual([
      ["CIS-5.26-SWARM", "n/a"],
      ["CIS-5.29", "gap"],
    ]);
    expect(hasFailures(results)).toBe(false);
  });

  it("reports the swarm security-options gap on the swarm target, and not applicable elsewhere", () => {
    expect(statuses(evaluate([service("api")], prodSwarm))["CIS-5.26-SWARM"]).toBe("gap");
    expect(statuses(evaluate([service("api")], prod))["CIS-5.26-SWARM"]).toBe("n/a");
  });

  it("fails a rule with violations and lists them", () => {
    const results = evaluate([container("api-0", { privileged: true })], prod);
    expect(results.find((r) => r.rule.id === "CIS-5.5")).toEqual({
      rule: rules.find((r) => r.id === "CIS-5.5"),
      status: "fail",
      violations: [violation("Container", "api-0", "`privileged` is true; remove it (CIS 5.5)")],
    });
    expect(hasFailures(results)).toBe(true);
  });

  it("waives a rule in the environments its waiver names, keeping the violations and the reason", () => {
    const waivers: Waiver[] = [
      { rule: "CIS-5.14", reason: "dev binds all interfaces for phone testing", environments: ["dev"] },
    ];
    const web = container("web-0", { ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }] });
    const result = evaluate([web], dev, waivers).find((r) => r.rule.id === "CIS-5.14");
    expect(result?.status).toBe("waived");
    expect(result?.waiverReason).toBe("dev binds all interfaces for phone testing");
    expect(result?.violations).toHaveLength(1);
  });

  it("does not apply a waiver for another environment", () => {
    const waivers: Waiver[] = [{ rule: "CIS-5.5", reason: "debugging", environments: ["dev"] }];
    const results = evaluate(
      [container("api-0", { privileged: true })],
      { environment: "e2e", target: "container" },
      waivers,
    );
    expect(statuses(results)["CIS-5.5"]).toBe("fail");
  });

  it("rejects a waiver without a reason", () => {
    expectThrowsExactly(
      () => evaluate([], dev, [{ rule: "CIS-5.5", reason: " ", environments: ["dev"] }]),
      'Waiver for "CIS-5.5": `reason` must say why the rule does not apply, got " "',
    );
  });

  it("rejects a prod waiver, an unknown rule and an empty environment list, all at once", () => {
    expectThrowsExactly(
      () =>
        checkWaivers([
          { rule: "CIS-5.5", reason: "hotfix", environments: ["dev", "prod"] },
          { rule: "CIS-9.9", reason: "typo", environments: [] },
        ]),
      [
        'Waiver for "CIS-5.5": `environments` includes "prod"; waivers are not allowed there, fix the resource',
        'Waiver for "CIS-9.9": no such rule; use an id listed in policy/README.md',
        'Waiver for "CIS-9.9": `environments` must name at least one environment, got []',
      ].join("\n"),
    );
  });
});

describe("formatTable", () => {
  const noisy: Rule = {
    id: "T-1",
    title: "First",
    severity: "high",
    fix: "-",
    check: () => [
      violation("Container", "a", "x"),
      violation("Container", "a", "y"),
      violation("Container", "b", "z"),
    ],
  };
  const quiet: Rule = { id: "T-22", title: "Second rule", severity: "low", fix: "-", check: () => [] };
  const gap: Rule = {
    ...quiet,
    id: "T-3",
    title: "Gap",
    gap: "mitigated elsewhere",
    check: () => [violation("Service", "s", "g")],
  };

  it("aligns rule, title, status and each offending resource once, with a gap's mitigation", () => {
    const results = evaluate(
      [],
      dev,
      [{ rule: "T-1", reason: "known", environments: ["dev"] }],
      [noisy, quiet, gap],
    );
    expect(formatTable(results)).toBe(
      [
        "RULE  TITLE        STATUS  RESOURCES",
        "T-1   First        waived  Container a, Container b",
        "T-22  Second rule  pass    -",
        "T-3   Gap          gap     Service s",
        "      mitigation: mitigated elsewhere",
      ].join("\n"),
    );
  });
});
