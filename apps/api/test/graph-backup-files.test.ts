import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  backupCounts,
  backupEntries,
  backupFileName,
  backupStamp,
  expiredBackups,
  leftoverPartials,
  newestWithData,
  resolveBackupPath,
  writeAtomically,
} from "../src/graph-backup-files.js";

const scratch = mkdtempSync(join(tmpdir(), "graph-backup-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function freshDir(): string {
  return mkdtempSync(join(scratch, "dir-"));
}

describe("backup file names", () => {
  it("stamps in UTC to the second", () => {
    expect(backupStamp(new Date("2026-11-30T03:55:00.999Z"))).toBe("20261130T035500Z");
    expect(backupFileName(new Date("2026-01-02T23:04:05+02:00"))).toBe("graph-20260102T210405Z.jsonl");
  });

  const NAMES = [
    "graph-20261128T035500Z.jsonl",
    "graph-20261130T035500Z.jsonl",
    "graph-20261129T035500Z.jsonl",
    "graph-20261127T035500Z.jsonl",
    "graph-20261131T035500Z.jsonl.partial",
    "todos-20261101T000000Z.dump",
    "graph-manual.jsonl",
    "lost+found",
  ];

  it.each<[number, string[]]>([
    [1, ["graph-20261129T035500Z.jsonl", "graph-20261128T035500Z.jsonl", "graph-20261127T035500Z.jsonl"]],
    [3, ["graph-20261127T035500Z.jsonl"]],
    [4, []],
    [10, []],
  ])("keeps the newest %i backups and deletes the rest, ignoring other files", (retention, expired) => {
    const withData = NAMES.map((name) => ({ name, nodes: 5 }));
    expect(expiredBackups(withData, retention)).toEqual(expired);
  });

  // The graph came back empty (its volume lost): every tick exports nothing, newer than the last
  // export that has the data, which must survive until someone restores it.
  const AFTER_LOSS = [
    { name: "graph-20261127T035500Z.jsonl", nodes: 7 },
    { name: "graph-20261128T035500Z.jsonl", nodes: 9 },
    { name: "graph-20261129T035500Z.jsonl", nodes: 0 },
    { name: "graph-20261130T035500Z.jsonl", nodes: 0 },
    { name: "graph-20261131T035500Z.jsonl", nodes: undefined },
  ];

  it("keeps the newest backup that holds nodes past the retention, while newer ones are empty", () => {
    expect(expiredBackups(AFTER_LOSS, 2)).toEqual([
      "graph-20261129T035500Z.jsonl",
      "graph-20261127T035500Z.jsonl",
    ]);
  });

  it("finds the newest backup that holds nodes, skipping empty and incomplete ones", () => {
    expect(newestWithData(AFTER_LOSS)).toBe("graph-20261128T035500Z.jsonl");
    expect(newestWithData(AFTER_LOSS.slice(2))).toBeUndefined();
  });

  it("reads each backup's node count from its trailer, an unreadable one as unknown", async () => {
    const counts = (path: string) =>
      path.endsWith("29T035500Z.jsonl")
        ? Promise.reject(new Error("EACCES"))
        : Promise.resolve(path.endsWith("28T035500Z.jsonl") ? { error: "cut short" } : { nodes: 3 });
    expect(await backupEntries(NAMES, "/backups", counts)).toEqual([
      { name: "graph-20261130T035500Z.jsonl", nodes: 3 },
      { name: "graph-20261129T035500Z.jsonl", nodes: undefined },
      { name: "graph-20261128T035500Z.jsonl", nodes: undefined },
      { name: "graph-20261127T035500Z.jsonl", nodes: 3 },
    ]);
  });

  it("finds the partial files a killed run left", () => {
    expect(leftoverPartials(NAMES)).toEqual(["graph-20261131T035500Z.jsonl.partial"]);
  });

  it.each<[string, string | undefined, string]>([
    ["graph-20261130T035500Z.jsonl", "/backups", "/backups/graph-20261130T035500Z.jsonl"],
    ["./graph.jsonl", "/backups", "./graph.jsonl"],
    ["/tmp/graph.jsonl", "/backups", "/tmp/graph.jsonl"],
    ["graph.jsonl", undefined, "graph.jsonl"],
  ])("resolves %s in BACKUP_DIR %s to %s", (file, dir, path) => {
    expect(resolveBackupPath(file, dir)).toBe(path);
  });
});

describe("writeAtomically", () => {
  it("writes the lines under the final name and nothing else", async () => {
    const dir = freshDir();
    const path = join(dir, "out.jsonl");
    const result = await writeAtomically(path, async (write) => {
      await write("a");
      expect(existsSync(path)).toBe(false);
      await write("b");
      return 2;
    });
    expect(result).toEqual({ value: 2, bytes: 4 });
    expect(readFileSync(path, "utf8")).toBe("a\nb\n");
    expect(readdirSync(dir)).toEqual(["out.jsonl"]);
  });

  it("writes large outputs in chunks without losing lines", async () => {
    const dir = freshDir();
    const path = join(dir, "big.jsonl");
    const line = "x".repeat(999);
    await writeAtomically(path, async (write) => {
      for (let n = 0; n < 300; n++) await write(line);
    });
    expect(readFileSync(path, "utf8")).toBe(`${line}\n`.repeat(300));
  });

  it("rejects with the producer's error and removes the partial file", async () => {
    const dir = freshDir();
    const path = join(dir, "out.jsonl");
    const failing = writeAtomically(path, async (write) => {
      await write("a");
      throw new Error("graph unavailable");
    });
    await expect(failing).rejects.toThrow("graph unavailable");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("rejects at once on abort, without waiting for a stuck producer, and removes the partial file", async () => {
    const dir = freshDir();
    const controller = new AbortController();
    const stuck = writeAtomically(
      join(dir, "out.jsonl"),
      async (write) => {
        await write("a");
        controller.abort(new Error("SIGTERM"));
        return new Promise<never>(() => {});
      },
      controller.signal,
    );
    await expect(stuck).rejects.toThrow("SIGTERM");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("rejects an existing file instead of overwriting it", async () => {
    const dir = freshDir();
    const path = join(dir, "out.jsonl");
    writeFileSync(path, "keep");
    await expect(writeAtomically(path, async () => {})).rejects.toThrow(
      `${path} already exists; choose another name or delete it`,
    );
    expect(readFileSync(path, "utf8")).toBe("keep");
  });
});

describe("backupCounts", () => {
  it("reads the counts from the trailer", async () => {
    const path = join(freshDir(), "g.jsonl");
    writeFileSync(
      path,
      '{"format":"shipyard-graph-export"}\n{"kind":"trailer","schema":1,"nodes":3,"relationships":2}\n',
    );
    await expect(backupCounts(path)).resolves.toEqual({ nodes: 3, relationships: 2 });
  });

  it("reports a file without a final newline as truncated", async () => {
    const path = join(freshDir(), "g.jsonl");
    writeFileSync(
      path,
      '{"format":"shipyard-graph-export"}\n{"kind":"trailer","schema":1,"nodes":3,"relationships":2}',
    );
    await expect(backupCounts(path)).resolves.toEqual({
      error:
        "truncated: the last line is not the export trailer, so the export did not finish; use another backup",
    });
  });
});
