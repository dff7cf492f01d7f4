import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig, trimSecret, type Env } from "../src/config.js";

const FILES: Readonly<Record<string, string>> = {
  "/run/secrets/db_password": "s3cret\n",
  "/run/secrets/redis_password": "r3dis\r\n",
  "/run/secrets/empty": "\n",
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
      CACHE_TTL_SECONDS: "120",
      LOG_LEVEL: "DEBUG",
    };
    expect(parseConfig(env, fakeReadFile)).toEqual({
      port: 9000,
      database: { host: "db", port: 6543, name: "todos", user: "api", password: "s3cret" },
      redis: { host: "cache", port: 6380, password: "r3dis" },
      cacheTtlSeconds: 120,
      logLevel: "debug",
    });
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
      const config = parseConfig({
        ...MINIMAL,
        DATABASE_PASSWORD_FILE: dbFile,
        REDIS_PASSWORD_FILE: redisFile,
      });
      expect(config.database.password).toBe("from-disk");
      expect(config.redis.password).toBe("redis-from-disk");
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
