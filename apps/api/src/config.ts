import { readFileSync } from "node:fs";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The API's runtime settings, parsed from the environment by {@link parseConfig}. */
export interface Config {
  /** TCP port the HTTP server listens on. */
  readonly port: number;
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly user: string;
    /** Read from the file named by DATABASE_PASSWORD_FILE; never from the environment. */
    readonly password: string;
  };
  readonly redis: {
    readonly host: string;
    readonly port: number;
    /** Read from the file named by REDIS_PASSWORD_FILE; undefined when that variable is unset. */
    readonly password: string | undefined;
  };
  /** Neo4j, which holds the links between todos; undefined when GRAPH_URL is unset (links off). */
  readonly graph: GraphSettings | undefined;
  /** Lifetime of cached reads, in seconds. */
  readonly cacheTtlSeconds: number;
  readonly logLevel: LogLevel;
}

export interface GraphSettings {
  /** A bolt:// or neo4j:// URL, e.g. bolt://graph:7687. */
  readonly url: string;
  readonly user: string;
  /** Read from the file named by GRAPH_PASSWORD_FILE; never from the environment. */
  readonly password: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a secret file; injected so parsing stays pure in tests. */
export type ReadFile = (path: string) => string;

/** Every problem found in the environment, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`invalid configuration:\n  - ${errors.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const MAX_CACHE_TTL_SECONDS = 86_400;
const GRAPH_SCHEMES = ["bolt:", "neo4j:"];

/**
 * Parses the API's environment contract. Returns the config or throws one {@link ConfigError}
 * listing every invalid variable, each message naming the variable.
 */
export function parseConfig(env: Env, readFile: ReadFile = readUtf8): Config {
  const errors: string[] = [];
  const read = new EnvReader(env, errors);

  // Secrets come only from files (mounted under /run/secrets); a password in the environment
  // leaks through `docker inspect`, so its presence is an error rather than a fallback.
  for (const name of ["DATABASE_PASSWORD", "REDIS_PASSWORD", "GRAPH_PASSWORD"]) {
    if (read.optional(name) !== undefined) {
      errors.push(`${name} is not supported; write the password to a file and set ${name}_FILE`);
    }
  }

  const config: Config = {
    port: read.integer("PORT", 8080, 1, 65_535),
    database: {
      host: read.required("DATABASE_HOST"),
      port: read.integer("DATABASE_PORT", 5432, 1, 65_535),
      name: read.required("DATABASE_NAME"),
      user: read.required("DATABASE_USER"),
      password: read.secretFile("DATABASE_PASSWORD_FILE", readFile, true) ?? "",
    },
    redis: {
      host: read.required("REDIS_HOST"),
      port: read.integer("REDIS_PORT", 6379, 1, 65_535),
      password: read.secretFile("REDIS_PASSWORD_FILE", readFile, false),
    },
    graph: parseGraph(read, readFile, errors),
    cacheTtlSeconds: read.integer("CACHE_TTL_SECONDS", 30, 1, MAX_CACHE_TTL_SECONDS),
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
  };

  if (errors.length > 0) throw new ConfigError(errors);
  return config;
}

/**
 * Links are optional: without GRAPH_URL the feature is off. GRAPH_USER or GRAPH_PASSWORD_FILE
 * without GRAPH_URL is reported, since it means an operator meant to turn links on and would
 * otherwise find them silently off.
 */
function parseGraph(read: EnvReader, readFile: ReadFile, errors: string[]): GraphSettings | undefined {
  const url = read.optional("GRAPH_URL");
  if (url === undefined) {
    for (const name of ["GRAPH_USER", "GRAPH_PASSWORD_FILE"]) {
      if (read.optional(name) !== undefined) {
        errors.push(`${name} is set but GRAPH_URL is not; set GRAPH_URL to enable links, or unset ${name}`);
      }
    }
    return undefined;
  }
  const urlError = graphUrlError(url);
  if (urlError !== undefined) errors.push(urlError);
  const requirement = "when GRAPH_URL is set";
  return {
    url,
    user: read.required("GRAPH_USER", requirement),
    password: read.secretFile("GRAPH_PASSWORD_FILE", readFile, true, requirement) ?? "",
  };
}

/** The message for an unusable GRAPH_URL, or undefined when it is a bolt:// or neo4j:// URL. */
export function graphUrlError(raw: string): string | undefined {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url === undefined || !GRAPH_SCHEMES.includes(url.protocol) || url.hostname === "") {
    return `GRAPH_URL must be a bolt:// or neo4j:// URL such as bolt://graph:7687, got "${raw}"`;
  }
  // Credentials in the URL would be visible to `docker inspect`, like a password variable.
  if (url.username !== "" || url.password !== "") {
    return "GRAPH_URL must not contain credentials; set GRAPH_USER and GRAPH_PASSWORD_FILE";
  }
  return undefined;
}

/** Strips the trailing newline editors and `echo` add, keeping any other whitespace. */
export function trimSecret(content: string): string {
  return content.replace(/\r?\n$/, "");
}

function readUtf8(path: string): string {
  return readFileSync(path, "utf8");
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly errors: string[],
  ) {}

  /** An unset or empty variable both count as absent. */
  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  }

  /** `condition` says when the variable is required, e.g. "when GRAPH_URL is set". */
  required(name: string, condition?: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      this.errors.push(condition === undefined ? `${name} is required` : `${name} is required ${condition}`);
    }
    return value ?? "";
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.errors.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const match = allowed.find((candidate) => candidate === raw.toLowerCase());
    if (match === undefined) {
      this.errors.push(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
      return fallback;
    }
    return match;
  }

  secretFile(name: string, readFile: ReadFile, isRequired: boolean, condition?: string): string | undefined {
    const path = isRequired ? this.required(name, condition) : this.optional(name);
    if (path === undefined || path === "") return undefined;
    let content: string;
    try {
      content = trimSecret(readFile(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.errors.push(`${name} points to "${path}", which cannot be read (${code})`);
      return undefined;
    }
    if (content === "") {
      this.errors.push(`${name} points to "${path}", which is empty`);
      return undefined;
    }
    return content;
  }
}
