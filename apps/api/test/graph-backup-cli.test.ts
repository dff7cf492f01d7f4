import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, type Env } from "../src/config.js";
import {
  backupCounts,
  backupFileName,
  backupStamp,
  expiredBackups,
  leftoverPartials,
  parseArgs,
  parseGraphBackupEnv,
  resolveBackupPath,
  runCli,
  runSchedule,
  writeAtomically,
  type BackupResult,
  type Command,
} from "../src/graph-backup-cli.js";
import { createLogger } from "../src/logger.js";

const FILES: Readonly<Record<string, string>> = {
  "/run/secrets/graph_password": "s3cret\n",
  "/run/secrets/empty": "\n",
};

function fakeReadFile(path: string): string {
  const content = FILES[path];
  if (content === undefined)
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
  return content;
}

const RUN_ENV: Env = {
  GRAPH_URL: "bolt://graph:7687",
  GRAPH_USER: "neo4j",
  GRAPH_PASSWORD_FILE: "/run/secrets/graph_password",
  BACKUP_DIR: "/backups",
};

function errorsOf(env: Env, command: Command = "run"): readonly string[] {
  try {
    parseGraphBackupEnv(env, command, fakeReadFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.errors;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const scratch = mkdtempSync(join(tmpdir(), "graph-backup-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function freshDir(): string {
  return mkdtempSync(join(scratch, "dir-"));
}

describe("parseGraphBackupEnv", () => {
  it("applies the defaults for run", () => {
    expect(parseGraphBackupEnv(RUN_ENV, "run", fakeReadFile)).toEqual({
      graph: { url: "bolt://graph:7687", user: "neo4j", password: "s3cret" },
      backupDir: "/backups",
      intervalMinutes: 1440,
      retention: 7,
      logLevel: "info",
    });
  });

  it("reads every variable when all are set", () => {
    const env: Env = {
      ...RUN_ENV,
      GRAPH_URL: "neo4j+s://graph.example:7687",
      BACKUP_INTERVAL_MINUTES: "5",
      BACKUP_RETENTION: "1",
      LOG_LEVEL: "WARN",
    };
    expect(parseGraphBackupEnv(env, "run", fakeReadFile)).toEqual({
      graph: { url: "neo4j+s://graph.example:7687", user: "neo4j", password: "s3cret" },
      backupDir: "/backups",
      intervalMinutes: 5,
      retention: 1,
      logLevel: "warn",
    });
  });

  it("needs neither the graph nor its password for list", () => {
    expect(parseGraphBackupEnv({ BACKUP_DIR: "/backups" }, "list", fakeReadFile).graph).toBeUndefined();
  });

  it("does not need BACKUP_DIR for export and restore", () => {
    const env: Env = { ...RUN_ENV, BACKUP_DIR: undefined };
    expect(parseGraphBackupEnv(env, "export", fakeReadFile).backupDir).toBeUndefined();
    expect(parseGraphBackupEnv(env, "restore", fakeReadFile).backupDir).toBeUndefined();
  });

  it("rejects an empty environment listing every missing variable at once", () => {
    expect(errorsOf({})).toEqual([
      "GRAPH_URL is required",
      "GRAPH_USER is required",
      "GRAPH_PASSWORD_FILE is required",
      "BACKUP_DIR is required",
    ]);
    expect(errorsOf({}, "list")).toEqual(["BACKUP_DIR is required"]);
  });

  it.each<[string, Env, string]>([
    [
      "a password in the environment",
      { GRAPH_PASSWORD: "hunter2" },
      "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
    ],
    [
      "an http URL",
      { GRAPH_URL: "http://graph:7474" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL, got "http://graph:7474"',
    ],
    [
      "a URL without a host",
      { GRAPH_URL: "bolt://" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL, got "bolt://"',
    ],
    [
      "a bare host",
      { GRAPH_URL: "graph:7687" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL, got "graph:7687"',
    ],
    [
      "a missing password file",
      { GRAPH_PASSWORD_FILE: "/run/secrets/missing" },
      'GRAPH_PASSWORD_FILE points to "/run/secrets/missing", which cannot be read (ENOENT)',
    ],
    [
      "an empty password file",
      { GRAPH_PASSWORD_FILE: "/run/secrets/empty" },
      'GRAPH_PASSWORD_FILE points to "/run/secrets/empty", which is empty',
    ],
    [
      "an interval below 5 minutes",
      { BACKUP_INTERVAL_MINUTES: "4" },
      'BACKUP_INTERVAL_MINUTES must be an integer from 5 to 10080, got "4"',
    ],
    [
      "an interval above a week",
      { BACKUP_INTERVAL_MINUTES: "10081" },
      'BACKUP_INTERVAL_MINUTES must be an integer from 5 to 10080, got "10081"',
    ],
    [
      "a fractional interval",
      { BACKUP_INTERVAL_MINUTES: "7.5" },
      'BACKUP_INTERVAL_MINUTES must be an integer from 5 to 10080, got "7.5"',
    ],
    ["retention 0", { BACKUP_RETENTION: "0" }, 'BACKUP_RETENTION must be an integer ≥ 1, got "0"'],
    ["a negative retention", { BACKUP_RETENTION: "-3" }, 'BACKUP_RETENTION must be an integer ≥ 1, got "-3"'],
    [
      "an unknown LOG_LEVEL",
      { LOG_LEVEL: "trace" },
      'LOG_LEVEL must be one of debug, info, warn, error, got "trace"',
    ],
  ])("rejects %s", (_name, override, message) => {
    expect(errorsOf({ ...RUN_ENV, ...override })).toEqual([message]);
  });

  it("rejects several problems together, each naming its variable", () => {
    expect(
      errorsOf({ ...RUN_ENV, GRAPH_PASSWORD: "x", BACKUP_INTERVAL_MINUTES: "1", BACKUP_RETENTION: "0" }),
    ).toEqual([
      "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
      'BACKUP_INTERVAL_MINUTES must be an integer from 5 to 10080, got "1"',
      'BACKUP_RETENTION must be an integer ≥ 1, got "0"',
    ]);
  });
});

describe("parseArgs", () => {
  it.each<[string[], unknown]>([
    [["run"], { command: "run", file: undefined }],
    [["list"], { command: "list", file: undefined }],
    [["export", "/tmp/g.jsonl"], { command: "export", file: "/tmp/g.jsonl" }],
    [
      ["restore", "graph-20261130T035500Z.jsonl"],
      { command: "restore", file: "graph-20261130T035500Z.jsonl" },
    ],
  ])("reads %j", (argv, invocation) => {
    expect(parseArgs(argv)).toEqual(invocation);
  });

  it.each<[string, string[], string]>([
    ["no command", [], "missing command; use one of run, export, restore, list"],
    ["an unknown command", ["backup"], 'unknown command "backup"; use one of run, export, restore, list'],
    ["export without a file", ["export"], "export needs a file: node dist/graph-backup.js export <file>"],
    ["restore without a file", ["restore"], "restore needs a file: node dist/graph-backup.js restore <file>"],
    ["restore with two files", ["restore", "a", "b"], "restore takes one file, got 2 arguments"],
    ["run with an argument", ["run", "--now"], 'run takes no arguments, got "--now"'],
  ])("rejects %s", (_name, argv, error) => {
    expect(parseArgs(argv)).toEqual({ error });
  });
});

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
    expect(expiredBackups(NAMES, retention)).toEqual(expired);
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

/** A directory, clock and export held in memory; every run takes 2 s of fake time. */
function fakeSchedule(options: { failRuns?: number[]; stopAfterRuns: number; existing?: string[] }) {
  const files = new Set(options.existing ?? []);
  const logs: Record<string, unknown>[] = [];
  const marks: number[] = [];
  const sleeps: number[] = [];
  const controller = new AbortController();
  let clockMs = Date.parse("2026-11-30T03:55:00Z");
  let runs = 0;
  const backup = (file: string): Promise<BackupResult> => {
    runs++;
    clockMs += 2_000;
    if (options.failRuns?.includes(runs)) {
      return Promise.reject(new Error("Could not perform discovery. No routing servers available."));
    }
    files.add(file.replace("/backups/", ""));
    return Promise.resolve({ schema: 1, nodes: 10, relationships: 4, skippedRelationships: 0, bytes: 512 });
  };
  const done = runSchedule({
    backupDir: "/backups",
    intervalMs: 300_000,
    retention: 2,
    backup,
    markSuccess: (seconds) => Promise.resolve(void marks.push(seconds)),
    listDir: () => Promise.resolve([...files]),
    remove: (path) => Promise.resolve(void files.delete(path.replace("/backups/", ""))),
    now: () => new Date(clockMs),
    sleep: (ms) => {
      sleeps.push(ms);
      clockMs += ms;
      if (runs >= options.stopAfterRuns) controller.abort();
      return Promise.resolve();
    },
    logger: createLogger({
      level: "debug",
      write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
      now: () => new Date(clockMs),
    }),
    signal: controller.signal,
  });
  return { done, files, logs, marks, sleeps };
}

describe("runSchedule", () => {
  it("backs up at once and every interval, keeps the newest files and records each success", async () => {
    const run = fakeSchedule({ stopAfterRuns: 3, existing: ["graph-20261101T000000Z.jsonl"] });
    await run.done;
    expect([...run.files].sort()).toEqual(["graph-20261130T040000Z.jsonl", "graph-20261130T040500Z.jsonl"]);
    expect(run.sleeps).toEqual([298_000, 298_000, 298_000]);
    const seconds = (iso: string): number => Date.parse(iso) / 1000;
    expect(run.marks).toEqual([
      seconds("2026-11-30T03:55:02Z"),
      seconds("2026-11-30T04:00:02Z"),
      seconds("2026-11-30T04:05:02Z"),
    ]);
    expect(run.logs.map((log) => [log["level"], log["msg"], log["file"], log["deleted"]])).toEqual([
      ["info", "backup written", "/backups/graph-20261130T035500Z.jsonl", []],
      ["info", "backup written", "/backups/graph-20261130T040000Z.jsonl", ["graph-20261101T000000Z.jsonl"]],
      ["info", "backup written", "/backups/graph-20261130T040500Z.jsonl", ["graph-20261130T035500Z.jsonl"]],
    ]);
    expect(run.logs[0]).toEqual({
      time: "2026-11-30T03:55:02.000Z",
      level: "info",
      msg: "backup written",
      file: "/backups/graph-20261130T035500Z.jsonl",
      schema: 1,
      nodes: 10,
      relationships: 4,
      skippedRelationships: 0,
      bytes: 512,
      durationMs: 2000,
      deleted: [],
    });
  });

  it("logs a failed run, keeps going, and does not record it as a success", async () => {
    const run = fakeSchedule({ stopAfterRuns: 3, failRuns: [2] });
    await run.done;
    expect(run.marks).toHaveLength(2);
    expect(run.logs[1]).toEqual({
      time: "2026-11-30T04:00:02.000Z",
      level: "error",
      msg: "backup failed",
      file: "/backups/graph-20261130T040000Z.jsonl",
      durationMs: 2000,
      error: { name: "Error", message: "Could not perform discovery. No routing servers available." },
    });
    expect(run.logs.map((log) => log["msg"])).toEqual(["backup written", "backup failed", "backup written"]);
  });

  it("removes partial files left by a killed run before the first backup", async () => {
    const run = fakeSchedule({ stopAfterRuns: 1, existing: ["graph-20261129T000000Z.jsonl.partial"] });
    await run.done;
    expect([...run.files]).toEqual(["graph-20261130T035500Z.jsonl"]);
  });

  it("returns without logging a failure when stopped during a backup", async () => {
    const controller = new AbortController();
    const logs: string[] = [];
    await runSchedule({
      backupDir: "/backups",
      intervalMs: 300_000,
      retention: 1,
      backup: (_file, signal) => {
        controller.abort();
        return Promise.reject(signal.reason as Error);
      },
      listDir: () => Promise.resolve([]),
      logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
      signal: controller.signal,
    });
    expect(logs).toEqual([]);
  });
});

describe("runCli", () => {
  function cli(argv: string[], env: Env) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli(argv, {
      env,
      readFile: fakeReadFile,
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      connect: () => {
        throw new Error("must not connect");
      },
      signal: new AbortController().signal,
    });
    return { code, out, err };
  }

  it("rejects a usage error with exit code 2 and the usage on stderr", async () => {
    const run = cli(["restore"], RUN_ENV);
    await expect(run.code).resolves.toBe(2);
    expect(run.err.join("")).toMatch(
      /^graph-backup: restore needs a file: node dist\/graph-backup.js restore <file>\nusage: node dist\/graph-backup.js <command>\n/,
    );
    expect(run.out).toEqual([]);
  });

  it("rejects an invalid environment with exit code 2 and one JSON line listing every problem", async () => {
    const run = cli(["run"], { GRAPH_PASSWORD: "x" });
    await expect(run.code).resolves.toBe(2);
    expect(run.out).toHaveLength(1);
    expect(JSON.parse(run.out[0] ?? "")).toMatchObject({
      level: "error",
      msg: "invalid configuration",
      errors: [
        "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
        "GRAPH_URL is required",
        "GRAPH_USER is required",
        "GRAPH_PASSWORD_FILE is required",
        "BACKUP_DIR is required",
      ],
    });
  });

  it("lists the backups newest first with their counts, marking incomplete ones", async () => {
    const dir = freshDir();
    const trailer = '{"kind":"trailer","schema":0,"nodes":5,"relationships":1}\n';
    writeFileSync(join(dir, "graph-20261129T035500Z.jsonl"), `{}\n${trailer}`);
    writeFileSync(join(dir, "graph-20261130T035500Z.jsonl"), "{}\n{");
    writeFileSync(join(dir, "notes.txt"), "");
    const run = cli(["list"], { BACKUP_DIR: dir });
    await expect(run.code).resolves.toBe(0);
    expect(run.out).toEqual([
      "graph-20261130T035500Z.jsonl  4 bytes  INCOMPLETE: truncated: the last line is not the export trailer, so the export did not finish; use another backup\n",
      `graph-20261129T035500Z.jsonl  ${3 + trailer.length} bytes  5 nodes, 1 relationships\n`,
    ]);
  });

  it("rejects restoring a file that does not exist with exit code 3", async () => {
    const dir = freshDir();
    const out: string[] = [];
    const run = runCli(["restore", "graph-20261130T035500Z.jsonl"], {
      env: { ...RUN_ENV, BACKUP_DIR: dir },
      readFile: fakeReadFile,
      stdout: (text) => out.push(text),
      stderr: () => {},
      connect: () => ({ close: async () => {} }) as never,
      signal: new AbortController().signal,
    });
    await expect(run).resolves.toBe(3);
    expect(JSON.parse(out[0] ?? "")).toMatchObject({
      level: "error",
      msg: "restore refused",
      error: `no such file: ${dir}/graph-20261130T035500Z.jsonl; run "list" to see the backups`,
    });
  });
});
