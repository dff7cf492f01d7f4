import { describe, expect, it } from "vitest";
import {
  escapeName,
  headerLine,
  parseEntry,
  parseHeader,
  parseTrailer,
  validateExport,
} from "../src/graph-format.js";
import { FormatError } from "../src/graph-values.js";

const HEADER =
  '{"format":"shipyard-graph-export","version":1,"createdAt":"2026-11-30T03:55:00.000Z","database":"neo4j"}';
const CONSTRAINT =
  '{"kind":"constraint","name":"todo_id","statement":"CREATE CONSTRAINT `todo_id` FOR (n:`Todo`) REQUIRE (n.`id`) IS UNIQUE"}';
const NODE_A = '{"kind":"node","id":"4:db:0","labels":["Todo"],"properties":{"id":{"$int":"1"}}}';
const NODE_B = '{"kind":"node","id":"4:db:1","labels":[],"properties":{}}';
const REL = '{"kind":"relationship","type":"BLOCKS","start":"4:db:0","end":"4:db:1","properties":{}}';
const TRAILER = '{"kind":"trailer","schema":1,"nodes":2,"relationships":1}';
const VALID = [HEADER, CONSTRAINT, NODE_A, NODE_B, REL, TRAILER];

async function refusal(lines: string[]): Promise<string> {
  try {
    await validateExport(lines);
  } catch (error) {
    if (error instanceof FormatError) return error.message;
    throw error;
  }
  throw new Error("expected a FormatError");
}

describe("headerLine and parseHeader", () => {
  it("writes the header the format documents", () => {
    expect(headerLine(new Date("2026-11-30T03:55:00Z"), "neo4j")).toBe(HEADER);
  });

  it("reads it back", () => {
    expect(parseHeader(HEADER)).toEqual({
      format: "shipyard-graph-export",
      version: 1,
      createdAt: "2026-11-30T03:55:00.000Z",
      database: "neo4j",
    });
  });

  it.each<[string, string, string]>([
    [
      "a foreign JSON file",
      '{"name":"todos"}',
      'not a shipyard graph export: the first line is not a {"format":"shipyard-graph-export"} header',
    ],
    [
      "a text file",
      "hello",
      'not a shipyard graph export: the first line is not a {"format":"shipyard-graph-export"} header',
    ],
    [
      "a newer version",
      '{"format":"shipyard-graph-export","version":2,"createdAt":"x","database":"neo4j"}',
      "unsupported export version 2; this tool reads version 1",
    ],
    [
      "a missing createdAt",
      '{"format":"shipyard-graph-export","version":1,"database":"neo4j"}',
      'invalid header: "createdAt" and "database" must be strings',
    ],
  ])("rejects %s", (_name, line, message) => {
    expect(() => parseHeader(line)).toThrow(new FormatError(message));
  });
});

describe("parseTrailer", () => {
  it("reads the counts", () => {
    expect(parseTrailer(TRAILER)).toEqual({ kind: "trailer", schema: 1, nodes: 2, relationships: 1 });
  });

  it.each<[string, string, string]>([
    [
      "a body line",
      NODE_A,
      "truncated: the last line is not the export trailer, so the export did not finish; use another backup",
    ],
    [
      "half a line",
      '{"kind":"trai',
      "truncated: the last line is not the export trailer, so the export did not finish; use another backup",
    ],
    [
      "a negative count",
      '{"kind":"trailer","schema":0,"nodes":-1,"relationships":0}',
      'invalid trailer: "schema", "nodes" and "relationships" must be integers ≥ 0',
    ],
    [
      "a count as a string",
      '{"kind":"trailer","schema":0,"nodes":"2","relationships":0}',
      'invalid trailer: "schema", "nodes" and "relationships" must be integers ≥ 0',
    ],
  ])("rejects %s", (_name, line, message) => {
    expect(() => parseTrailer(line)).toThrow(new FormatError(message));
  });
});

