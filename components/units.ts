/**
 * One unit system for every target: memory as `"512m"`, CPUs as `"0.5"`, durations as `"10s"`.
 *
 * Docker's container API wants memory in MB and CPUs as a decimal string; Swarm wants bytes and
 * nano-CPUs. Components take the strings and convert once, here.
 */

const MIB = 1024 * 1024;

const MEMORY_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: MIB,
  mb: MIB,
  mib: MIB,
  g: 1024 * MIB,
  gb: 1024 * MIB,
  gib: 1024 * MIB,
};

/** Docker refuses memory limits below 6 MiB. */
export const MIN_MEMORY_BYTES = 6 * MIB;

/** The smallest CPU share Docker accepts (`--cpus 0.01`). */
export const MIN_NANO_CPUS = 10_000_000;

const DURATION_UNITS: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Parses a size such as `"64m"`, `"1g"` or `"1GiB"` into bytes (units are binary, as in Docker).
 *
 * @returns the size in bytes, or an error message saying what is wrong and what is accepted
 */
export function parseSize(value: string): { bytes: number } | { error: string } {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(value.trim());
  const factor = match ? MEMORY_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    return { error: `must be a size with a unit such as "512m" or "1g", got ${JSON.stringify(value)}` };
  }
  return { bytes: Math.round(Number(match[1]) * factor) };
}

/**
 * Parses a memory limit: a size (see {@link parseSize}) of at least Docker's 6 MiB minimum.
 *
 * @returns the size in bytes, or an error message saying what is wrong and what is accepted
 */
export function parseMemory(value: string): { bytes: number } | { error: string } {
  const parsed = parseSize(value);
  if ("error" in parsed) return parsed;
  const bytes = parsed.bytes;
  if (bytes < MIN_MEMORY_BYTES) {
    return { error: `must be at least 6m (Docker's minimum), got ${JSON.stringify(value)}` };
  }
  return { bytes };
}

/**
 * Parses a CPU count such as `"0.5"` or `"2"` into nano-CPUs (1 CPU = 1e9).
 *
 * @returns nano-CPUs, or an error message
 */
export function parseCpus(value: string): { nanoCpus: number } | { error: string } {
  if (!/^\d+(\.\d{1,9})?$/.test(value.trim())) {
    return { error: `must be a decimal number of CPUs such as "0.5" or "2", got ${JSON.stringify(value)}` };
  }
  const [whole = "0", fraction = ""] = value.trim().split(".");
  const nanoCpus = Number(whole) * 1e9 + Number(fraction.padEnd(9, "0"));
  if (nanoCpus < MIN_NANO_CPUS) {
    return { error: `must be at least "0.01", got ${JSON.stringify(value)}` };
  }
  const readBack = providerCpus(nanoCpus);
  if (decimalNanos(readBack) !== nanoCpus) {
    return {
      error: `cannot be kept: the Docker provider reads ${JSON.stringify(value)} back as ${JSON.stringify(readBack)}, so every update would replace the container; use a value such as "0.1" or "0.25", got ${JSON.stringify(value)}`,
    };
  }
  return { nanoCpus };
}

/** A decimal string (`"1.0"`, `"10."`, `"0.25"`) as whole nano-units, exactly. */
function decimalNanos(value: string): number {
  const [whole = "0", fraction = ""] = value.split(".");
  return Number(whole || "0") * 1e9 + Number(fraction.padEnd(9, "0").slice(0, 9));
}

/**
 * nano-CPUs as the Docker provider reads `cpus` back from the engine (`nanoInt64ToDecimalString`
 * in terraform-provider-docker): the value with 9 decimals, then `"1.0"` when those digits hold
 * exactly nine zeros (rounded to one decimal), else trailing zeros trimmed (`"0.25"`, `"10."`).
 * `cpus` forces a replacement, so shipyard sends this form: anything else drifts on every refresh
 * and replaces the container on every `up` (a real run read `"1"` back as `"1.0"`).
 */
export function providerCpus(nanoCpus: number): string {
  if (nanoCpus === 0) return "0";
  const whole = Math.floor(nanoCpus / 1e9);
  const nines = `${whole}.${String(nanoCpus % 1e9).padStart(9, "0")}`;
  if ((nines.match(/0/g) ?? []).length === 9) {
    // big.Rat.FloatString(1): rounded half away from zero to one decimal.
    const tenths = Math.round(nanoCpus / 1e8);
    return `${Math.floor(tenths / 10)}.${tenths % 10}`;
  }
  return nines.replace(/0+$/, "");
}

/**
 * Parses a Docker duration such as `"10s"`, `"500ms"` or `"1m30s"` into nanoseconds.
 *
 * @returns nanoseconds, or an error message
 */
export function parseDuration(value: string): { nanos: number } | { error: string } {
  const parts = value.trim().match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g);
  if (!parts || parts.join("") !== value.trim()) {
    return {
      error: `must be a duration with a unit such as "10s", "500ms" or "1m30s", got ${JSON.stringify(value)}`,
    };
  }
  let nanos = 0;
  for (const part of parts) {
    const [, amount = "0", unit = "s"] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(part) ?? [];
    nanos += Number(amount) * DURATION_UNITS[unit]!;
  }
  return { nanos: Math.round(nanos) };
}

function trimFraction(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, "");
}

/**
 * nanoseconds as Go's `time.Duration.String()` writes them (`"10s"`, `"1m0s"`, `"1h0m0s"`,
 * `"500ms"`, `"1.5s"`, `"0s"`): how the Docker provider reads a container's healthcheck durations
 * back, so what shipyard sends in this form shows no drift on refresh.
 */
export function goDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  if (nanos < 1e3) return `${nanos}ns`;
  if (nanos < 1e6) return `${trimFraction(nanos / 1e3, 3)}µs`;
  if (nanos < 1e9) return `${trimFraction(nanos / 1e6, 6)}ms`;
  const hours = Math.floor(nanos / 3.6e12);
  const minutes = Math.floor((nanos % 3.6e12) / 6e10);
  const seconds = `${trimFraction((nanos % 6e10) / 1e9, 9)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/**
 * nanoseconds as the Docker provider reads a Swarm service's durations back (`shortDur`): Go's form
 * without a trailing `0s` or `0m` (`"1m"`, `"1h"`, `"2m30s"`, `"10s"`).
 */
export function swarmDuration(nanos: number): string {
  let text = goDuration(nanos);
  if (text.endsWith("m0s")) text = text.slice(0, -2);
  if (text.endsWith("h0m")) text = text.slice(0, -2);
  return text;
}

/**
 * A duration string already checked by {@link parseDuration}, in nanoseconds.
 *
 * @throws Error for a string that is not a duration (a bug: values are validated first)
 */
export function durationNanos(value: string): number {
  const parsed = parseDuration(value);
  if ("error" in parsed) throw new Error(`duration ${parsed.error}`);
  return parsed.nanos;
}

/** Bytes → whole MB for `docker.Container.memory`, rounded up so a limit is never lowered. */
export function bytesToMegabytes(bytes: number): number {
  return Math.ceil(bytes / MIB);
}

/** Memory → the lower-case Docker shorthand used in generated settings (`536870912` → `"512m"`). */
export function formatMemory(bytes: number): string {
  if (bytes % (1024 * MIB) === 0) return `${bytes / (1024 * MIB)}g`;
  if (bytes % MIB === 0) return `${bytes / MIB}m`;
  return `${Math.floor(bytes / 1024)}k`;
}
