import { int } from "neo4j-driver";
import { describe, expect, it } from "vitest";
import { TimeoutError } from "../src/async.js";
import {
  CYPHER,
  Neo4jGraphStore,
  fromCypherId,
  type CypherResult,
  type CypherSession,
  type CypherTransaction,
  type GraphDriver,
} from "../src/neo4j-graph-store.js";

interface Statement {
  readonly mode: "READ" | "WRITE";
  readonly query: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

function result(
  rows: readonly Record<string, unknown>[] = [],
  counts: { relationshipsCreated?: number; relationshipsDeleted?: number } = {},
): CypherResult {
  return {
    records: rows.map((row) => ({ get: (key: string) => row[key] })),
    summary: {
      counters: {
        updates: () => ({
          relationshipsCreated: counts.relationshipsCreated ?? 0,
          relationshipsDeleted: counts.relationshipsDeleted ?? 0,
        }),
      },
    },
  };
}

/** Records every statement and answers from a script, standing in for neo4j's Driver. */
class FakeDriver implements GraphDriver {
  readonly statements: Statement[] = [];
  readonly timeouts: number[] = [];
  closedSessions = 0;

  constructor(private readonly answer: (query: string) => CypherResult = () => result()) {}

  session({ defaultAccessMode: mode }: { defaultAccessMode: "READ" | "WRITE" }): CypherSession {
    const tx: CypherTransaction = {
      run: async (query, parameters) => {
        this.statements.push({ mode, query, parameters });
        return this.answer(query);
      },
    };
    const execute = async <T>(work: (tx: CypherTransaction) => Promise<T>, config: { timeout: number }) => {
      this.timeouts.push(config.timeout);
      return work(tx);
    };
    return {
      executeRead: execute,
      executeWrite: execute,
      close: async () => {
        this.closedSessions++;
      },
    };
  }

  async verifyConnectivity(): Promise<unknown> {
    return {};
  }

