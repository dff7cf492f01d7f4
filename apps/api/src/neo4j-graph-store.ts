import { auth, driver, int, isInt, type Driver } from "neo4j-driver";
import { withTimeout } from "./async.js";
import type { GraphSettings } from "./config.js";
import { EMPTY_LINKS, type GraphStore, type LinkOutcome, type LinkType, type Links } from "./links.js";

/** One record of a result; values of Cypher integers are neo4j Integers. */
export interface CypherRecord {
  get(key: string): unknown;
}

/** As much of neo4j's QueryResult as the store reads. */
export interface CypherResult {
  readonly records: readonly CypherRecord[];
  readonly summary: {
    readonly counters: {
      updates(): { readonly relationshipsCreated: number; readonly relationshipsDeleted: number };
    };
  };
}

export interface CypherTransaction {
  run(query: string, parameters: Readonly<Record<string, unknown>>): PromiseLike<CypherResult>;
}

export interface CypherSession {
  executeRead<T>(work: (tx: CypherTransaction) => Promise<T>, config: { timeout: number }): Promise<T>;
  executeWrite<T>(work: (tx: CypherTransaction) => Promise<T>, config: { timeout: number }): Promise<T>;
  close(): Promise<void>;
}

/** The part of neo4j's Driver the store uses, so tests can substitute a recording fake. */
export interface GraphDriver {
  session(config: { defaultAccessMode: "READ" | "WRITE" }): CypherSession;
  verifyConnectivity(): Promise<unknown>;
  close(): Promise<void>;
}

/** Idempotent; also makes concurrent MERGEs of one todo's node safe. */
export const GRAPH_SCHEMA_CYPHER =
  "CREATE CONSTRAINT todo_id IF NOT EXISTS FOR (t:Todo) REQUIRE t.id IS UNIQUE";

/**
 * Every statement the store runs. Values are always parameters; relationship types cannot be, so
 * each type has its own constant statement rather than an interpolated one.
 */
export const CYPHER = {
  links: `MATCH (t:Todo {id: $id})
RETURN COLLECT { MATCH (t)-[:BLOCKS]->(o:Todo) RETURN DISTINCT o.id AS id ORDER BY id } AS blocks,
  COLLECT { MATCH (t)<-[:BLOCKS]-(o:Todo) RETURN DISTINCT o.id AS id ORDER BY id } AS blockedBy,
  COLLECT { MATCH (t)-[:RELATES_TO]-(o:Todo) RETURN DISTINCT o.id AS id ORDER BY id } AS relatesTo`,
  // A write to a node takes its lock until commit. Locking both ends, in id order so opposite
  // requests cannot deadlock, serialises a→b against b→a, so both cannot pass the cycle check.
  lock: `UNWIND $ids AS id
MERGE (t:Todo {id: id})
SET t.locked = true
REMOVE t.locked`,
  pathExists: "RETURN EXISTS { MATCH (:Todo {id: $start})-[:BLOCKS*1..]->(:Todo {id: $end}) } AS found",
  merge: {
    blocks: "MATCH (a:Todo {id: $from}), (b:Todo {id: $to}) MERGE (a)-[:BLOCKS]->(b)",
    // Undirected: matches the link stored either way round, creates it once.
    relates_to: "MATCH (a:Todo {id: $from}), (b:Todo {id: $to}) MERGE (a)-[:RELATES_TO]-(b)",
  },
  delete: {
    blocks: "MATCH (:Todo {id: $from})-[r:BLOCKS]->(:Todo {id: $to}) DELETE r",
    relates_to: "MATCH (:Todo {id: $from})-[r:RELATES_TO]-(:Todo {id: $to}) DELETE r",
  },
  blocked: `MATCH p = (:Todo {id: $id})-[:BLOCKS*1..]->(t:Todo)
RETURN t.id AS id, min(length(p)) AS depth
ORDER BY depth, id`,
  remove: "MATCH (t:Todo {id: $id}) DETACH DELETE t",
} as const satisfies Record<string, string | Record<LinkType, string>>;

export interface Neo4jGraphStoreOptions {
  /**
   * Bound on each operation: the server aborts its transaction after it, and the store stops
   * waiting after it. The second matters when Neo4j hangs (frozen process, lost packets): the
   * driver then waits on a pooled connection for the server's receive timeout, 120 s.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/** GraphStore on Neo4j through the official driver: `(:Todo {id})` nodes, BLOCKS and RELATES_TO. */
export class Neo4jGraphStore implements GraphStore {
  private readonly timeoutMs: number;

