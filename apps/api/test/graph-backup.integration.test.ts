/**
 * Export, wipe and restore against a real Neo4j. Runs only when GRAPH_TEST_URL and
 * GRAPH_TEST_PASSWORD name a disposable database (user GRAPH_TEST_USER, default neo4j): every test
 * deletes all nodes, constraints and indexes in it.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import neo4j, {
  Date as GraphDate,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
  int,
  type Driver,
  type Session,
} from "neo4j-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSchedule } from "../src/graph-backup-cli.js";
import { readLines, writeAtomically } from "../src/graph-backup-files.js";
import { DatabaseNotEmptyError, EMPTY_DATABASE, exportGraph, restoreGraph } from "../src/graph-export.js";
import { validateExport } from "../src/graph-format.js";
import { createLogger } from "../src/logger.js";

const url = process.env["GRAPH_TEST_URL"];
const password = process.env["GRAPH_TEST_PASSWORD"];
const configured = url !== undefined && url !== "" && password !== undefined && password !== "";
const SKIPPED = configured
  ? ""
  : " (skipped: set GRAPH_TEST_URL and GRAPH_TEST_PASSWORD to a disposable Neo4j; the tests wipe it)";
const TIMEOUT_MS = 120_000;
const BULK_NODES = 2_500;

let driver: Driver;
let session: Session;
const scratch = mkdtempSync(join(tmpdir(), "graph-backup-it-"));

beforeAll(async () => {
  if (!configured) return;
  driver = neo4j.driver(url, neo4j.auth.basic(process.env["GRAPH_TEST_USER"] ?? "neo4j", password));
  session = driver.session();
  await wipe();
}, TIMEOUT_MS);

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  if (!configured) return;
  await wipe();
  await session.close();
  await driver.close();
}, TIMEOUT_MS);

/** Deletes every node and relationship and every constraint and non-lookup index. */
async function wipe(): Promise<void> {
  await session.run(EMPTY_DATABASE);
  for (const record of (await session.run("SHOW CONSTRAINTS YIELD name")).records) {
    await session.run(`DROP CONSTRAINT \`${record.get("name") as string}\``);
  }
  const indexes = await session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name");
  for (const record of indexes.records) await session.run(`DROP INDEX \`${record.get("name") as string}\``);
}

const i = int;
const EVERY_TYPE = {
  text: 'Buy milk 🥛\nand "bread" \\ `tick`',
  empty: "",
  yes: true,
  no: false,
  small: i(42),
  beyondDoubles: i("9007199254740993"),
  max: i("9223372036854775807"),
  min: i("-9223372036854775808"),
  fraction: 0.1,
  integralFloat: 1,
  negativeZero: -0,
  nan: Number.NaN,
  infinity: Number.POSITIVE_INFINITY,
  minusInfinity: Number.NEGATIVE_INFINITY,
  huge: 1e300,
  bytes: new Int8Array([0, -128, 127, -1]),
  noBytes: new Int8Array([]),
  date: new GraphDate(i(2024), i(2), i(29)),
  ancient: new GraphDate(i(-44), i(3), i(15)),
  dateTimeOffset: new DateTime(i(2024), i(1), i(2), i(3), i(4), i(5), i(123_456_789), i(19_800)),
  // 02:30 happens twice in Berlin that night; the offset picks the second.
  dateTimeZone: new DateTime(i(2022), i(10), i(30), i(2), i(30), i(0), i(0), i(3600), "Europe/Berlin"),
  localDateTime: new LocalDateTime(i(2024), i(12), i(31), i(23), i(59), i(59), i(1)),
  time: new Time(i(12), i(0), i(0), i(1), i(-28_830)),
  localTime: new LocalTime(i(7), i(30), i(0), i(500_000_000)),
  duration: new Duration(i(14), i(-3), i(3_600), i(5)),
  cartesian: new Point(i(7203), 1, 2.5),
  cartesian3d: new Point(i(9157), -1, 0, 1e-9),
  geographic: new Point(i(4326), 13.405, 52.52),
  geographic3d: new Point(i(4979), 13.405, 52.52, 34),
  ints: [i(1), i("-9223372036854775808")],
  floats: [1.5, 2, -0],
  strings: ["a", ""],
  booleans: [true, false],
  dates: [new GraphDate(i(1970), i(1), i(1))],
  dateTimes: [new DateTime(i(2020), i(1), i(1), i(0), i(0), i(0), i(0), i(0), "UTC")],
  durations: [new Duration(i(0), i(0), i(-1), i(999_999_999))],
  points: [new Point(i(7203), 0, 0)],
  emptyList: [],
};