  async close(): Promise<void> {}
}

describe("Neo4jGraphStore", () => {
  it("locks both ends in id order, checks for a cycle, then merges, ids as Cypher integers", async () => {
    const driver = new FakeDriver((query) =>
      query === CYPHER.merge.blocks ? result([], { relationshipsCreated: 1 }) : result([{ found: false }]),
    );
    expect(await new Neo4jGraphStore(driver).link("blocks", 7, 3)).toBe("created");
    expect(driver.statements).toEqual([
      { mode: "WRITE", query: CYPHER.lock, parameters: { ids: [int(3), int(7)] } },
      { mode: "WRITE", query: CYPHER.pathExists, parameters: { start: int(3), end: int(7) } },
      { mode: "WRITE", query: CYPHER.merge.blocks, parameters: { from: int(7), to: int(3) } },
    ]);
  });

  it("answers cycle without merging when the target already blocks the todo", async () => {
    const driver = new FakeDriver(() => result([{ found: true }]));
    expect(await new Neo4jGraphStore(driver).link("blocks", 1, 2)).toBe("cycle");
    expect(driver.statements.map((statement) => statement.query)).toEqual([CYPHER.lock, CYPHER.pathExists]);
  });

  it("merges relates_to without a cycle check and reports a link that existed", async () => {
    const driver = new FakeDriver();
    expect(await new Neo4jGraphStore(driver).link("relates_to", 1, 2)).toBe("exists");
    expect(driver.statements.map((statement) => statement.query)).toEqual([
      CYPHER.lock,
      CYPHER.merge.relates_to,
    ]);
  });

  it("reads links from a read session and converts Cypher integers to numbers", async () => {
    const driver = new FakeDriver(() =>
      result([{ blocks: [int(2), int(3)], blockedBy: [], relatesTo: [int(9)] }]),
    );
    expect(await new Neo4jGraphStore(driver).links(1)).toEqual({
      blocks: [2, 3],
      blockedBy: [],
      relatesTo: [9],
    });
    expect(driver.statements).toEqual([{ mode: "READ", query: CYPHER.links, parameters: { id: int(1) } }]);
  });

  it("answers empty links for a todo the graph has no node for", async () => {
    const store = new Neo4jGraphStore(new FakeDriver(() => result([])));
    expect(await store.links(4)).toEqual({ blocks: [], blockedBy: [], relatesTo: [] });
  });

  it("keeps the order of blocked ids as the query returns them", async () => {
    const driver = new FakeDriver(() => result([{ id: int(5) }, { id: int(2) }]));
    expect(await new Neo4jGraphStore(driver).blocked(1)).toEqual([5, 2]);
    expect(driver.statements).toEqual([{ mode: "READ", query: CYPHER.blocked, parameters: { id: int(1) } }]);
  });

  it("reports whether unlink deleted a relationship", async () => {
    const deleted = new FakeDriver(() => result([], { relationshipsDeleted: 1 }));
    expect(await new Neo4jGraphStore(deleted).unlink("relates_to", 2, 1)).toBe(true);
    expect(deleted.statements).toEqual([
      { mode: "WRITE", query: CYPHER.delete.relates_to, parameters: { from: int(2), to: int(1) } },
    ]);
    expect(await new Neo4jGraphStore(new FakeDriver()).unlink("blocks", 2, 1)).toBe(false);
  });

  it("detach-deletes a removed todo's node and creates the constraint with migrate", async () => {
    const driver = new FakeDriver();
    const store = new Neo4jGraphStore(driver);
    await store.remove(4);
    await store.migrate();
    expect(driver.statements).toEqual([
      { mode: "WRITE", query: "MATCH (t:Todo {id: $id}) DETACH DELETE t", parameters: { id: int(4) } },
      {
        mode: "WRITE",
        query: "CREATE CONSTRAINT todo_id IF NOT EXISTS FOR (t:Todo) REQUIRE t.id IS UNIQUE",
        parameters: {},
      },
    ]);
  });

  it("bounds every transaction and closes every session, also after a failure", async () => {
    const driver = new FakeDriver(() => {
      throw new Error("Neo.TransientError.Transaction.LockClientStopped");
    });
    const store = new Neo4jGraphStore(driver, { timeoutMs: 1_500 });
    await expect(store.links(1)).rejects.toThrow("LockClientStopped");
    await expect(store.remove(1)).rejects.toThrow("LockClientStopped");
    expect(driver.timeouts).toEqual([1_500, 1_500]);
    expect(driver.closedSessions).toBe(2);
  });

  it("rejects an operation Neo4j does not answer in time, instead of waiting for the driver", async () => {
    const hung = new FakeDriver();
    hung.session = () => ({
      executeRead: () => new Promise<never>(() => {}),
      executeWrite: () => new Promise<never>(() => {}),
      close: async () => {},
    });
    hung.verifyConnectivity = () => new Promise<never>(() => {});
    const store = new Neo4jGraphStore(hung, { timeoutMs: 20 });
    await expect(store.links(1)).rejects.toThrow(new TimeoutError("neo4j links", 20));
    await expect(store.link("blocks", 1, 2)).rejects.toThrow("neo4j link timed out after 20 ms");
    await expect(store.ping()).rejects.toThrow("neo4j ping timed out after 20 ms");
  });

  it("bounds each transaction at 5 s by default", async () => {
    const driver = new FakeDriver();
    await new Neo4jGraphStore(driver).remove(1);
    expect(driver.timeouts).toEqual([5_000]);
  });
});

describe("fromCypherId", () => {
  it("converts a Cypher integer", () => {
    expect(fromCypherId(int(2_147_483_647))).toBe(2_147_483_647);
  });

  it.each([
    [1.5, "expected a Cypher integer id, got 1.5"],
    ["3", 'expected a Cypher integer id, got "3"'],
    [null, "expected a Cypher integer id, got null"],
  ])("rejects %j", (value, message) => {
    expect(() => fromCypherId(value)).toThrow(message);
  });
});
