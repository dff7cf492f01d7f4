import { describe, expect, it } from "vitest";
import { parseId, validateNewTodo, validateTodoPatch } from "../src/todos.js";

describe("parseId", () => {
  it.each<[string, number | undefined]>([
    ["1", 1],
    ["42", 42],
    ["2147483647", 2_147_483_647],
    ["2147483648", undefined],
    ["0", undefined],
    ["01", undefined],
    ["-1", undefined],
    ["1.5", undefined],
    ["abc", undefined],
    ["", undefined],
    ["99999999999", undefined],
  ])("parses %j as %j", (segment, expected) => {
    expect(parseId(segment)).toBe(expected);
  });
});

describe("validateNewTodo", () => {
  it("accepts a title and trims it", () => {
    expect(validateNewTodo({ title: "  buy milk " })).toEqual({ ok: true, value: { title: "buy milk" } });
  });

  it("accepts a title of exactly 200 characters, counting code points", () => {
    expect(validateNewTodo({ title: "🐳".repeat(200) }).ok).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ["null", null, "request body must be a JSON object"],
    ["an array", [{ title: "x" }], "request body must be a JSON object"],
    ["a string", "title", "request body must be a JSON object"],
    ["a missing title", {}, "title is required"],
    ["a numeric title", { title: 7 }, "title must be a string"],
    ["a blank title", { title: "   " }, "title must not be empty"],
    ["a 201-character title", { title: "x".repeat(201) }, "title must be at most 200 characters, got 201"],
    ["an unknown field", { title: "x", done: true }, 'unknown field "done"; allowed: title'],
  ])("rejects %s", (_case, body, error) => {
    expect(validateNewTodo(body)).toEqual({ ok: false, error });
  });
});

describe("validateTodoPatch", () => {
  it.each<[unknown, unknown]>([
    [{ done: true }, { done: true }],
    [{ title: " new " }, { title: "new" }],
    [
      { title: "new", done: false },
      { title: "new", done: false },
    ],
  ])("accepts %j as %j", (body, value) => {
    expect(validateTodoPatch(body)).toEqual({ ok: true, value });
  });

  it.each<[string, unknown, string]>([
    ["an empty object", {}, "request body must contain title or done"],
    ["a string done", { done: "yes" }, "done must be a boolean"],
    ["a null title", { title: null }, "title must be a string"],
    ["an unknown field", { id: 3 }, 'unknown field "id"; allowed: title, done'],
  ])("rejects %s", (_case, body, error) => {
    expect(validateTodoPatch(body)).toEqual({ ok: false, error });
  });
});
