"use strict";
const assert = require("node:assert/strict");
const { test } = require("node:test");
const { escapeHtml, parseNoteForm, renderPage, MAX_NOTE_LENGTH } = require("../src/page");

test("escapes every character that could open markup", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("reads the note from a form body, trimmed", () => {
  assert.deepEqual(parseNoteForm("note=+buy+milk%21+"), { note: "buy milk!" });
});

test("rejects an empty note", () => {
  assert.deepEqual(parseNoteForm("note=%20%20"), { error: "Write something first." });
});

test("rejects a note over the length limit", () => {
  assert.deepEqual(parseNoteForm(`note=${"x".repeat(MAX_NOTE_LENGTH + 1)}`), {
    error: "A note holds at most 2000 characters.",
  });
});

test("renders notes escaped, with their time, and the error", () => {
  const html = renderPage([{ body: "<b>hi</b>", createdAt: new Date("2026-01-02T03:04:05Z") }], "oops");
  assert.match(
    html,
    /<li><time datetime="2026-01-02T03:04:05.000Z">2026-01-02 03:04<\/time> &lt;b&gt;hi&lt;\/b&gt;<\/li>/,
  );
  assert.match(html, /<p role="alert">oops<\/p>/);
});

test("says when there are no notes", () => {
  assert.match(renderPage([]), /<p>No notes yet\.<\/p>/);
});
