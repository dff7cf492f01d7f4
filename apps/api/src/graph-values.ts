/**
 * Neo4j property values as JSON, for the graph export (see graph-format.ts). Strings, booleans
 * and non-integral finite floats stay plain JSON; every other type becomes a one-key tagged
 * object such as `{"$int":"9007199254740993"}`. Property values can never be maps, so an object in
 * a property position is always a tag.
 */
import neo4j, {
  Date as GraphDate,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
  int,
  isDate,
  isDateTime,
  isDuration,
  isInt,
  isLocalDateTime,
  isLocalTime,
  isPoint,
  isTime,
  type Integer,
} from "neo4j-driver";

const toNumber = neo4j.integer.toNumber;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A property value as the driver returns and accepts it (lossless integers, its default). */
export type PropertyValue =
  | boolean
  | string
  | number
  | Integer
  | Int8Array
  | GraphDate
  | Time
  | LocalTime
  | DateTime
  | LocalDateTime
  | Duration
  | Point
  | PropertyValue[];

export type Properties = Record<string, PropertyValue>;

/** A file that is not a complete, well-formed export; nothing has been written when it is thrown. */
export class FormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FormatError";
  }
}

/**
 * The JSON form of one property value. Strings, booleans and non-integral finite floats stay
 * plain JSON; everything else is tagged, because JSON numbers lose 64-bit integers, `-0`, NaN and
 * the difference between the integer 1 and the float 1.0.
 */
