import { describe, expect, it } from "vitest";
import {
  bytesToMegabytes,
  formatMemory,
  parseCpus,
  parseDuration,
  parseMemory,
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
    ["0.01", 10_000_000],
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
  ])("rejects %j", (value, error) => {
    expect(parseCpus(value)).toEqual({ error });
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
