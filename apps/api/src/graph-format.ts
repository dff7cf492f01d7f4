/**
 * The graph export file: JSON Lines, one JSON object a line, in this order:
 *
 *   header · constraint and index lines · node lines · relationship lines · trailer
 *
 * The trailer carries the counts, so a file cut short (disk full, container killed) is refused on
 * restore instead of loading half a graph. Pure: no driver, no file system.
 */
import { decodeProperties, FormatError, isObject, type Json } from "./graph-values.js";

export const FORMAT = "shipyard-graph-export";
export const FORMAT_VERSION = 1;

export interface ExportHeader {
  readonly format: typeof FORMAT;
  readonly version: number;
  /** ISO 8601, UTC: when the export started. */
  readonly createdAt: string;
  readonly database: string;
}

/** A `createStatement` from `SHOW CONSTRAINTS` or `SHOW INDEXES`, replayed verbatim on restore. */
export interface SchemaEntry {
  readonly kind: "constraint" | "index";
  readonly name: string;
  readonly statement: string;
}

export interface NodeEntry {
  readonly kind: "node";
  /** The node's elementId in the exported database; only relationship lines refer to it. */
  readonly id: string;
  readonly labels: readonly string[];
  readonly properties: Record<string, Json>;
}

export interface RelationshipEntry {
  readonly kind: "relationship";
  readonly type: string;
  readonly start: string;
  readonly end: string;
  readonly properties: Record<string, Json>;
}

export interface ExportTrailer {
  readonly kind: "trailer";
  readonly schema: number;
  readonly nodes: number;
  readonly relationships: number;
}

export type ExportEntry = SchemaEntry | NodeEntry | RelationshipEntry;

/** Names restore uses while it runs; an export using them cannot be restored. */
export const IMPORT_LABEL = "__ShipyardImport";
export const IMPORT_ID = "__shipyard_import_id";
export const IMPORT_INDEX = "shipyard_import_id";

const TRUNCATED =
  "truncated: the last line is not the export trailer, so the export did not finish; use another backup";

export function headerLine(createdAt: Date, database: string): string {
  const header: ExportHeader = {
    format: FORMAT,
    version: FORMAT_VERSION,
    createdAt: createdAt.toISOString(),
    database,
  };
  return JSON.stringify(header);
}

export function parseHeader(line: string): ExportHeader {
  const value = parseJson(line);
  if (!isObject(value) || value["format"] !== FORMAT) {
    throw new FormatError(
      `not a shipyard graph export: the first line is not a {"format":"${FORMAT}"} header`,
    );
  }
  if (value["version"] !== FORMAT_VERSION) {
    throw new FormatError(
      `unsupported export version ${JSON.stringify(value["version"])}; this tool reads version ${FORMAT_VERSION}`,
    );
  }
  if (typeof value["createdAt"] !== "string" || typeof value["database"] !== "string") {
    throw new FormatError('invalid header: "createdAt" and "database" must be strings');
  }
  return value as unknown as ExportHeader;
}

/** The trailer of the file's last line; a missing or malformed one means the file was cut short. */
export function parseTrailer(line: string): ExportTrailer {
  const value = parseJson(line);
  if (!isObject(value) || value["kind"] !== "trailer") throw new FormatError(TRUNCATED);
  const counts = [value["schema"], value["nodes"], value["relationships"]];
  if (!counts.every((count) => typeof count === "number" && Number.isSafeInteger(count) && count >= 0)) {
    throw new FormatError('invalid trailer: "schema", "nodes" and "relationships" must be integers ≥ 0');
  }
  return value as unknown as ExportTrailer;
}