export function encodeValue(value: unknown): Json {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return encodeFloat(value);
  if (isInt(value)) return { $int: value.toString() };
  if (value instanceof Int8Array) {
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  if (isDate(value)) return { $date: formatDate(value.year, value.month, value.day) };
  if (isLocalTime(value)) {
    return { $localtime: formatTime(value.hour, value.minute, value.second, value.nanosecond) };
  }
  if (isTime(value)) {
    const time = formatTime(value.hour, value.minute, value.second, value.nanosecond);
    return { $time: time + formatOffset(toNumber(value.timeZoneOffsetSeconds)) };
  }
  if (isLocalDateTime(value)) {
    const date = formatDate(value.year, value.month, value.day);
    return {
      $localdatetime: `${date}T${formatTime(value.hour, value.minute, value.second, value.nanosecond)}`,
    };
  }
  if (isDateTime(value)) {
    const date = formatDate(value.year, value.month, value.day);
    const time = formatTime(value.hour, value.minute, value.second, value.nanosecond);
    // Both offset and zone when the server sends both: the offset picks the instant in a DST
    // overlap (02:30 in Berlin on the last Sunday of October happens twice).
    const offset =
      value.timeZoneOffsetSeconds === undefined ? "" : formatOffset(toNumber(value.timeZoneOffsetSeconds));
    const zone = value.timeZoneId ? `[${value.timeZoneId}]` : "";
    return { $datetime: `${date}T${time}${offset}${zone}` };
  }
  if (isDuration(value)) {
    // Components, not ISO 8601: Neo4j keeps months, days, seconds and nanoseconds independently
    // (P1M is not P30D), and each may exceed 2^53.
    return {
      $duration: {
        months: value.months.toString(),
        days: value.days.toString(),
        seconds: value.seconds.toString(),
        nanoseconds: value.nanoseconds.toString(),
      },
    };
  }
  if (isPoint(value)) {
    const point: { [key: string]: Json } = {
      srid: toNumber(value.srid),
      x: encodeCoordinate(value.x),
      y: encodeCoordinate(value.y),
    };
    if (value.z !== undefined) point["z"] = encodeCoordinate(value.z);
    return { $point: point };
  }
  throw new TypeError(`unsupported value ${describe(value)}`);
}

/** Reverses {@link encodeValue}; throws a FormatError naming what is wrong. */
export function decodeValue(encoded: unknown): PropertyValue {
  if (typeof encoded === "string" || typeof encoded === "boolean" || typeof encoded === "number") {
    return encoded;
  }
  if (Array.isArray(encoded)) return encoded.map(decodeValue);
  if (!isObject(encoded)) throw new FormatError(`unsupported value ${JSON.stringify(encoded)}`);
  const keys = Object.keys(encoded);
  const tag = keys[0];
  if (tag === undefined || keys.length !== 1) {
    throw new FormatError(`a tagged value has exactly one key, got ${JSON.stringify(encoded)}`);
  }
  const body = encoded[tag];
  const fail = (): never => {
    throw new FormatError(`invalid ${tag} value ${JSON.stringify(body)}`);
  };
  switch (tag) {
    case "$int":
      return typeof body === "string" && isInt64(body) ? int(body) : fail();
    case "$float":
      return parseFloatTag(body) ?? fail();
    case "$bytes":
      return typeof body === "string" && BASE64.test(body)
        ? Int8Array.from(Buffer.from(body, "base64"))
        : fail();
    case "$date":
      return parseTemporal(DATE, body, (m) => new GraphDate(...calendar(m, 1))) ?? fail();
    case "$localtime":
      return parseTemporal(LOCAL_TIME, body, (m) => new LocalTime(...clock(m, 1))) ?? fail();
    case "$time":
      return parseTemporal(TIME, body, (m) => new Time(...clock(m, 1), int(parseOffset(m[5])))) ?? fail();
    case "$localdatetime":
      return (
        parseTemporal(LOCAL_DATE_TIME, body, (m) => new LocalDateTime(...calendar(m, 1), ...clock(m, 4))) ??
        fail()
      );
    case "$datetime":
      return (
        parseTemporal(DATE_TIME, body, (m) =>
          m[8] === undefined && m[9] === undefined
            ? undefined
            : new DateTime(
                ...calendar(m, 1),
                ...clock(m, 4),
                m[8] === undefined ? undefined : int(parseOffset(m[8])),
                m[9] ?? null,
              ),
        ) ?? fail()
      );
    case "$duration":
      return parseDuration(body) ?? fail();
    case "$point":
      return parsePoint(body) ?? fail();
    default:
      throw new FormatError(`unknown tag ${JSON.stringify(tag)}`);
  }
}

/** Encodes every property; the error names the owner (`node 4:…:7`) and the property. */
export function encodeProperties(properties: Record<string, unknown>, owner: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(properties)) {
    try {
      out[key] = encodeValue(value);
    } catch (error) {
      throw new TypeError(`${owner} property ${JSON.stringify(key)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return out;
}

export function decodeProperties(properties: Record<string, Json>, owner: string): Properties {
  const out: Properties = {};
  for (const [key, value] of Object.entries(properties)) {
    try {
      out[key] = decodeValue(value);
    } catch (error) {
      throw new FormatError(`${owner} property ${JSON.stringify(key)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const DATE_PART = String.raw`([+-]\d{4,}|\d{4})-(\d{2})-(\d{2})`;
const TIME_PART = String.raw`(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?`;
const OFFSET_PART = String.raw`(Z|[+-]\d{2}:\d{2}(?::\d{2})?)`;
const DATE = new RegExp(`^${DATE_PART}$`);
const LOCAL_TIME = new RegExp(`^${TIME_PART}$`);
const TIME = new RegExp(`^${TIME_PART}${OFFSET_PART}$`);
const LOCAL_DATE_TIME = new RegExp(`^${DATE_PART}T${TIME_PART}$`);
const DATE_TIME = new RegExp(`^${DATE_PART}T${TIME_PART}${OFFSET_PART}?(?:\\[([^\\]]+)\\])?$`);

function encodeFloat(value: number): Json {
  if (Number.isFinite(value) && !Number.isInteger(value)) return value;
  return { $float: Object.is(value, -0) ? "-0" : String(value) };
}

/** Point coordinates are always floats, so integral ones stay plain; only -0, NaN, ±∞ are tagged. */
function encodeCoordinate(value: number): Json {
  return Number.isFinite(value) && !Object.is(value, -0) ? value : encodeFloat(value);
}

function parseFloatTag(body: unknown): number | undefined {
  if (typeof body !== "string") return undefined;
  if (body === "NaN" || body === "Infinity" || body === "-Infinity") return Number(body);
  if (body === "-0") return -0;
  return JSON_NUMBER.test(body) ? Number(body) : undefined;
}

function decodeCoordinate(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return isObject(value) && Object.keys(value).length === 1 ? parseFloatTag(value["$float"]) : undefined;
}

function parsePoint(body: unknown): Point | undefined {
  if (!isObject(body)) return undefined;
  const { srid, x, y, z, ...rest } = body;
  if (Object.keys(rest).length > 0 || typeof srid !== "number" || !Number.isInteger(srid)) return undefined;
  const [px, py, pz] = [decodeCoordinate(x), decodeCoordinate(y), decodeCoordinate(z)];
  if (px === undefined || py === undefined || (z !== undefined && pz === undefined)) return undefined;
  return pz === undefined ? new Point(int(srid), px, py) : new Point(int(srid), px, py, pz);
}

function parseDuration(body: unknown): Duration | undefined {
  if (!isObject(body)) return undefined;
  const { months, days, seconds, nanoseconds, ...rest } = body;
  const fields = [months, days, seconds, nanoseconds];
  if (Object.keys(rest).length > 0) return undefined;
  if (!fields.every((field): field is string => typeof field === "string" && isInt64(field)))
    return undefined;
  const [mo, d, s, ns] = fields.map((field) => int(field)) as [Integer, Integer, Integer, Integer];
  return new Duration(mo, d, s, ns);
}

/** Runs `build` on the regex match; a driver constructor rejecting the values also yields undefined. */
function parseTemporal<T>(
  pattern: RegExp,
  body: unknown,
  build: (match: RegExpExecArray) => T | undefined,
): T | undefined {
  const match = typeof body === "string" ? pattern.exec(body) : null;
  if (match === null) return undefined;
  try {
    return build(match);
  } catch {
    return undefined;
  }
}

/** Hour, minute, second and nanosecond from four consecutive groups starting at `first`. */
function clock(match: RegExpExecArray, first: number): [Integer, Integer, Integer, Integer] {
  const fraction = match[first + 3] ?? "";
  return [
    int(match[first] ?? "0"),
    int(match[first + 1] ?? "0"),
    int(match[first + 2] ?? "0"),
    int(fraction.padEnd(9, "0") || "0"),
  ];
}

/** Year, month and day from three consecutive groups starting at `first`. */
function calendar(match: RegExpExecArray, first: number): [Integer, Integer, Integer] {
  const [y, m, d] = [Number(match[first]), Number(match[first + 1]), Number(match[first + 2])];
  // The driver checks 1–31 only; Neo4j would reject February 30 halfway through a restore.
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  if (d > days) throw new RangeError(`day ${d} is not in month ${m}`);
  return [int(y), int(m), int(d)];
}

/** Seconds east of UTC; Neo4j allows ±18 hours. */
function parseOffset(group: string | undefined): number {
  if (group === undefined || group === "Z") return 0;
  const [hours = 0, minutes = 0, seconds = 0] = group.slice(1).split(":").map(Number);
  const total = hours * 3600 + minutes * 60 + seconds;
  if (minutes > 59 || seconds > 59 || total > 18 * 3600) throw new RangeError(`offset ${group} out of range`);
  return (group.startsWith("-") ? -1 : 1) * total;
}

type Integerish = Integer | number;

function formatDate(y: Integerish, m: Integerish, d: Integerish): string {
  const yearNumber = toNumber(y);
  // ISO 8601: four digits for years 0–9999, otherwise a sign and at least six digits (as Neo4j).
  const yearText =
    yearNumber >= 0 && yearNumber <= 9999
      ? pad(yearNumber, 4)
      : `${yearNumber < 0 ? "-" : "+"}${pad(Math.abs(yearNumber), 6)}`;
  return `${yearText}-${pad(toNumber(m), 2)}-${pad(toNumber(d), 2)}`;
}

function formatTime(h: Integerish, m: Integerish, s: Integerish, ns: Integerish): string {
  const nanos = toNumber(ns);
  const fraction = nanos === 0 ? "" : `.${pad(nanos, 9).replace(/0+$/, "")}`;
  return `${pad(toNumber(h), 2)}:${pad(toNumber(m), 2)}:${pad(toNumber(s), 2)}${fraction}`;
}

function formatOffset(totalSeconds: number): string {
  if (totalSeconds === 0) return "Z";
  const abs = Math.abs(totalSeconds);
  const seconds = abs % 60;
  const base = `${totalSeconds < 0 ? "-" : "+"}${pad(Math.floor(abs / 3600), 2)}:${pad(Math.floor((abs % 3600) / 60), 2)}`;
  return seconds === 0 ? base : `${base}:${pad(seconds, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

function isInt64(text: string): boolean {
  if (!/^-?\d{1,19}$/.test(text)) return false;
  const value = BigInt(text);
  return BigInt.asIntN(64, value) === value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return value.constructor?.name ?? "object";
}
