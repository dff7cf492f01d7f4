import { describe, expect, it } from "vitest";
import {
  bytesToMegabytes,
  formatMemory,
  parseCpus,
  parseDuration,
  parseMemory,
  providerCpus,
  goDuration,
  swarmDuration,
} from "../../components/units";

const MIB = 1024 * 1024;

describe("parseMemory", () => {
  it.each([
    ["512m", 536_870_912],
    ["1g", 1_073_741_824],
    ["1GiB", 1_073_741_824],
    ["1.5g", 1_610_612_736],
    ["6m", 6 * MIB],
    ["256mb", 256 * MIB],
    ["8192k", 8 * MIB],
    [" 64m ", 64 * MIB],
  ])("parses %j into %i bytes", (value, bytes) => {
    expect(parseMemory(value)).toEqual({ bytes });
  });

  it.each([
    ["512", 'must be a size with a unit such as "512m" or "1g", got "512"'],
    ["1.5GiBs", 'must be a size with a unit such as "512m" or "1g", got "1.5GiBs"'],
    ["-1m", 'must be a size with a unit such as "512m" or "1g", got "-1m"'],
    ["", 'must be a size with a unit such as "512m" or "1g", got ""'],
    ["0m", `must be at least 6m (Docker's minimum), got "0m"`],
    ["5m", `must be at least 6m (Docker's minimum), got "5m"`],
    ["6143k", `must be at least 6m (Docker's minimum), got "6143k"`],
  ])("rejects %j", (value, error) => {
    expect(parseMemory(value)).toEqual({ error });
  });
});

describe("parseCpus", () => {
  it.each([
    ["0.5", 500_000_000],
    ["2", 2_000_000_000],
    ["0.11", 110_000_000],
    ["1.5", 1_500_000_000],
    ["1.000000001", 1_000_000_001],
  ])("parses %j into %i nano-CPUs", (value, nanoCpus) => {
    expect(parseCpus(value)).toEqual({ nanoCpus });
  });

  it.each([
    ["abc", 'must be a decimal number of CPUs such as "0.5" or "2", got "abc"'],
    ["-1", 'must be a decimal number of CPUs such as "0.5" or "2", got "-1"'],
    ["1.0000000001", 'must be a decimal number of CPUs such as "0.5" or "2", got "1.0000000001"'],
    ["0", 'must be at least "0.01", got "0"'],
    ["0.001", 'must be at least "0.01", got "0.001"'],
    [
      "0.05",
      'cannot be kept: the Docker provider reads "0.05" back as "0.1", so every update would replace the container; use a value such as "0.1" or "0.25", got "0.05"',
    ],
    [
      "0.01",
      'cannot be kept: the Docker provider reads "0.01" back as "0.0", so every update would replace the container; use a value such as "0.1" or "0.25", got "0.01"',
    ],
  ])("rejects %j", (value, error) => {
    expect(parseCpus(value)).toEqual({ error });
  });
});

// terraform-provider-docker's nanoInt64ToDecimalString, which a real refresh showed reading "1" as
// "1.0": what it returns for each value is what shipyard must send.
describe("providerCpus", () => {
  it.each([
    [1_000_000_000, "1.0"],
    [2_000_000_000, "2.0"],
    [500_000_000, "0.5"],
    [250_000_000, "0.25"],
    [1_500_000_000, "1.5"],
    [100_000_000, "0.1"],
    [110_000_000, "0.11"],
    [1_000_000_001, "1.000000001"],
    [10_000_000_000, "10."],
    [50_000_000, "0.1"],
    [10_000_000, "0.0"],
    [0, "0"],
  ])("reads %i nano-CPUs as %j", (nanoCpus, text) => {
    expect(providerCpus(nanoCpus)).toBe(text);
  });
});

describe("parseDuration", () => {
  it.each([
    ["10s", 10e9],
    ["500ms", 500e6],
    ["1m30s", 90e9],
    ["1h", 3600e9],
    ["1.5s", 1.5e9],
  ])("parses %j into %i ns", (value, nanos) => {
    expect(parseDuration(value)).toEqual({ nanos });
  });

  it.each(["10", "5 sec", "1h30", "s", ""])("rejects %j", (value) => {
    expect(parseDuration(value)).toEqual({
      error: `must be a duration with a unit such as "10s", "500ms" or "1m30s", got ${JSON.stringify(value)}`,
    });
  });
});

describe("bytesToMegabytes", () => {
  it.each([
    [536_870_912, 512],
    [536_870_913, 513],
    [6 * MIB, 6],
    [1, 1],
  ])("converts %i bytes to %i MB, rounding up", (bytes, mb) => {
    expect(bytesToMegabytes(bytes)).toBe(mb);
  });
});

describe("formatMemory", () => {
  it.each([
    [536_870_912, "512m"],
    [1_073_741_824, "1g"],
    [2 * 1_073_741_824, "2g"],
    [1_610_612_736, "1536m"],
    [96 * MIB, "96m"],
    [1536, "1k"],
  ])("formats %i bytes as %j", (bytes, text) => {
    expect(formatMemory(bytes)).toBe(text);
  });
});

// How the provider reads durations back: a container's healthcheck with Go's Duration.String(), a
// Swarm service's with `shortDur`. Sending "60s" for either drifts on every refresh.
describe("goDuration and swarmDuration", () => {
  it.each([
    [0, "0s", "0s"],
    [500e6, "500ms", "500ms"],
    [1.5e9, "1.5s", "1.5s"],
    [10e9, "10s", "10s"],
    [60e9, "1m0s", "1m"],
    [80e9, "1m20s", "1m20s"],
    [150e9, "2m30s", "2m30s"],
    [3600e9, "1h0m0s", "1h"],
    [3690e9, "1h1m30s", "1h1m30s"],
  ])("writes %i ns as %j (container) and %j (swarm)", (nanos, container, swarm) => {
    expect([goDuration(nanos), swarmDuration(nanos)]).toEqual([container, swarm]);
  });
});