describe("parseEntry", () => {
  it("reads each kind of body line", () => {
    expect(parseEntry(CONSTRAINT, 2)).toEqual({
      kind: "constraint",
      name: "todo_id",
      statement: "CREATE CONSTRAINT `todo_id` FOR (n:`Todo`) REQUIRE (n.`id`) IS UNIQUE",
    });
    expect(parseEntry(NODE_A, 3)).toEqual({
      kind: "node",
      id: "4:db:0",
      labels: ["Todo"],
      properties: { id: { $int: "1" } },
    });
    expect(parseEntry(REL, 5)).toEqual({
      kind: "relationship",
      type: "BLOCKS",
      start: "4:db:0",
      end: "4:db:1",
      properties: {},
    });
  });

  it.each<[string, string, string]>([
    ["invalid JSON", "{", "line 7: not valid JSON"],
    ["an array", "[]", "line 7: not a JSON object"],
    [
      "an unknown kind",
      '{"kind":"path"}',
      'line 7: expected a "kind" of constraint, index, node, relationship or trailer, got "path"',
    ],
    [
      "an index without a statement",
      '{"kind":"index","name":"i"}',
      'line 7: index needs "name" and "statement" strings',
    ],
    [
      "a node with a numeric label",
      '{"kind":"node","id":"1","labels":[1],"properties":{}}',
      'line 7: node needs an "id" string, a "labels" array of strings and a "properties" object',
    ],
    [
      "a node with the import label",
      '{"kind":"node","id":"1","labels":["__ShipyardImport"],"properties":{}}',
      "line 7: node uses the reserved label __ShipyardImport",
    ],
    [
      "a node with the import property",
      '{"kind":"node","id":"1","labels":[],"properties":{"__shipyard_import_id":"x"}}',
      "line 7: node uses the reserved property __shipyard_import_id",
    ],
    [
      "a relationship without an end",
      '{"kind":"relationship","type":"T","start":"1","properties":{}}',
      'line 7: relationship needs "type", "start" and "end" strings and a "properties" object',
    ],
  ])("rejects %s", (_name, line, message) => {
    expect(() => parseEntry(line, 7)).toThrow(new FormatError(message));
  });
});

describe("validateExport", () => {
  it("returns the header and trailer of a complete file", async () => {
    await expect(validateExport(VALID)).resolves.toEqual({
      header: parseHeader(HEADER),
      trailer: { kind: "trailer", schema: 1, nodes: 2, relationships: 1 },
    });
  });

  it("accepts an export of an empty database", async () => {
    const trailer = '{"kind":"trailer","schema":0,"nodes":0,"relationships":0}';
    await expect(validateExport([HEADER, trailer])).resolves.toMatchObject({ trailer: { nodes: 0 } });
  });

  it("reads an async stream of lines", async () => {
    async function* stream(): AsyncGenerator<string> {
      for (const line of VALID) yield await Promise.resolve(line);
    }
    await expect(validateExport(stream())).resolves.toMatchObject({ trailer: { relationships: 1 } });
  });

  it.each<[string, string[], string]>([
    ["an empty file", [], "the file is empty; not a shipyard graph export"],
    [
      "a foreign file",
      ["id,title", "1,milk"],
      'not a shipyard graph export: the first line is not a {"format":"shipyard-graph-export"} header',
    ],
    [
      "a header alone",
      [HEADER],
      "truncated: the last line is not the export trailer, so the export did not finish; use another backup",
    ],
    [
      "a file cut after a node",
      [HEADER, CONSTRAINT, NODE_A],
      "truncated: the last line is not the export trailer, so the export did not finish; use another backup",
    ],
    [
      "a file cut inside a line",
      [HEADER, CONSTRAINT, NODE_A, NODE_B, '{"kind":"relationship","type":"BL'],
      "truncated: the last line is not the export trailer, so the export did not finish; use another backup",
    ],
    [
      "a trailer that counts more nodes than the file holds",
      [HEADER, CONSTRAINT, NODE_A, REL, TRAILER],
      "the trailer counts 1 schema, 2 nodes and 1 relationships, but the file holds 1 schema, 1 nodes and 1 relationships; the file is damaged",
    ],
    [
      "a trailer in the middle",
      [HEADER, NODE_A, TRAILER, NODE_B, TRAILER],
      "line 3: trailer before the end of the file",
    ],
    [
      "a node after the relationships",
      [HEADER, NODE_A, REL, NODE_B, TRAILER],
      "line 4: node after relationships; the order is schema, nodes, relationships",
    ],
    [
      "a constraint after the nodes",
      [HEADER, NODE_A, CONSTRAINT, TRAILER],
      "line 3: constraint after nodes; the order is schema, nodes, relationships",
    ],
    [
      "a bad property value",
      [HEADER, '{"kind":"node","id":"4:db:0","labels":[],"properties":{"n":{"$int":"x"}}}', TRAILER],
      'line 2: node 4:db:0 property "n": invalid $int value "x"',
    ],
    ["a blank line", [HEADER, NODE_A, "", TRAILER], "line 3: not valid JSON"],
  ])("rejects %s", async (_name, lines, message) => {
    await expect(refusal(lines)).resolves.toBe(message);
  });
});

describe("escapeName", () => {
  it.each([
    ["Todo", "`Todo`"],
    ["has space", "`has space`"],
    ["back`tick", "`back``tick`"],
    ["``", "``````"],
    ["a\\u0060b", "`a\\u005Cu0060b`"],
    ["a\\u0060) DETACH DELETE n //", "`a\\u005Cu0060) DETACH DELETE n //`"],
  ])("escapes %j as %s", (name, escaped) => {
    expect(escapeName(name)).toBe(escaped);
  });
});