/** Checks the shape of one body line (not its property values: {@link decodeProperties} does). */
export function parseEntry(line: string, lineNumber: number): ExportEntry | ExportTrailer {
  const fail = (message: string): never => {
    throw new FormatError(`line ${lineNumber}: ${message}`);
  };
  const value = parseJson(line);
  if (value === undefined) fail("not valid JSON");
  if (!isObject(value)) return fail("not a JSON object");
  const kind = value["kind"];
  switch (kind) {
    case "constraint":
    case "index":
      if (typeof value["name"] !== "string" || typeof value["statement"] !== "string") {
        fail(`${kind} needs "name" and "statement" strings`);
      }
      return value as unknown as SchemaEntry;
    case "node": {
      const labels = value["labels"];
      if (
        typeof value["id"] !== "string" ||
        !Array.isArray(labels) ||
        !labels.every((label) => typeof label === "string") ||
        !isObject(value["properties"])
      ) {
        fail('node needs an "id" string, a "labels" array of strings and a "properties" object');
      }
      if ((labels as string[]).includes(IMPORT_LABEL)) fail(`node uses the reserved label ${IMPORT_LABEL}`);
      if (IMPORT_ID in (value["properties"] as object)) fail(`node uses the reserved property ${IMPORT_ID}`);
      return value as unknown as NodeEntry;
    }
    case "relationship":
      if (
        typeof value["type"] !== "string" ||
        typeof value["start"] !== "string" ||
        typeof value["end"] !== "string" ||
        !isObject(value["properties"])
      ) {
        fail('relationship needs "type", "start" and "end" strings and a "properties" object');
      }
      return value as unknown as RelationshipEntry;
    case "trailer":
      return parseTrailer(line);
    default:
      return fail(
        `expected a "kind" of constraint, index, node, relationship or trailer, got ${JSON.stringify(kind)}`,
      );
  }
}

const ORDER = { constraint: 0, index: 0, node: 1, relationship: 2 } as const;

/**
 * Reads a whole export without touching a database: header first, then every line's shape and
 * property values, the order (schema, nodes, relationships) and finally the trailer's counts.
 * Restore runs this before writing anything, so a damaged file never leaves a half graph.
 */
export async function validateExport(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<{ header: ExportHeader; trailer: ExportTrailer }> {
  let header: ExportHeader | undefined;
  let previous: string | undefined;
  let lineNumber = 0;
  const seen = { schema: 0, nodes: 0, relationships: 0 };
  let phase = 0;

  // One line of lookahead: only the last line may (and must) be the trailer.
  const check = (line: string, at: number): void => {
    const entry = parseEntry(line, at);
    if (entry.kind === "trailer") throw new FormatError(`line ${at}: trailer before the end of the file`);
    const order = ORDER[entry.kind];
    if (order < phase) {
      throw new FormatError(
        `line ${at}: ${entry.kind} after ${phase === 2 ? "relationships" : "nodes"}; the order is schema, nodes, relationships`,
      );
    }
    phase = order;
    if (entry.kind === "node") {
      decodeProperties(entry.properties, `line ${at}: node ${entry.id}`);
      seen.nodes++;
    } else if (entry.kind === "relationship") {
      decodeProperties(entry.properties, `line ${at}: relationship ${entry.type}`);
      seen.relationships++;
    } else {
      seen.schema++;
    }
  };

  for await (const line of lines) {
    lineNumber++;
    if (header === undefined) {
      header = parseHeader(line);
      continue;
    }
    if (previous !== undefined) check(previous, lineNumber - 1);
    previous = line;
  }
  if (header === undefined) throw new FormatError("the file is empty; not a shipyard graph export");
  if (previous === undefined) throw new FormatError(TRUNCATED);
  // A body line at the end, or a half-written one, means the export stopped early.
  const trailer = parseTrailer(previous);
  if (
    trailer.schema !== seen.schema ||
    trailer.nodes !== seen.nodes ||
    trailer.relationships !== seen.relationships
  ) {
    throw new FormatError(
      `the trailer counts ${counts(trailer)}, but the file holds ${counts(seen)}; the file is damaged`,
    );
  }
  return { header, trailer };
}

function counts(value: { schema: number; nodes: number; relationships: number }): string {
  return `${value.schema} schema, ${value.nodes} nodes and ${value.relationships} relationships`;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A label or relationship type in query text, where they cannot be parameters. Backticks are
 * doubled; backslashes become `\u005C` because Neo4j 5 expands `\uXXXX` escapes before parsing,
 * so a name containing the text `\u0060` would otherwise end the quoting and inject Cypher.
 */
export function escapeName(name: string): string {
  return `\`${name.replaceAll("`", "``").replaceAll("\\", "\\u005C")}\``;
}
