/**
 * Neo4jGraphStore against a real Neo4j 5, e.g.
 *   docker run -d --name neo4j-test -e NEO4J_AUTH=neo4j/test-pass neo4j:5.26.30-community
 *   GRAPH_TEST_URL=bolt://<its address>:7687 GRAPH_TEST_PASSWORD=test-pass npm test
 * Skipped without GRAPH_TEST_URL. Touches only :Todo nodes with ids from ID_BASE, so it can run
 * against a database that holds other data.
 */
import type { Driver } from "neo4j-driver";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGraphDriver, Neo4jGraphStore, toCypherId } from "../src/neo4j-graph-store.js";

const url = process.env["GRAPH_TEST_URL"] || undefined;
const settings = {
  url: url ?? "bolt://unset:7687",
  user: process.env["GRAPH_TEST_USER"] || "neo4j",
  password: process.env["GRAPH_TEST_PASSWORD"] ?? "",
};
const skipReason = url === undefined ? " (skipped: set GRAPH_TEST_URL and GRAPH_TEST_PASSWORD to run)" : "";
const live = it.skipIf(url === undefined);

/** Ids far above any real todo's, so the test's nodes cannot collide with other data. */
const ID_BASE = 2_000_000_000;
const id = (n: number): number => ID_BASE + n;

