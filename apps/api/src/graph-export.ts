/**
 * Online logical backup of a Neo4j graph through the official driver. Neo4j Community has no
 * online `neo4j-admin database backup`, so the graph is read with Cypher while it serves traffic
 * and written in the format of graph-format.ts; restore loads such a file into an empty database.
 */
import neo4j, { int, type Driver, type Integer, type Session } from "neo4j-driver";
import {
  escapeName,
  headerLine,
  IMPORT_ID,
  IMPORT_INDEX,
  IMPORT_LABEL,
  parseEntry,
  validateExport,
  type ExportTrailer,
  type NodeEntry,
  type RelationshipEntry,
} from "./graph-format.js";
import { decodeProperties, encodeProperties } from "./graph-values.js";

/** Community edition has exactly one user database. */
export const DEFAULT_DATABASE = "neo4j";

const toNumber = neo4j.integer.toNumber;

export interface ExportSummary {
  readonly schema: number;
  readonly nodes: number;
  readonly relationships: number;
  /** Relationships to nodes created after the node pass; see {@link exportGraph}. */
  readonly skippedRelationships: number;
}

export interface ExportOptions {
  /** @default "neo4j" */
  readonly database?: string;
  /** @default - the system clock */
  readonly now?: () => Date;
  /** Stops the export between records. */
  readonly signal?: AbortSignal;
}

/** Appends one line (without its newline) to the export; resolves when it may be called again. */
export type WriteLine = (line: string) => Promise<void>;

/** Records per round trip: a few hundred kilobytes of rows in flight, not the whole graph. */
const FETCH_SIZE = 500;

/**
 * Streams the graph to `write`, one line at a time. Neo4j reads are read-committed, not a snapshot,
 * so a relationship created during the export may point at a node created after the node pass;
 * such relationships are left out (and counted) so every export restores. The set of exported node
 * ids is the only thing kept in memory: about 100 bytes per node.
 */
export async function exportGraph(
  driver: Driver,
  write: WriteLine,
  options: ExportOptions = {},
): Promise<ExportSummary> {
  const database = options.database ?? DEFAULT_DATABASE;
  const now = options.now ?? (() => new Date());
  const session = driver.session({ database, defaultAccessMode: neo4j.session.READ, fetchSize: FETCH_SIZE });
  const stream = async function* <R extends Record<string, unknown>>(query: string) {
    for await (const record of session.run<R>(query)) {
      options.signal?.throwIfAborted();
      yield record.toObject();
    }
  };
  try {
    await write(headerLine(now(), database));

    let schema = 0;
    const constraints = stream<{ name: string; createStatement: string }>(
      "SHOW CONSTRAINTS YIELD name, createStatement RETURN name, createStatement ORDER BY name",
    );
    for await (const { name, createStatement } of constraints) {
      await write(JSON.stringify({ kind: "constraint", name, statement: createStatement }));
      schema++;
    }
    // Lookup indexes exist in every database, and constraint-backed ones come with their constraint.
    const indexes = stream<{ name: string; createStatement: string }>(
      `SHOW INDEXES YIELD name, type, owningConstraint, createStatement
       WHERE type <> 'LOOKUP' AND owningConstraint IS NULL AND name <> '${IMPORT_INDEX}'
       RETURN name, createStatement ORDER BY name`,
    );
    for await (const { name, createStatement } of indexes) {
      await write(JSON.stringify({ kind: "index", name, statement: createStatement }));
      schema++;
    }

    const exported = new Set<string>();
    const nodes = stream<{ id: string; labels: string[]; properties: Record<string, unknown> }>(
      "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS properties",
    );
    for await (const { id, labels, properties } of nodes) {
      const entry: NodeEntry = {
        kind: "node",
        id,
        labels,
        properties: encodeProperties(properties, `node ${id}`),
      };
      await write(JSON.stringify(entry));
      exported.add(id);
    }

    let relationships = 0;
    let skippedRelationships = 0;
    const rels = stream<{ type: string; start: string; end: string; properties: Record<string, unknown> }>(
      `MATCH (a)-[r]->(b)
       RETURN type(r) AS type, elementId(a) AS start, elementId(b) AS end, properties(r) AS properties`,
    );
    for await (const { type, start, end, properties } of rels) {
      if (!exported.has(start) || !exported.has(end)) {
        skippedRelationships++;
        continue;
      }
      const owner = `relationship ${type} from ${start}`;
      const entry: RelationshipEntry = {
        kind: "relationship",
        type,
        start,
        end,
        properties: encodeProperties(properties, owner),
      };
      await write(JSON.stringify(entry));
      relationships++;
    }

    const trailer: ExportTrailer = { kind: "trailer", schema, nodes: exported.size, relationships };
    await write(JSON.stringify(trailer));
    return { schema, nodes: exported.size, relationships, skippedRelationships };
  } finally {
    await session.close();
  }
}

