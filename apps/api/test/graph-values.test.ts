import {
  Date as GraphDate,
  DateTime,
  Duration,
  LocalDateTime,
  LocalTime,
  Point,
  Time,
  int,
  isInt,
  type Integer,
} from "neo4j-driver";
import { describe, expect, it } from "vitest";
import {
  decodeProperties,
  decodeValue,
  encodeProperties,
  encodeValue,
  FormatError,
  type Json,
  type PropertyValue,
} from "../src/graph-values.js";

/** Temporal values as the driver returns them from the server: every field an Integer. */
const i = (...values: number[]): Integer[] => values.map((value) => int(value));
const [y, mo, d, h, mi, s] = [2024, 2, 29, 13, 5, 9];

describe("encodeValue and decodeValue", () => {
  it.each<[string, PropertyValue, Json]>([
    ["a string", "héllo\n🌍", "héllo\n🌍"],
    ["an empty string", "", ""],
    ["true", true, true],
    ["false", false, false],
    ["a fractional float", 0.1, 0.1],
    ["a tiny float", 5e-324, 5e-324],
    ["an integral float", 1, { $float: "1" }],
    ["a large integral float", 1e300, { $float: "1e+300" }],
    ["negative zero", -0, { $float: "-0" }],
    ["positive zero", 0, { $float: "0" }],
    ["NaN", Number.NaN, { $float: "NaN" }],
    ["Infinity", Number.POSITIVE_INFINITY, { $float: "Infinity" }],
    ["-Infinity", Number.NEGATIVE_INFINITY, { $float: "-Infinity" }],
    ["a small integer", int(42), { $int: "42" }],
    ["2^53 + 1", int("9007199254740993"), { $int: "9007199254740993" }],
    ["the largest 64-bit integer", int("9223372036854775807"), { $int: "9223372036854775807" }],
    ["the smallest 64-bit integer", int("-9223372036854775808"), { $int: "-9223372036854775808" }],
    ["bytes", new Int8Array([0, -128, 127, -1]), { $bytes: "AIB//w==" }],
    ["empty bytes", new Int8Array([]), { $bytes: "" }],
    ["a date", new GraphDate(...(i(y, mo, d) as [Integer, Integer, Integer])), { $date: "2024-02-29" }],
    ["a date before year 0", new GraphDate(int(-1), int(1), int(1)), { $date: "-000001-01-01" }],
    ["a date after year 9999", new GraphDate(int(10000), int(12), int(31)), { $date: "+010000-12-31" }],
    ["February 29 of year 2000", new GraphDate(int(2000), int(2), int(29)), { $date: "2000-02-29" }],
    ["a local time", new LocalTime(int(h), int(mi), int(s), int(0)), { $localtime: "13:05:09" }],
    [
      "a local time with nanoseconds",
      new LocalTime(int(23), int(59), int(59), int(1)),
      { $localtime: "23:59:59.000000001" },
    ],
    [
      "a time with a negative offset in seconds",
      new Time(int(12), int(0), int(0), int(500_000_000), int(-28_830)),
      { $time: "12:00:00.5-08:00:30" },
    ],
    ["a time in UTC", new Time(int(0), int(0), int(0), int(0), int(0)), { $time: "00:00:00Z" }],
    [
      "a local date-time",
      new LocalDateTime(int(y), int(mo), int(d), int(h), int(mi), int(s), int(123_456_789)),
      { $localdatetime: "2024-02-29T13:05:09.123456789" },
    ],
    [
      "a date-time with an offset",
      new DateTime(int(y), int(mo), int(d), int(h), int(mi), int(s), int(0), int(19_800)),
      { $datetime: "2024-02-29T13:05:09+05:30" },
    ],
    [
      "a date-time in a zone, in the DST overlap",
      new DateTime(int(2022), int(10), int(30), int(2), int(30), int(0), int(0), int(3600), "Europe/Berlin"),
      { $datetime: "2022-10-30T02:30:00+01:00[Europe/Berlin]" },
    ],
    [
      "a date-time in UTC by zone id",
      new DateTime(int(y), int(mo), int(d), int(0), int(0), int(0), int(0), int(0), "UTC"),
      { $datetime: "2024-02-29T00:00:00Z[UTC]" },
    ],
    [
      "a duration with independent components",
      new Duration(int(14), int(-3), int("9223372036854775807"), int(700_000_000)),
      { $duration: { months: "14", days: "-3", seconds: "9223372036854775807", nanoseconds: "700000000" } },
    ],
    ["a cartesian point", new Point(int(7203), 1, 2.5), { $point: { srid: 7203, x: 1, y: 2.5 } }],
    [
      "a 3D geographic point with -0",
      new Point(int(4979), 13.4, -0, 34),
      { $point: { srid: 4979, x: 13.4, y: { $float: "-0" }, z: 34 } },
    ],
    [
      "a list of integers",
      [int(1), int("-9223372036854775808")],
      [{ $int: "1" }, { $int: "-9223372036854775808" }],
    ],
    ["a list of floats", [1.5, 2], [1.5, { $float: "2" }]],
    ["a list of strings", ["a", ""], ["a", ""]],
    ["a list of booleans", [true, false], [true, false]],
    ["a list of dates", [new GraphDate(int(1970), int(1), int(1))], [{ $date: "1970-01-01" }]],
    ["an empty list", [], []],
  ])("round-trips %s", (_name, value, encoded) => {
    expect(encodeValue(value)).toEqual(encoded);
    const json = JSON.parse(JSON.stringify(encodeValue(value))) as Json;
    const decoded = decodeValue(json);
    expect(decoded).toEqual(value);
    expect(JSON.stringify(encodeValue(decoded))).toBe(JSON.stringify(encoded));
  });

  it("decodes integers to driver Integers, not numbers, so they are sent as INTEGER", () => {
    const decoded = decodeValue({ $int: "9007199254740993" });
    expect(isInt(decoded)).toBe(true);
    expect(decoded.toString()).toBe("9007199254740993");
  });

  it("decodes a plain JSON number to a float, whether or not it is integral", () => {
    expect(decodeValue(3)).toBe(3);
    expect(isInt(decodeValue(3))).toBe(false);
  });

  it("preserves the sign of a decoded -0", () => {
    expect(Object.is(decodeValue({ $float: "-0" }), -0)).toBe(true);
  });

  it("rejects a value type Neo4j cannot store", () => {
    expect(() => encodeValue({ nested: "map" })).toThrow("unsupported value Object");
    expect(() => encodeValue(null)).toThrow("unsupported value null");
    expect(() => encodeValue(10n)).toThrow("unsupported value bigint");
  });

  it.each<[string, unknown, string]>([
    ["an unknown tag", { $map: {} }, 'unknown tag "$map"'],
    [
      "two keys",
      { $int: "1", $float: "1" },
      'a tagged value has exactly one key, got {"$int":"1","$float":"1"}',
    ],
    ["an empty object", {}, "a tagged value has exactly one key, got {}"],
    ["null", null, "unsupported value null"],
    ["an integer as a number", { $int: 1 }, "invalid $int value 1"],
    [
      "an integer beyond 64 bits",
      { $int: "9223372036854775808" },
      'invalid $int value "9223372036854775808"',
    ],
    ["a fractional integer", { $int: "1.5" }, 'invalid $int value "1.5"'],
    ["a float that is not a number", { $float: "one" }, 'invalid $float value "one"'],
    ["bytes that are not base64", { $bytes: "%%" }, 'invalid $bytes value "%%"'],
    ["an impossible date", { $date: "2023-02-29" }, 'invalid $date value "2023-02-29"'],
    ["February 29 in a common year", { $date: "1900-02-29" }, 'invalid $date value "1900-02-29"'],
    ["month 13", { $date: "2024-13-01" }, 'invalid $date value "2024-13-01"'],
    ["hour 24", { $localtime: "24:00:00" }, 'invalid $localtime value "24:00:00"'],
    ["an offset beyond 18 hours", { $time: "12:00:00+18:00:01" }, 'invalid $time value "12:00:00+18:00:01"'],
    [
      "an unknown time zone",
      { $datetime: "2024-01-01T00:00:00[Mars/Olympus]" },
      'invalid $datetime value "2024-01-01T00:00:00[Mars/Olympus]"',
    ],
    ["a date without dashes", { $date: "20240229" }, 'invalid $date value "20240229"'],
    [
      "ten fraction digits",
      { $localtime: "00:00:00.0000000001" },
      'invalid $localtime value "00:00:00.0000000001"',
    ],
    ["a time without an offset", { $time: "12:00:00" }, 'invalid $time value "12:00:00"'],
    [
      "a date-time without offset or zone",
      { $datetime: "2024-01-01T00:00:00" },
      'invalid $datetime value "2024-01-01T00:00:00"',
    ],
    ["a duration string", { $duration: "P1D" }, 'invalid $duration value "P1D"'],
    [
      "a duration with an extra field",
      { $duration: { months: "0", days: "0", seconds: "0", nanoseconds: "0", weeks: "1" } },
      'invalid $duration value {"months":"0","days":"0","seconds":"0","nanoseconds":"0","weeks":"1"}',
    ],
    ["a point without y", { $point: { srid: 7203, x: 1 } }, 'invalid $point value {"srid":7203,"x":1}'],
  ])("rejects %s", (_name, encoded, message) => {
    expect(() => decodeValue(encoded)).toThrow(new FormatError(message));
  });
});

describe("encodeProperties and decodeProperties", () => {
  it("round-trips a property map", () => {
    const properties = { title: "t", count: int(3), score: 0.5 };
    expect(decodeProperties(encodeProperties(properties, "node 1"), "node 1")).toEqual(properties);
  });

  it("rejects an unsupported value naming the owner and the property", () => {
    expect(() => encodeProperties({ meta: { a: 1 } }, "node 4:x:7")).toThrow(
      'node 4:x:7 property "meta": unsupported value Object',
    );
  });

  it("rejects an invalid tag naming the owner and the property", () => {
    expect(() => decodeProperties({ due: { $date: "soon" } }, "line 3: node 4:x:7")).toThrow(
      new FormatError('line 3: node 4:x:7 property "due": invalid $date value "soon"'),
    );
  });
});
