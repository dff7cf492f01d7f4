import type { QueryResult, QueryResultRow } from "pg";
import { describe, expect, it } from "vitest";
import {
  MIGRATION_LOCK_ID,
  MIGRATION_SQL,
  PostgresTodoStore,
  migrate,
  updateQuery,
  type Queryable,
  type TodoRow,
} from "../src/postgres-store.js";

const ROW: TodoRow = {
  id: 3,
  title: "ship it",
  done: true,
  created_at: new Date("2025-01-02T03:04:05.000Z"),
  updated_at: new Date("2025-01-03T00:00:00.000Z"),
};

/** Records every query and answers from a script, standing in for pg.Pool. */
class FakeDb implements Queryable {
  readonly queries: { text: string; values: unknown[] | undefined }[] = [];
  constructor(
    private readonly answer: (text: string) => { rows: unknown[]; rowCount?: number } = () => ({ rows: [] }),
  ) {}

  async query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    this.queries.push({ text, values });
    const { rows, rowCount } = this.answer(text);
    return { rows: rows as R[], rowCount: rowCount ?? rows.length, command: "", oid: 0, fields: [] };
  }
}

describe("PostgresTodoStore", () => {
  it("maps rows to todos with ISO timestamps", async () => {
    const store = new PostgresTodoStore(new FakeDb(() => ({ rows: [ROW] })));
    expect(await store.list()).toEqual([
      {
        id: 3,
        title: "ship it",
        done: true,
        createdAt: "2025-01-02T03:04:05.000Z",
        updatedAt: "2025-01-03T00:00:00.000Z",
      },
    ]);
  });

  it("passes values as parameters, never interpolated into SQL", async () => {
    const db = new FakeDb(() => ({ rows: [ROW] }));
    const store = new PostgresTodoStore(db);
    await store.create({ title: "'); DROP TABLE todos; --" });
    expect(db.queries).toEqual([
      {
        text: "INSERT INTO todos (title) VALUES ($1) RETURNING id, title, done, created_at, updated_at",
        values: ["'); DROP TABLE todos; --"],
      },
    ]);
  });

  it("returns undefined for a missing id and false when deleting one", async () => {
    const store = new PostgresTodoStore(new FakeDb(() => ({ rows: [], rowCount: 0 })));
    expect(await store.get(9)).toBeUndefined();
    expect(await store.update(9, { done: true })).toBeUndefined();
    expect(await store.delete(9)).toBe(false);
  });

  it("reads several todos in one query, the distinct ids passed as one array parameter", async () => {
    const db = new FakeDb(() => ({ rows: [ROW] }));
    const store = new PostgresTodoStore(db);
    expect((await store.getMany([3, 9, 3])).map((todo) => todo.id)).toEqual([3]);
    expect(db.queries).toEqual([
      {
        text: "SELECT id, title, done, created_at, updated_at FROM todos WHERE id = ANY($1::integer[]) ORDER BY id",
        values: [[3, 9]],
      },
    ]);
  });

  it("answers an empty id list without querying", async () => {
    const db = new FakeDb();
    expect(await new PostgresTodoStore(db).getMany([])).toEqual([]);
    expect(db.queries).toEqual([]);
  });

  it("reports a deletion that matched a row", async () => {
    const store = new PostgresTodoStore(new FakeDb(() => ({ rows: [], rowCount: 1 })));
    expect(await store.delete(3)).toBe(true);
  });
});

describe("updateQuery", () => {
  it.each([
    [
      { title: "t" },
      "UPDATE todos SET title = $1, updated_at = now() WHERE id = $2 RETURNING id, title, done, created_at, updated_at",
      ["t", 7],
    ],
    [
      { done: false },
      "UPDATE todos SET done = $1, updated_at = now() WHERE id = $2 RETURNING id, title, done, created_at, updated_at",
      [false, 7],
    ],
    [
      { title: "t", done: true },
      "UPDATE todos SET title = $1, done = $2, updated_at = now() WHERE id = $3 RETURNING id, title, done, created_at, updated_at",
      ["t", true, 7],
    ],
  ])("sets only the fields in %j", (patch, text, values) => {
    expect(updateQuery(7, patch)).toEqual({ text, values });
  });
});

describe("migrate", () => {
  function fakePool(db: FakeDb) {
    let released = 0;
    return {
      pool: { connect: async () => Object.assign(db, { release: () => void released++ }) },
      released: () => released,
    };
  }

  it("creates the table inside a transaction holding the advisory lock", async () => {
    const db = new FakeDb();
    const { pool, released } = fakePool(db);
    await migrate(pool);
    expect(db.queries).toEqual([
      { text: "BEGIN", values: undefined },
      { text: "SELECT pg_advisory_xact_lock($1)", values: [MIGRATION_LOCK_ID] },
      { text: MIGRATION_SQL, values: undefined },
      { text: "COMMIT", values: undefined },
    ]);
    expect(released()).toBe(1);
  });

  it("rolls back, releases the client and rethrows when a statement fails", async () => {
    const db = new FakeDb((text) => {
      if (text === MIGRATION_SQL) throw new Error("permission denied for schema public");
      return { rows: [] };
    });
    const { pool, released } = fakePool(db);
    await expect(migrate(pool)).rejects.toThrow("permission denied for schema public");
    expect(db.queries.map((q) => q.text)).toEqual([
      "BEGIN",
      "SELECT pg_advisory_xact_lock($1)",
      MIGRATION_SQL,
      "ROLLBACK",
    ]);
    expect(released()).toBe(1);
  });

  it("limits titles in the schema to the API's limit", () => {
    expect(MIGRATION_SQL).toContain("CHECK (char_length(title) BETWEEN 1 AND 200)");
  });
});