/** The target database is not empty; nothing has been written. */
export class DatabaseNotEmptyError extends Error {
  constructor(database: string, unfinishedRestore: boolean) {
    super(
      `the database "${database}" already has nodes${unfinishedRestore ? " (from a restore that did not finish)" : ""}; ` +
        `restore loads into an empty database only. Empty it (this deletes every node and relationship): ${EMPTY_DATABASE}`,
    );
    this.name = "DatabaseNotEmptyError";
  }
}

/** How to empty the database, for messages: in batches, as one transaction may not fit in memory. */
export const EMPTY_DATABASE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS";

/** Restore failed after it started writing; the database holds part of the export. */
export class RestoreIncompleteError extends Error {
  constructor(progress: { nodes: number; relationships: number }, cause: unknown) {
    super(
      `restore failed after loading ${progress.nodes} nodes and ${progress.relationships} relationships: ` +
        `${cause instanceof Error ? cause.message : String(cause)}. The database is partially restored; ` +
        `empty it (${EMPTY_DATABASE}) and restore again`,
      { cause },
    );
    this.name = "RestoreIncompleteError";
  }
}

export interface RestoreSummary {
  /** Schema statements run, and those skipped because the database already had them. */
  readonly schemaCreated: number;
  readonly schemaPresent: number;
  readonly nodes: number;
  readonly relationships: number;
}

export interface RestoreOptions {
  /** @default "neo4j" */
  readonly database?: string;
  /** Rows per transaction. @default 1000 */
  readonly batchSize?: number;
  /** Stops between batches; the database is then partially restored. */
  readonly signal?: AbortSignal;
}

/** Bounds memory when property values are large: pending rows are flushed past this many bytes. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
const CLEANUP_BATCH = 10_000;
/** Seconds to wait for new indexes to come online. */
const INDEX_WAIT_SECONDS = 300;

/**
 * Loads an export into an empty database: validates the whole file, creates the schema, then
 * nodes in batches per label set and relationships in batches per type, matching endpoints
 * through a temporary indexed property that is removed at the end, and finally checks the
 * database's counts against the trailer. `openLines` is called twice (validation, then load).
 */
export async function restoreGraph(
  driver: Driver,
  openLines: () => AsyncIterable<string>,
  options: RestoreOptions = {},
): Promise<RestoreSummary> {
  const database = options.database ?? DEFAULT_DATABASE;
  const { trailer } = await validateExport(openLines());

  const session = driver.session({ database, defaultAccessMode: neo4j.session.WRITE });
  try {
    await refuseNonEmpty(session, database);
    const existing = await schemaStatements(session);
    await session.run(
      `CREATE INDEX ${IMPORT_INDEX} IF NOT EXISTS FOR (n:${IMPORT_LABEL}) ON (n.${IMPORT_ID})`,
    );
    await session.run(`CALL db.awaitIndex('${IMPORT_INDEX}', ${INDEX_WAIT_SECONDS})`);

    const loader = new BatchLoader(session, options.batchSize ?? 1000, options.signal);
    try {
      const schemaCreated = await load(session, openLines(), existing, loader);
      await removeImportMarkers(session);
      await verifyCounts(session, trailer);
      await verifyNames(session, loader);
      return {
        schemaCreated,
        schemaPresent: trailer.schema - schemaCreated,
        nodes: loader.nodes,
        relationships: loader.relationships,
      };
    } catch (error) {
      throw new RestoreIncompleteError(loader, error);
    }
  } finally {
    await session.close();
  }
}

