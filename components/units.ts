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
  return { nanoCpus };
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
