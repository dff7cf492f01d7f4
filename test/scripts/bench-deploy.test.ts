import { describe, expect, it } from "vitest";
import {
  allHealthy,
  formatSeconds,
  median,
  parseContainers,
  parseDeployBenchArgs,
  renderTable,
  touchedServices,
} from "../../scripts/bench/deploy-report";

describe("bench:deploy's command line", () => {
  it.each([
    [[], { rounds: 3, from: "dev", keep: false }],
    [["--rounds", "5"], { rounds: 5, from: "dev", keep: false }],
    [["--from", "prod", "--keep", "--rounds", "1"], { rounds: 1, from: "prod", keep: true }],
  ])("parses %j", (argv, expected) => {
    expect(parseDeployBenchArgs(argv)).toEqual(expected);
  });

  it.each([
    [["--rounds"], "--rounds takes an integer ≥ 1, got undefined"],
    [["--rounds", "0"], "--rounds takes an integer ≥ 1, got 0"],
    [["--rounds", "2.5"], "--rounds takes an integer ≥ 1, got 2.5"],
    [["--from"], "--from takes a stack name"],
    [["--from", "--keep"], "--from takes a stack name"],
    [["dev"], 'unknown argument "dev"'],
  ])("rejects %j", (argv, reason) => {
    expect(parseDeployBenchArgs(argv)).toBe(reason);
  });
});

describe("bench:deploy's statistics", () => {
  it.each([
    [[4], 4],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])("median of %j is %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it("rejects the median of nothing", () => {
    expect(() => median([])).toThrow("median of no values");
  });

  it.each([
    [[33.34, 33.21, 33.5], "33.3 (33.2–33.5)"],
    [[1.62], "1.6"],
    [[1.61, 1.64], "1.6"],
  ])("formats %j as %s", (values, expected) => {
    expect(formatSeconds(values)).toBe(expected);
  });
});

describe("bench:deploy's table", () => {
  it("prints medians with ranges, the ratio of the medians and whether its goal is met", () => {
    expect(
      renderTable([
        { label: "cold deploy", compose: [33.3, 33.2, 33.5], shipyard: [39, 38, 41], goal: 1.2 },
        { label: "teardown", compose: [1.2], shipyard: [8.5], goal: 3 },
      ]),
    ).toBe(
      [
        "| scenario    | Compose (s)      | shipyard (s)     | ratio | goal         |",
        "|-------------|------------------|------------------|-------|--------------|",
        "| cold deploy | 33.3 (33.2–33.5) | 39.0 (38.0–41.0) | 1.17× | ≤ 1.2×: met  |",
        "| teardown    | 1.2              | 8.5              | 7.08× | ≤ 3×: missed |",
      ].join("\n"),
    );
  });
});

describe("bench:deploy's check of what a change touched", () => {
  const snapshot = (text: string) => parseContainers(text);

  it("reads name, id and service label, a missing label as -", () => {
    expect([...snapshot("api-0-1 aaa api\napi-files bbb\n\n")]).toEqual([
      ["api-0-1", { id: "aaa", service: "api" }],
      ["api-files", { id: "bbb", service: "-" }],
    ]);
  });

  it("names the services whose containers were created, removed or replaced", () => {
    const before = snapshot("api-0-1 aaa api\nweb-0-1 bbb web\nredis-0-1 ccc redis");
    const after = snapshot("api-0-2 ddd api\nweb-0-1 bbb web\nredis-0-1 eee redis\ngraph-0-1 fff graph");
    expect(touchedServices(before, after)).toEqual(["api", "graph", "redis"]);
  });

  it("names none when nothing changed", () => {
    const same = snapshot("api-0-1 aaa api\nweb-0-1 bbb web");
    expect(touchedServices(same, snapshot("web-0-1 bbb web\napi-0-1 aaa api"))).toEqual([]);
  });
});

describe("allHealthy", () => {
  it.each([
    ["Up 12 seconds (healthy)\nUp 3 minutes (healthy)\n", true],
    ["Up 12 seconds (healthy)\nUp 2 seconds (health: starting)\n", false],
    ["Up 40 seconds (unhealthy)\n", false],
    ["Up 5 seconds\n", false],
    ["", false],
  ])("%j → %s", (lines, expected) => {
    expect(allHealthy(lines)).toBe(expected);
  });
});