/** Runs the schema lines and loads the body; returns how many schema statements were run. */
async function load(
  session: Session,
  lines: AsyncIterable<string>,
  existing: ReadonlySet<string>,
  loader: BatchLoader,
): Promise<number> {
  let schemaCreated = 0;
  let phase: "schema" | "nodes" | "relationships" = "schema";
  let lineNumber = 0;
  for await (const line of lines) {
    if (++lineNumber === 1) continue; // the header, checked by validateExport
    const entry = parseEntry(line, lineNumber);
    switch (entry.kind) {
      case "constraint":
      case "index":
        if (existing.has(entry.statement)) break;
        try {
          await session.run(entry.statement);
        } catch (error) {
          throw new Error(`creating ${entry.kind} ${entry.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        schemaCreated++;
        break;
      case "node":
        if (phase === "schema") {
          await session.run(`CALL db.awaitIndexes(${INDEX_WAIT_SECONDS})`);
          phase = "nodes";
        }
        await loader.addNode(entry, line.length);
        break;
      case "relationship":
        // Every endpoint must exist before the first relationship batch runs.
        if (phase !== "relationships") await loader.flushAll();
        phase = "relationships";
        await loader.addRelationship(entry, line.length);
        break;
      case "trailer":
        break;
    }
  }
  await loader.flushAll();
  if (phase === "schema") await session.run(`CALL db.awaitIndexes(${INDEX_WAIT_SECONDS})`);
  return schemaCreated;
}

interface Batch {
  readonly query: string;
  readonly kind: "node" | "relationship";
  rows: Record<string, unknown>[];
  bytes: number;
}

/**
 * Collects rows into one batch per query text: labels and relationship types are part of the
 * text (they cannot be parameters), so the query identifies the label set or type. Each batch
 * runs in its own transaction once it is full or the rows held in memory grow too large.
 */
class BatchLoader {
  nodes = 0;
  relationships = 0;
  readonly labels = new Set<string>();
  readonly types = new Set<string>();
  private readonly batches = new Map<string, Batch>();
  private pendingBytes = 0;

  constructor(
    private readonly session: Session,
    private readonly batchSize: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  addNode(entry: NodeEntry, bytes: number): Promise<void> {
    for (const label of entry.labels) this.labels.add(label);
    const labels = [...entry.labels, IMPORT_LABEL]
      .sort()
      .map((label) => `:${escapeName(label)}`)
      .join("");
    const query = `UNWIND $rows AS row CREATE (n${labels} {${IMPORT_ID}: row.id}) SET n += row.properties`;
    const properties = decodeProperties(entry.properties, `node ${entry.id}`);
    return this.add(query, "node", { id: entry.id, properties }, bytes);
  }

  addRelationship(entry: RelationshipEntry, bytes: number): Promise<void> {
    this.types.add(entry.type);
    const query = `UNWIND $rows AS row
      MATCH (a:${IMPORT_LABEL} {${IMPORT_ID}: row.start})
      MATCH (b:${IMPORT_LABEL} {${IMPORT_ID}: row.end})
      CREATE (a)-[r:${escapeName(entry.type)}]->(b) SET r = row.properties`;
    const properties = decodeProperties(entry.properties, `relationship ${entry.type}`);
    return this.add(query, "relationship", { start: entry.start, end: entry.end, properties }, bytes);
  }

  async flushAll(): Promise<void> {
    for (const batch of this.batches.values()) await this.flush(batch);
  }

  private async add(
    query: string,
    kind: Batch["kind"],
    row: Record<string, unknown>,
    bytes: number,
  ): Promise<void> {
    let batch = this.batches.get(query);
    if (batch === undefined) {
      batch = { query, kind, rows: [], bytes: 0 };
      this.batches.set(query, batch);
    }
    batch.rows.push(row);
    batch.bytes += bytes;
    this.pendingBytes += bytes;
    if (batch.rows.length >= this.batchSize) await this.flush(batch);
    if (this.pendingBytes > MAX_PENDING_BYTES) await this.flushAll();
  }

  private async flush(batch: Batch): Promise<void> {
    const rows = batch.rows;
    if (rows.length === 0) return;
    this.signal?.throwIfAborted();
    this.pendingBytes -= batch.bytes;
    batch.rows = [];
    batch.bytes = 0;
    const result = await this.session.executeWrite((tx) => tx.run(batch.query, { rows }));
    const counters = result.summary.counters.updates();
    if (batch.kind === "node") {
      this.nodes += counters.nodesCreated;
      return;
    }
    if (counters.relationshipsCreated !== rows.length) {
      const missing = rows.length - counters.relationshipsCreated;
      throw new Error(`${missing} relationships in a batch point at nodes that are not in the export`);
    }
    this.relationships += counters.relationshipsCreated;
  }
}

/** What the database already has, so restoring into one whose API created its schema still works. */
async function schemaStatements(session: Session): Promise<Set<string>> {
  const statements = new Set<string>();
  for (const command of ["SHOW CONSTRAINTS", "SHOW INDEXES"]) {
    const result = await session.run<{ statement: string }>(`${command} YIELD createStatement AS statement`);
    for (const record of result.records) statements.add(record.get("statement"));
  }
  return statements;
}

async function refuseNonEmpty(session: Session, database: string): Promise<void> {
  const probe = await session.run<{ restoring: boolean }>(
    `MATCH (n) WITH n LIMIT 1 RETURN n:${IMPORT_LABEL} AS restoring`,
  );
  const first = probe.records[0];
  if (first !== undefined) throw new DatabaseNotEmptyError(database, first.get("restoring"));
}

/** In bounded transactions, so a large graph does not need one huge transaction state. */
async function removeImportMarkers(session: Session): Promise<void> {
  for (;;) {
    const result = await session.executeWrite((tx) =>
      tx.run<{ done: Integer }>(
        `MATCH (n:${IMPORT_LABEL}) WITH n LIMIT $limit
         REMOVE n:${IMPORT_LABEL}, n.${IMPORT_ID} RETURN count(n) AS done`,
        { limit: int(CLEANUP_BATCH) },
      ),
    );
    if (toNumber(result.records[0]?.get("done") ?? 0) === 0) break;
  }
  await session.run(`DROP INDEX ${IMPORT_INDEX} IF EXISTS`);
}

async function verifyCounts(session: Session, trailer: ExportTrailer): Promise<void> {
  const count = async (query: string): Promise<number> =>
    toNumber((await session.run<{ count: Integer }>(query)).records[0]?.get("count") ?? 0);
  const nodes = await count("MATCH (n) RETURN count(n) AS count");
  const relationships = await count("MATCH ()-[r]->() RETURN count(r) AS count");
  if (nodes !== trailer.nodes || relationships !== trailer.relationships) {
    throw new Error(
      `after restore the database has ${nodes} nodes and ${relationships} relationships, ` +
        `but the export has ${trailer.nodes} and ${trailer.relationships}`,
    );
  }
}

/** Names went through query text (see escapeName); check the database spells them as the file. */
async function verifyNames(session: Session, loader: BatchLoader): Promise<void> {
  const names = async (query: string): Promise<Set<string>> =>
    new Set((await session.run<{ name: string }>(query)).records.map((record) => record.get("name")));
  const labels = await names("CALL db.labels() YIELD label RETURN label AS name");
  const types = await names(
    "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS name",
  );
  const missing = [
    ...[...loader.labels]
      .filter((label) => !labels.has(label))
      .map((label) => `label ${JSON.stringify(label)}`),
    ...[...loader.types].filter((type) => !types.has(type)).map((type) => `type ${JSON.stringify(type)}`),
  ];
  if (missing.length > 0) throw new Error(`not restored verbatim: ${missing.join(", ")}`);
}