describe(`Neo4jGraphStore on a real Neo4j${skipReason}`, { timeout: 30_000 }, () => {
  let driver: Driver;
  let store: Neo4jGraphStore;

  /** One statement outside the store, to inspect what it wrote. */
  async function query(cypher: string, parameters: Record<string, unknown> = {}): Promise<unknown[]> {
    const { records } = await driver.executeQuery(cypher, parameters);
    return records.map((record) => record.toObject());
  }

  beforeAll(async () => {
    if (url === undefined) return;
    driver = createGraphDriver(settings);
    store = new Neo4jGraphStore(driver);
    await store.migrate();
  });

  beforeEach(async () => {
    if (url === undefined) return;
    await query("MATCH (t:Todo) WHERE t.id >= $from AND t.id < $to DETACH DELETE t", {
      from: toCypherId(id(0)),
      to: toCypherId(id(1_000)),
    });
  });

  afterAll(async () => {
    if (url === undefined) return;
    await query("MATCH (t:Todo) WHERE t.id >= $from AND t.id < $to DETACH DELETE t", {
      from: toCypherId(id(0)),
      to: toCypherId(id(1_000)),
    });
    await store.close();
  });

  live("creates the uniqueness constraint on :Todo(id), idempotently", async () => {
    await store.migrate();
    expect(
      await query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties WHERE name = 'todo_id' RETURN *",
      ),
    ).toEqual([{ name: "todo_id", type: "UNIQUENESS", labelsOrTypes: ["Todo"], properties: ["id"] }]);
  });

  live("stores ids as integers and answers direct links from both ends, ascending", async () => {
    expect(await store.link("blocks", id(2), id(4))).toBe("created");
    expect(await store.link("blocks", id(2), id(3))).toBe("created");
    expect(await store.link("blocks", id(1), id(2))).toBe("created");
    expect(await store.link("relates_to", id(5), id(2))).toBe("created");
    expect(await store.links(id(2))).toEqual({
      blocks: [id(3), id(4)],
      blockedBy: [id(1)],
      relatesTo: [id(5)],
    });
    expect(await store.links(id(5))).toEqual({ blocks: [], blockedBy: [], relatesTo: [id(2)] });
    expect(await store.links(id(9))).toEqual({ blocks: [], blockedBy: [], relatesTo: [] });
    expect(
      await query("MATCH (t:Todo {id: $id}) RETURN valueType(t.id) AS type", { id: toCypherId(id(2)) }),
    ).toEqual([{ type: "INTEGER NOT NULL" }]);
  });

  live("stores a link once, relates_to whichever way round it is added again", async () => {
    expect(await store.link("relates_to", id(1), id(2))).toBe("created");
    expect(await store.link("relates_to", id(2), id(1))).toBe("exists");
    expect(await store.link("blocks", id(1), id(2))).toBe("created");
    expect(await store.link("blocks", id(1), id(2))).toBe("exists");
    expect(
      await query(
        "MATCH (a:Todo)-[r]->(:Todo) WHERE a.id IN [$a, $b] RETURN type(r) AS type, count(*) AS n ORDER BY type",
        { a: toCypherId(id(1)), b: toCypherId(id(2)) },
      ),
    ).toEqual([
      { type: "BLOCKS", n: toCypherId(1) },
      { type: "RELATES_TO", n: toCypherId(1) },
    ]);
    expect(await query("MATCH (t:Todo {id: $id}) RETURN keys(t) AS keys", { id: toCypherId(id(1)) })).toEqual(
      [{ keys: ["id"] }],
    );
  });

  live("rejects a blocks link that would close a cycle, directly or transitively", async () => {
    await store.link("blocks", id(1), id(2));
    await store.link("blocks", id(2), id(3));
    expect(await store.link("blocks", id(2), id(1))).toBe("cycle");
    expect(await store.link("blocks", id(3), id(1))).toBe("cycle");
    expect(await store.link("relates_to", id(3), id(1))).toBe("created");
    expect(await store.links(id(1))).toEqual({ blocks: [id(2)], blockedBy: [], relatesTo: [id(3)] });
  });

  live(
    "rejects one of two opposite blocks links between existing todos requested at the same time",
    async () => {
      // With both nodes already there, MERGE takes no lock: only the store's own locking keeps
      // both requests from passing the cycle check (without it, most of these pairs end up a cycle).
      const pairs = [1, 3, 5, 7, 9].map((n) => [id(n), id(n + 1)] as const);
      await query("UNWIND $ids AS id MERGE (:Todo {id: id})", { ids: pairs.flat().map(toCypherId) });
      const outcomes = await Promise.all(
        pairs.map(([a, b]) => Promise.all([store.link("blocks", a, b), store.link("blocks", b, a)])),
      );
      expect(outcomes.map((pair) => [...pair].sort())).toEqual(pairs.map(() => ["created", "cycle"]));
    },
  );

  live("lists transitively blocked ids nearest first, then by id", async () => {
    await store.link("blocks", id(1), id(5));
    await store.link("blocks", id(1), id(3));
    await store.link("blocks", id(3), id(4));
    await store.link("blocks", id(5), id(2));
    await store.link("blocks", id(3), id(2));
    await store.link("relates_to", id(1), id(9));
    expect(await store.blocked(id(1))).toEqual([id(3), id(5), id(2), id(4)]);
    expect(await store.blocked(id(4))).toEqual([]);
  });

  live("unlinks blocks only in its direction and relates_to either way round", async () => {
    await store.link("blocks", id(1), id(2));
    await store.link("relates_to", id(1), id(3));
    expect(await store.unlink("blocks", id(2), id(1))).toBe(false);
    expect(await store.unlink("relates_to", id(3), id(1))).toBe(true);
    expect(await store.unlink("relates_to", id(3), id(1))).toBe(false);
    expect(await store.unlink("blocks", id(1), id(2))).toBe(true);
    expect(await store.links(id(1))).toEqual({ blocks: [], blockedBy: [], relatesTo: [] });
  });

  live("detach-deletes a removed todo's node with its links", async () => {
    await store.link("blocks", id(1), id(2));
    await store.link("blocks", id(3), id(1));
    await store.link("relates_to", id(4), id(1));
    await store.remove(id(1));
    expect(await query("MATCH (t:Todo {id: $id}) RETURN t.id AS id", { id: toCypherId(id(1)) })).toEqual([]);
    expect(await store.links(id(3))).toEqual({ blocks: [], blockedBy: [], relatesTo: [] });
    await store.remove(id(1));
  });

  live("answers ping", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  live("rejects a wrong password with the driver's Unauthorized code", async () => {
    const wrong = new Neo4jGraphStore(createGraphDriver({ ...settings, password: "not-the-password" }));
    try {
      await expect(wrong.ping()).rejects.toMatchObject({ code: "Neo.ClientError.Security.Unauthorized" });
    } finally {
      await wrong.close();
    }
  });

  live("fails fast with ServiceUnavailable when nothing listens at the address", async () => {
    const closedPort = new URL(settings.url);
    closedPort.port = "1";
    const down = new Neo4jGraphStore(createGraphDriver({ ...settings, url: closedPort.href }));
    const started = Date.now();
    try {
      await expect(down.links(id(1))).rejects.toMatchObject({ code: "ServiceUnavailable" });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await down.close();
    }
  });
});