/** A graph with every property type, odd names, duplicates, parallel edges and a self-loop. */
async function seed(): Promise<void> {
  await session.run("CREATE CONSTRAINT todo_key FOR (t:Todo) REQUIRE t.key IS UNIQUE");
  await session.run("CREATE INDEX todo_done FOR (t:Todo) ON (t.done)");
  await session.run("CREATE FULLTEXT INDEX todo_text FOR (t:Todo) ON EACH [t.title]");
  await session.run("CREATE INDEX blocks_since FOR ()-[r:BLOCKS]-() ON (r.since)");
  await session.run(
    `CREATE (a:Todo:Urgent {key: 'a', title: 'every type'}) SET a += $every
     CREATE (b:Todo {key: 'b', title: 'blocked', done: true})
     CREATE (c {note: 'no labels'})
     CREATE (d:\`Odd Label\`:\`back\`\`tick\`:\`a\\u005Cu0060b\` {key: 'd'})
     CREATE (e:Dup {v: 1}), (f:Dup {v: 1})
     CREATE (a)-[:BLOCKS {since: date('2026-11-30'), weight: 0.5}]->(b)
     CREATE (a)-[:BLOCKS]->(b), (a)-[:BLOCKS]->(b)
     CREATE (a)-[:RELATES {note: 'self-loop'}]->(a)
     CREATE (c)-[:\`HAS SPACE\`]->(d), (d)-[:\`back\`\`tick\`]->(c)
     CREATE (e)-[:DUP $every]->(f)`,
    { every: EVERY_TYPE },
  );
  await session.run(
    `UNWIND range(1, $count) AS n CREATE (b:Bulk {n: n, payload: 'x' + toString(n)})
     WITH collect(b) AS bulk
     UNWIND range(0, size(bulk) - 2) AS k
     WITH bulk[k] AS from, bulk[k + 1] AS to
     CREATE (from)-[:NEXT {k: from.n}]->(to)`,
    { count: i(BULK_NODES) },
  );
}

const show = (value: unknown): string =>
  inspect(value, {
    depth: null,
    sorted: true,
    breakLength: Infinity,
    maxArrayLength: null,
    maxStringLength: null,
  });

/**
 * The graph as sorted strings, independent of element ids and of the export's own encoding:
 * node.inspect() shows Integer objects, -0, NaN and every temporal field as they are.
 */
async function dump(): Promise<{ nodes: string[]; relationships: string[]; schema: string[] }> {
  const nodeText = new Map<string, string>();
  const nodes = await session.run(
    "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS p",
  );
  for (const record of nodes.records) {
    const labels = [...(record.get("labels") as string[])].sort();
    nodeText.set(record.get("id") as string, show([labels, record.get("p")]));
  }
  const rels = await session.run(
    "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, elementId(b) AS b, properties(r) AS p",
  );
  const relationships = rels.records.map((record) =>
    show([
      nodeText.get(record.get("a") as string),
      record.get("type"),
      nodeText.get(record.get("b") as string),
      record.get("p"),
    ]),
  );
  const schema: string[] = [];
  for (const query of [
    "SHOW CONSTRAINTS YIELD createStatement RETURN createStatement",
    "SHOW INDEXES YIELD type, createStatement WHERE type <> 'LOOKUP' RETURN createStatement",
  ]) {
    for (const record of (await session.run(query)).records)
      schema.push(record.get("createStatement") as string);
  }
  return { nodes: [...nodeText.values()].sort(), relationships: relationships.sort(), schema: schema.sort() };
}

async function exportTo(path: string) {
  return writeAtomically(path, (write) => exportGraph(driver, write));
}

