import { describe, expect, it } from "vitest";
import { ComponentArgError, dnsLabelError, isDnsLabel, toLabelList } from "../../components/naming";

describe("isDnsLabel", () => {
  it.each([
    ["a", true],
    ["api", true],
    ["api-0", true],
    ["0api", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["", false],
    ["-api", false],
    ["api-", false],
    ["Api", false],
    ["api_db", false],
    ["api.db", false],
    ["api db", false],
  ])("%j → %s", (name, expected) => {
    expect(isDnsLabel(name)).toBe(expected);
  });
});

describe("dnsLabelError", () => {
  it("names the rule and the value received", () => {
    expect(dnsLabelError("Api_1")).toBe(
      `must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-'), got "Api_1"`,
    );
  });
});

describe("ComponentArgError", () => {
  it("names the component kind, the component, the field and the problem", () => {
    const error = new ComponentArgError("Service", "api", "replicas", "must be an integer ≥ 1, got 0");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ComponentArgError");
    expect(error.message).toBe('Service "api": `replicas` must be an integer ≥ 1, got 0');
  });
});

describe("toLabelList", () => {
  it("lists labels sorted by key, whatever the insertion order", () => {
    expect(toLabelList({ "shipyard.z": "1", a: "2", "shipyard.a": "3" })).toEqual([
      { label: "a", value: "2" },
      { label: "shipyard.a", value: "3" },
      { label: "shipyard.z", value: "1" },
    ]);
  });

  it("lists no labels for an empty map", () => {
    expect(toLabelList({})).toEqual([]);
  });
});
