import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig, trimSecret, type Env } from "../src/config.js";

const FILES: Readonly<Record<string, string>> = {
  "/run/secrets/db_password": "s3cret\n",
  "/run/secrets/redis_password": "r3dis\r\n",
  "/run/secrets/empty": "\n",
  "/run/secrets/graph_password": "gr4ph\n",
};

function fakeReadFile(path: string): string {
  const content = FILES[path];
  if (content === undefined)
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
  return content;
}

const MINIMAL: Env = {
  DATABASE_HOST: "db",
  DATABASE_NAME: "todos",
  DATABASE_USER: "api",
  DATABASE_PASSWORD_FILE: "/run/secrets/db_password",
  REDIS_HOST: "cache",
};

const GRAPH: Env = {
  GRAPH_URL: "bolt://graph:7687",
  GRAPH_USER: "neo4j",
  GRAPH_PASSWORD_FILE: "/run/secrets/graph_password",
};

function errorsOf(env: Env): readonly string[] {
  try {
    parseConfig(env, fakeReadFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.errors;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("applies every default to the minimal environment", () => {
    expect(parseConfig(MINIMAL, fakeReadFile)).toEqual({
      port: 8080,
      database: { host: "db", port: 5432, name: "todos", user: "api", password: "s3cret" },
      redis: { host: "cache", port: 6379, password: undefined },
      graph: undefined,
      cacheTtlSeconds: 30,
      logLevel: "info",
    });
  });

  it("reads every variable when all are set", () => {
    const env: Env = {
      ...MINIMAL,
      PORT: "9000",
      DATABASE_PORT: "6543",
      REDIS_PORT: "6380",
      REDIS_PASSWORD_FILE: "/run/secrets/redis_password",
      ...GRAPH,
      CACHE_TTL_SECONDS: "120",
      LOG_LEVEL: "DEBUG",
    };
    expect(parseConfig(env, fakeReadFile)).toEqual({
      port: 9000,
      database: { host: "db", port: 6543, name: "todos", user: "api", password: "s3cret" },
      redis: { host: "cache", port: 6380, password: "r3dis" },
      graph: { url: "bolt://graph:7687", user: "neo4j", password: "gr4ph" },
      cacheTtlSeconds: 120,
      logLevel: "debug",
    });
  });

  it("leaves the graph off when GRAPH_URL is unset or empty", () => {
    expect(parseConfig(MINIMAL, fakeReadFile).graph).toBeUndefined();
    expect(parseConfig({ ...MINIMAL, GRAPH_URL: " " }, fakeReadFile).graph).toBeUndefined();
  });

  it("accepts a neo4j:// URL for the graph", () => {
    expect(parseConfig({ ...MINIMAL, ...GRAPH, GRAPH_URL: "neo4j://graph" }, fakeReadFile).graph).toEqual({
      url: "neo4j://graph",
      user: "neo4j",
      password: "gr4ph",
    });
  });

  it("rejects GRAPH_URL without GRAPH_USER and GRAPH_PASSWORD_FILE, naming both", () => {
    expect(errorsOf({ ...MINIMAL, GRAPH_URL: "bolt://graph:7687" })).toEqual([
      "GRAPH_USER is required when GRAPH_URL is set",
      "GRAPH_PASSWORD_FILE is required when GRAPH_URL is set",
    ]);
  });

  it("rejects GRAPH_USER and GRAPH_PASSWORD_FILE without GRAPH_URL, which would leave links silently off", () => {
    expect(errorsOf({ ...MINIMAL, ...GRAPH, GRAPH_URL: "" })).toEqual([
      "GRAPH_USER is set but GRAPH_URL is not; set GRAPH_URL to enable links, or unset GRAPH_USER",
      "GRAPH_PASSWORD_FILE is set but GRAPH_URL is not; set GRAPH_URL to enable links, or unset GRAPH_PASSWORD_FILE",
    ]);
  });

  it("treats empty variables as unset", () => {
    expect(parseConfig({ ...MINIMAL, PORT: "", REDIS_PASSWORD_FILE: " " }, fakeReadFile).port).toBe(8080);
  });

  it("rejects an empty environment listing every missing variable at once", () => {
    expect(errorsOf({})).toEqual([
      "DATABASE_HOST is required",
      "DATABASE_NAME is required",
      "DATABASE_USER is required",
      "DATABASE_PASSWORD_FILE is required",
      "REDIS_HOST is required",
    ]);
  });

  it.each<[string, Env, string]>([
    ["a non-numeric PORT", { PORT: "http" }, 'PORT must be an integer from 1 to 65535, got "http"'],
    ["PORT 0", { PORT: "0" }, 'PORT must be an integer from 1 to 65535, got "0"'],
    ["PORT above 65535", { PORT: "65536" }, 'PORT must be an integer from 1 to 65535, got "65536"'],
    [
      "a fractional DATABASE_PORT",
      { DATABASE_PORT: "5432.5" },
      'DATABASE_PORT must be an integer from 1 to 65535, got "5432.5"',
    ],
    [
      "a negative REDIS_PORT",
      { REDIS_PORT: "-1" },
      'REDIS_PORT must be an integer from 1 to 65535, got "-1"',
    ],
    [
      "CACHE_TTL_SECONDS 0",
      { CACHE_TTL_SECONDS: "0" },
      'CACHE_TTL_SECONDS must be an integer from 1 to 86400, got "0"',
    ],
    [
      "CACHE_TTL_SECONDS over a day",
      { CACHE_TTL_SECONDS: "86401" },
      'CACHE_TTL_SECONDS must be an integer from 1 to 86400, got "86401"',
    ],
    [
      "an unknown LOG_LEVEL",
      { LOG_LEVEL: "verbose" },
      'LOG_LEVEL must be one of debug, info, warn, error, got "verbose"',
    ],
    [
      "a missing password file",
      { DATABASE_PASSWORD_FILE: "/run/secrets/missing" },
      'DATABASE_PASSWORD_FILE points to "/run/secrets/missing", which cannot be read (ENOENT)',
    ],
    [
      "an empty password file",
      { REDIS_PASSWORD_FILE: "/run/secrets/empty" },
      'REDIS_PASSWORD_FILE points to "/run/secrets/empty", which is empty',
    ],
    [
      "a plaintext DATABASE_PASSWORD",
      { DATABASE_PASSWORD: "hunter2" },
      "DATABASE_PASSWORD is not supported; write the password to a file and set DATABASE_PASSWORD_FILE",
    ],
    [
      "a plaintext REDIS_PASSWORD",
      { REDIS_PASSWORD: "hunter2" },
      "REDIS_PASSWORD is not supported; write the password to a file and set REDIS_PASSWORD_FILE",
    ],
  ])("rejects %s", (_case, overrides, message) => {
    expect(errorsOf({ ...MINIMAL, ...overrides })).toEqual([message]);
  });

  it.each<[string, Env, string]>([
    [
      "an http:// GRAPH_URL",
      { GRAPH_URL: "http://graph:7474" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "http://graph:7474"',
    ],
    [
      "an encrypted bolt+s:// GRAPH_URL",
      { GRAPH_URL: "bolt+s://graph:7687" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "bolt+s://graph:7687"',
    ],
    [
      "a GRAPH_URL without a host",
      { GRAPH_URL: "bolt:graph" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "bolt:graph"',
    ],
    [
      "a GRAPH_URL with a port out of range",
      { GRAPH_URL: "bolt://graph:99999" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "bolt://graph:99999"',
    ],
    [
      "a bare host name as GRAPH_URL",
      { GRAPH_URL: "graph" },
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "graph"',
    ],
    [
      "credentials in GRAPH_URL",
      { GRAPH_URL: "bolt://neo4j:hunter2@graph:7687" },
      "GRAPH_URL must not contain credentials; set GRAPH_USER and GRAPH_PASSWORD_FILE",
    ],
    [
      "a missing graph password file",
      { GRAPH_PASSWORD_FILE: "/run/secrets/missing" },
      'GRAPH_PASSWORD_FILE points to "/run/secrets/missing", which cannot be read (ENOENT)',
    ],
    [
      "an empty graph password file",
      { GRAPH_PASSWORD_FILE: "/run/secrets/empty" },
      'GRAPH_PASSWORD_FILE points to "/run/secrets/empty", which is empty',
    ],
    [
      "a plaintext GRAPH_PASSWORD",
      { GRAPH_PASSWORD: "hunter2" },
      "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
    ],
  ])("rejects %s", (_case, overrides, message) => {
    expect(errorsOf({ ...MINIMAL, ...GRAPH, ...overrides })).toEqual([message]);
  });

  it("rejects a plaintext GRAPH_PASSWORD even when the graph is off", () => {
    expect(errorsOf({ ...MINIMAL, GRAPH_PASSWORD: "hunter2" })).toEqual([
      "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
    ]);
  });

  it("rejects graph problems together with the others, in one error", () => {
    expect(errorsOf({ ...MINIMAL, PORT: "x", GRAPH_URL: "http://graph", GRAPH_PASSWORD: "p" })).toEqual([
      "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
      'PORT must be an integer from 1 to 65535, got "x"',
      'GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "http://graph"',
      "GRAPH_USER is required when GRAPH_URL is set",
      "GRAPH_PASSWORD_FILE is required when GRAPH_URL is set",
    ]);
  });

  it("rejects several bad variables in one error whose message lists them all", () => {
    const run = (): unknown =>
      parseConfig({ ...MINIMAL, PORT: "x", LOG_LEVEL: "loud", REDIS_HOST: "" }, fakeReadFile);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      [
        "invalid configuration:",
        '  - PORT must be an integer from 1 to 65535, got "x"',
        "  - REDIS_HOST is required",
        '  - LOG_LEVEL must be one of debug, info, warn, error, got "loud"',
      ].join("\n"),
    );
  });

  describe("with real files", () => {
    const dir = mkdtempSync(join(tmpdir(), "api-config-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("reads *_FILE contents from disk by default", () => {
      const dbFile = join(dir, "db");
      const redisFile = join(dir, "redis");
      writeFileSync(dbFile, "from-disk\n");
      writeFileSync(redisFile, "redis-from-disk");
      const graphFile = join(dir, "graph");
      writeFileSync(graphFile, "graph-from-disk\r\n");
      const config = parseConfig({
        ...MINIMAL,
        DATABASE_PASSWORD_FILE: dbFile,
        REDIS_PASSWORD_FILE: redisFile,
        ...GRAPH,
        GRAPH_PASSWORD_FILE: graphFile,
      });
      expect(config.database.password).toBe("from-disk");
      expect(config.redis.password).toBe("redis-from-disk");
      expect(config.graph?.password).toBe("graph-from-disk");
    });

    it("rejects a *_FILE that names a directory", () => {
      expect(() => parseConfig({ ...MINIMAL, DATABASE_PASSWORD_FILE: dir })).toThrow(
        `DATABASE_PASSWORD_FILE points to "${dir}", which cannot be read (EISDIR)`,
      );
    });
  });
});

describe("trimSecret", () => {
  it.each([
    ["pw\n", "pw"],
    ["pw\r\n", "pw"],
    ["pw", "pw"],
    ["pw \n", "pw "],
    ["pw\n\n", "pw\n"],
  ])("turns %j into %j", (input, expected) => {
    expect(trimSecret(input)).toBe(expected);
  });
});
