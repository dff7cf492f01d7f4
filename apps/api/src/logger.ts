import type { LogLevel } from "./config.js";

export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logger: one JSON object per line, so `docker logs` output is machine-readable. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  /** Lines below this level are dropped. */
  readonly level: LogLevel;
  /** Where lines go. @default - process.stdout */
  readonly write?: (line: string) => void;
  /** Clock for the `time` field. @default - the system clock */
  readonly now?: () => Date;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const threshold = SEVERITY[options.level];

  const log = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (SEVERITY[level] < threshold) return;
    const entry = { time: now().toISOString(), level, msg, ...serializeErrors(fields) };
    write(`${JSON.stringify(entry)}\n`);
  };

  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
  };
}

/** A logger that discards everything, for tests that do not inspect logs. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });

/** Error objects stringify to `{}`; keep their name and message instead. */
function serializeErrors(fields: LogFields): LogFields {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
  }
  return out;
}
