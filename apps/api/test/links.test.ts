import { beforeEach, describe, expect, it } from "vitest";
import {
  graphFailureReason,
  linkedIds,
  parseLinkPath,
  validateNewLink,
  withoutStaleIds,
} from "../src/links.js";
import { MemoryGraphStore } from "../src/memory-graph-store.js";

describe("validateNewLink", () => {
  it.each<[unknown, unknown]>([
    [
      { type: "blocks", target: 2 },
      { type: "blocks", target: 2 },
    ],
    [
      { type: "relates_to", target: 2_147_483_647 },
      { type: "relates_to", target: 2_147_483_647 },
    ],
  ])("accepts %j", (body, value) => {
    expect(validateNewLink(body, 1)).toEqual({ ok: true, value });
  });

  it.each<[string, unknown, string]>([
    ["null", null, "request body must be a JSON object"],
    ["an array", [{ type: "blocks", target: 2 }], "request body must be a JSON object"],
    ["a missing type", { target: 2 }, "type is required"],
    ["an unknown type", { type: "blocked_by", target: 2 }, 'type must be "blocks" or "relates_to"'],
    ["an upper-case type", { type: "BLOCKS", target: 2 }, 'type must be "blocks" or "relates_to"'],
    ["a missing target", { type: "blocks" }, "target is required"],
    ["a string target", { type: "blocks", target: "2" }, "target must be a positive integer"],
    ["a fractional target", { type: "blocks", target: 2.5 }, "target must be a positive integer"],
    ["target 0", { type: "blocks", target: 0 }, "target must be a positive integer"],
    [
      "a target past the id range",
      { type: "blocks", target: 2_147_483_648 },
      "target must be a positive integer",
    ],
    ["a link to itself", { type: "relates_to", target: 1 }, "a todo cannot be linked to itself"],
    [
      "an unknown field",
      { type: "blocks", target: 2, note: "x" },
      'unknown field "note"; allowed: type, target',
    ],
  ])("rejects %s", (_case, body, error) => {
    expect(validateNewLink(body, 1)).toEqual({ ok: false, error });
  });
});

describe("parseLinkPath", () => {
  it("parses a type and a target id", () => {
    expect(parseLinkPath("relates_to", "12")).toEqual({
      ok: true,
      value: { type: "relates_to", target: 12 },
    });
  });

  it.each<[string, string, string]>([
    ["blocked_by", "2", 'link type must be "blocks" or "relates_to"'],
    ["blocks", "0", "target must be a positive integer"],
    ["blocks", "x", "target must be a positive integer"],
  ])("rejects %j and %j", (type, target, error) => {
    expect(parseLinkPath(type, target)).toEqual({ ok: false, error });
  });
});

describe("linkedIds and withoutStaleIds", () => {
  const links = { blocks: [2, 3], blockedBy: [4], relatesTo: [3, 5] };

  it("lists every linked id once", () => {
    expect(linkedIds(links)).toEqual([2, 3, 4, 5]);
  });

  it("drops ids that are not in the existing set from every list", () => {
    expect(withoutStaleIds(links, new Set([2, 5]))).toEqual({ blocks: [2], blockedBy: [], relatesTo: [5] });
  });
});

describe("graphFailureReason", () => {
  it.each<[string, unknown, string]>([
    [
      "the driver's code rather than its message",
      Object.assign(new Error("Could not connect to 10.0.0.9:7687"), { code: "ServiceUnavailable" }),
      "ServiceUnavailable",
    ],
    ["the message of an error without a code", new Error("graph check timed out"), "graph check timed out"],
    ["the message of an error with an empty code", Object.assign(new Error("boom"), { code: "" }), "boom"],
    [
      "the message when the driver's code is its N/A placeholder",
      Object.assign(new Error("Connection acquisition timed out in 3000 ms."), { code: "N/A" }),
      "Connection acquisition timed out in 3000 ms.",
    ],
    ["a thrown string", "gone", "gone"],
  ])("gives %s", (_case, error, reason) => {
    expect(graphFailureReason(error)).toBe(reason);
  });
});

describe("MemoryGraphStore", () => {
  let graph: MemoryGraphStore;

  beforeEach(() => {
    graph = new MemoryGraphStore();
  });

  it("reads blocks in both directions and relates_to from either end, ids ascending", async () => {
    await graph.link("blocks", 1, 3);
    await graph.link("blocks", 1, 2);
    await graph.link("blocks", 4, 1);
    await graph.link("relates_to", 5, 1);
    await graph.link("relates_to", 1, 2);
    expect(await graph.links(1)).toEqual({ blocks: [2, 3], blockedBy: [4], relatesTo: [2, 5] });
    expect(await graph.links(5)).toEqual({ blocks: [], blockedBy: [], relatesTo: [1] });
    expect(await graph.links(9)).toEqual({ blocks: [], blockedBy: [], relatesTo: [] });
  });

  it("stores a link once, relates_to whichever way round it is added again", async () => {
    expect(await graph.link("relates_to", 1, 2)).toBe("created");
    expect(await graph.link("relates_to", 2, 1)).toBe("exists");
    expect(await graph.link("blocks", 1, 2)).toBe("created");
    expect(await graph.link("blocks", 1, 2)).toBe("exists");
    expect(graph.relationships()).toEqual(["1-RELATES_TO->2", "1-BLOCKS->2"]);
  });

  it("rejects a blocks link that would close a cycle, directly or transitively", async () => {
    await graph.link("blocks", 1, 2);
    await graph.link("blocks", 2, 3);
    expect(await graph.link("blocks", 2, 1)).toBe("cycle");
    expect(await graph.link("blocks", 3, 1)).toBe("cycle");
    expect(graph.relationships()).toEqual(["1-BLOCKS->2", "2-BLOCKS->3"]);
  });

  it("allows relates_to against the direction of blocks, which is no cycle", async () => {
    await graph.link("blocks", 1, 2);
    expect(await graph.link("relates_to", 2, 1)).toBe("created");
  });

  it("lists transitively blocked ids nearest first, then by id, each once", async () => {
    await graph.link("blocks", 1, 5);
    await graph.link("blocks", 1, 3);
    await graph.link("blocks", 3, 4);
    await graph.link("blocks", 5, 2);
    await graph.link("blocks", 3, 2);
    await graph.link("relates_to", 1, 9);
    expect(await graph.blocked(1)).toEqual([3, 5, 2, 4]);
    expect(await graph.blocked(4)).toEqual([]);
  });

  it("unlinks blocks only in its direction and relates_to either way round", async () => {
    await graph.link("blocks", 1, 2);
    await graph.link("relates_to", 1, 3);
    expect(await graph.unlink("blocks", 2, 1)).toBe(false);
    expect(await graph.unlink("relates_to", 3, 1)).toBe(true);
    expect(await graph.unlink("relates_to", 3, 1)).toBe(false);
    expect(await graph.unlink("blocks", 1, 2)).toBe(true);
    expect(graph.relationships()).toEqual([]);
  });

  it("removes every link of a removed id", async () => {
    await graph.link("blocks", 1, 2);
    await graph.link("blocks", 3, 1);
    await graph.link("relates_to", 4, 1);
    await graph.link("blocks", 2, 4);
    await graph.remove(1);
    expect(graph.relationships()).toEqual(["2-BLOCKS->4"]);
  });

  it("rejects every call with the failure that is set", async () => {
    graph.failure = new Error("down");
    await expect(graph.links(1)).rejects.toThrow("down");
    await expect(graph.link("blocks", 1, 2)).rejects.toThrow("down");
    await expect(graph.ping()).rejects.toThrow("down");
  });
});