describe("graph backup against Neo4j", () => {
  it.skipIf(!configured)(
    `round-trips a varied graph through export, wipe and restore${SKIPPED}`,
    async () => {
      await wipe();
      await seed();
      const before = await dump();
      expect(before.nodes).toHaveLength(6 + BULK_NODES);
      expect(before.relationships).toHaveLength(7 + BULK_NODES - 1);
      expect(before.schema).toHaveLength(5);

      const file = join(scratch, "roundtrip.jsonl");
      const { value: exported, bytes } = await exportTo(file);
      expect(exported).toEqual({
        schema: 4,
        nodes: 6 + BULK_NODES,
        relationships: 7 + BULK_NODES - 1,
        skippedRelationships: 0,
      });
      expect(bytes).toBeGreaterThan(0);

      await wipe();
      expect((await dump()).nodes).toEqual([]);

      const restored = await restoreGraph(driver, () => readLines(file), { batchSize: 300 });
      expect(restored).toEqual({
        schemaCreated: 4,
        schemaPresent: 0,
        nodes: 6 + BULK_NODES,
        relationships: 7 + BULK_NODES - 1,
      });
      const after = await dump();
      expect(after.schema).toEqual(before.schema);
      expect(after.nodes).toEqual(before.nodes);
      expect(after.relationships).toEqual(before.relationships);

      // Spot checks that the comparison sees what matters, and that restore cleaned up after itself.
      const a = await session.run(
        "MATCH (a:Todo {key: 'a'}) RETURN a.max AS max, a.negativeZero AS z, a.nan AS nan",
      );
      expect(String(a.records[0]?.get("max"))).toBe("9223372036854775807");
      expect(Object.is(a.records[0]?.get("z"), -0)).toBe(true);
      expect(a.records[0]?.get("nan")).toBeNaN();
      const leftovers = await session.run(
        "MATCH (n) WHERE n:__ShipyardImport OR n.__shipyard_import_id IS NOT NULL RETURN count(n) AS n",
      );
      expect(leftovers.records[0]?.get("n")).toEqual(i(0));
      expect(
        (await session.run("SHOW INDEXES YIELD name WHERE name = 'shipyard_import_id'")).records,
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it.skipIf(!configured)(
    `rejects restoring into a database that has nodes, changing nothing${SKIPPED}`,
    async () => {
      await wipe();
      await session.run("CREATE (:Todo {key: 'x'})-[:BLOCKS]->(:Todo {key: 'y'})");
      const file = join(scratch, "refused.jsonl");
      await exportTo(file);
      const restore = restoreGraph(driver, () => readLines(file));
      await expect(restore).rejects.toThrow(DatabaseNotEmptyError);
      await expect(restore).rejects.toThrow(
        'the database "neo4j" already has nodes; restore loads into an empty database only. ' +
          "Empty it (this deletes every node and relationship): " +
          "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
      );
      const count = await session.run("MATCH (n) RETURN count(n) AS n");
      expect(count.records[0]?.get("n")).toEqual(i(2));
    },
    TIMEOUT_MS,
  );

  it.skipIf(!configured)(
    `leaves out a relationship to a node created during the export, so the file still restores${SKIPPED}`,
    async () => {
      await wipe();
      await session.run("CREATE (:Todo {key: 'x'})-[:BLOCKS]->(:Todo {key: 'y'})");
      const writer = driver.session();
      let injected = false;
      const file = join(scratch, "concurrent.jsonl");
      const { value } = await writeAtomically(file, (write) =>
        exportGraph(driver, async (line) => {
          // The node query has already returned (two rows fit in one fetch), so this node is new to it.
          if (!injected && line.includes('"kind":"node"')) {
            injected = true;
            await writer.run("MATCH (x:Todo {key: 'x'}) CREATE (:Late)-[:BLOCKS]->(x)");
          }
          await write(line);
        }),
      );
      await writer.close();
      expect(value).toEqual({ schema: 0, nodes: 2, relationships: 1, skippedRelationships: 1 });
      await wipe();
      await expect(restoreGraph(driver, () => readLines(file))).resolves.toMatchObject({
        nodes: 2,
        relationships: 1,
      });
    },
    TIMEOUT_MS,
  );

  it.skipIf(!configured)(
    `runs the schedule with an injected clock: files, retention, last success and one log line per run${SKIPPED}`,
    async () => {
      await wipe();
      await session.run("CREATE (:Todo {key: 'x'})-[:BLOCKS]->(:Todo {key: 'y'})");
      const dir = mkdtempSync(join(scratch, "schedule-"));
      const controller = new AbortController();
      const logs: Record<string, unknown>[] = [];
      const marks: number[] = [];
      let clockMs = Date.parse("2026-11-30T03:55:00Z");
      let runs = 0;
      const now = (): Date => new Date(clockMs);
      await runSchedule({
        backupDir: dir,
        intervalMs: 5 * 60_000,
        retention: 2,
        backup: async (file, signal) => {
          runs++;
          const { value, bytes } = await writeAtomically(
            file,
            (write) => exportGraph(driver, write, { now, signal }),
            signal,
          );
          return { ...value, bytes };
        },
        markSuccess: (seconds) => Promise.resolve(void marks.push(seconds)),
        now,
        sleep: (ms) => {
          clockMs += ms;
          if (runs === 3) controller.abort();
          return Promise.resolve();
        },
        logger: createLogger({
          level: "debug",
          write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
        }),
        signal: controller.signal,
      });
      expect(readdirSync(dir).sort()).toEqual([
        "graph-20261130T040000Z.jsonl",
        "graph-20261130T040500Z.jsonl",
      ]);
      for (const name of readdirSync(dir)) {
        await expect(validateExport(readLines(join(dir, name)))).resolves.toMatchObject({
          trailer: { nodes: 2, relationships: 1 },
        });
      }
      expect(marks).toHaveLength(3);
      expect(logs.map((log) => [log["msg"], log["deleted"]])).toEqual([
        ["backup written", []],
        ["backup written", []],
        ["backup written", ["graph-20261130T035500Z.jsonl"]],
      ]);
    },
    TIMEOUT_MS,
  );
});
