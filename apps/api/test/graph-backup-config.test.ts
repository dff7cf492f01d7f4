import { describe, expect, it } from "vitest";
import { ConfigError, type Env } from "../src/config.js";
import { parseArgs, parseGraphBackupEnv, type Command } from "../src/graph-backup-config.js";
import { fakeReadFile, RUN_ENV } from "./graph-backup-fixtures.js";

function errorsOf(env: Env, command: Command = "run"): readonly string[] {
  try {
    parseGraphBackupEnv(env, command, fakeReadFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.errors;
    throw error;
  }
  throw new Error("expected a ConfigError");
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
      GRAPH_URL: "neo4j://graph.example:7687",
      BACKUP_INTERVAL_MINUTES: "5",
      BACKUP_RETENTION: "1",
      LOG_LEVEL: "WARN",
    };
    expect(parseGraphBackupEnv(env, "run", fakeReadFile)).toEqual({
      graph: { url: "neo4j://graph.example:7687", user: "neo4j", password: "s3cret" },
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
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got \"http://graph:7474\"',
    ],
    [
      "a URL without a host",
      { GRAPH_URL: "bolt://" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got \"bolt://\"',
    ],
    [
      "a bare host",
      { GRAPH_URL: "graph:7687" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got \"graph:7687\"',
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
    [["run"], { command: "run" }],
    [["list"], { command: "list" }],
    [["export", "/tmp/g.jsonl"], { command: "export", file: "/tmp/g.jsonl" }],
    [
      ["restore", "graph-20261130T035500Z.jsonl"],
      { command: "restore", file: "graph-20261130T035500Z.jsonl" },
    ],
    // The newest backup that holds nodes, chosen from BACKUP_DIR.
    [["restore"], { command: "restore" }],
  ])("reads %j", (argv, invocation) => {
    expect(parseArgs(argv)).toEqual(invocation);
  });

  it.each<[string, string[], string]>([
    ["no command", [], "missing command; use one of run, export, restore, list"],
    ["an unknown command", ["backup"], 'unknown command "backup"; use one of run, export, restore, list'],
    ["export without a file", ["export"], "export needs a file: node dist/graph-backup.js export <file>"],
    ["restore with two files", ["restore", "a", "b"], "restore takes one file, got 2 arguments"],
    ["run with an argument", ["run", "--now"], 'run takes no arguments, got "--now"'],
  ])("rejects %s", (_name, argv, error) => {
    expect(parseArgs(argv)).toEqual({ error });
  });
});