  constructor(
    private readonly driver: GraphDriver,
    options: Neo4jGraphStoreOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async links(id: number): Promise<Links> {
    const result = await this.read("links", (tx) => tx.run(CYPHER.links, { id: toCypherId(id) }));
    const record = result.records[0];
    if (record === undefined) return EMPTY_LINKS;
    return {
      blocks: idsOf(record.get("blocks")),
      blockedBy: idsOf(record.get("blockedBy")),
      relatesTo: idsOf(record.get("relatesTo")),
    };
  }

  async link(type: LinkType, from: number, to: number): Promise<LinkOutcome> {
    return this.write("link", async (tx) => {
      const lockOrder = [from, to].sort((a, b) => a - b).map(toCypherId);
      await tx.run(CYPHER.lock, { ids: lockOrder });
      if (type === "blocks") {
        const path = await tx.run(CYPHER.pathExists, { start: toCypherId(to), end: toCypherId(from) });
        if (path.records[0]?.get("found") === true) return "cycle";
      }
      const merged = await tx.run(CYPHER.merge[type], { from: toCypherId(from), to: toCypherId(to) });
      return merged.summary.counters.updates().relationshipsCreated > 0 ? "created" : "exists";
    });
  }

  async unlink(type: LinkType, from: number, to: number): Promise<boolean> {
    const result = await this.write("unlink", (tx) =>
      tx.run(CYPHER.delete[type], { from: toCypherId(from), to: toCypherId(to) }),
    );
    return result.summary.counters.updates().relationshipsDeleted > 0;
  }

  async blocked(id: number): Promise<number[]> {
    const result = await this.read("blocked", (tx) => tx.run(CYPHER.blocked, { id: toCypherId(id) }));
    return result.records.map((record) => fromCypherId(record.get("id")));
  }

  async remove(id: number): Promise<void> {
    await this.write("remove", (tx) => tx.run(CYPHER.remove, { id: toCypherId(id) }));
  }

  async ping(): Promise<void> {
    await this.bounded("ping", this.driver.verifyConnectivity());
  }

  /** Creates the uniqueness constraint on `:Todo(id)` if missing. */
  async migrate(): Promise<void> {
    await this.write("migrate", (tx) => tx.run(GRAPH_SCHEMA_CYPHER, {}));
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  private read<T>(operation: string, work: (tx: CypherTransaction) => PromiseLike<T>): Promise<T> {
    return this.bounded(operation, this.inSession("READ", work));
  }

  private write<T>(operation: string, work: (tx: CypherTransaction) => PromiseLike<T>): Promise<T> {
    return this.bounded(operation, this.inSession("WRITE", work));
  }

  /** A late result is dropped; the session still closes when the driver gives up on it. */
  private bounded<T>(operation: string, promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.timeoutMs, `neo4j ${operation}`);
  }

  private async inSession<T>(
    mode: "READ" | "WRITE",
    work: (tx: CypherTransaction) => PromiseLike<T>,
  ): Promise<T> {
    const session = this.driver.session({ defaultAccessMode: mode });
    const config = { timeout: this.timeoutMs };
    try {
      const run = async (tx: CypherTransaction): Promise<T> => work(tx);
      return mode === "READ"
        ? await session.executeRead(run, config)
        : await session.executeWrite(run, config);
    } finally {
      await session.close();
    }
  }
}

/**
 * A driver that fails fast: when Neo4j is down, requests get their 503 within a few seconds
 * instead of the driver's defaults (30 s to connect, 60 s to get a connection, 30 s of retries).
 */
export function createGraphDriver(settings: GraphSettings): Driver {
  return driver(settings.url, auth.basic(settings.user, settings.password), {
    maxConnectionPoolSize: 10,
    connectionTimeout: 2_000,
    connectionAcquisitionTimeout: 3_000,
    maxTransactionRetryTime: 1_000,
    userAgent: "shipyard-api",
  });
}

/** Ids go to Neo4j as Cypher integers: a JS number is sent as a float and would match nothing. */
export function toCypherId(id: number): ReturnType<typeof int> {
  return int(id);
}

export function fromCypherId(value: unknown): number {
  if (!isInt(value)) throw new TypeError(`expected a Cypher integer id, got ${JSON.stringify(value)}`);
  return value.toNumber();
}

function idsOf(value: unknown): number[] {
  if (!Array.isArray(value)) throw new TypeError(`expected a list of ids, got ${JSON.stringify(value)}`);
  return value.map(fromCypherId);
}
