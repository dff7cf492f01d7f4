"use strict";
// Pure parts of the notes app: HTML rendering and form parsing, tested without a database.

const MAX_NOTE_LENGTH = 2000;

/** Text made safe to place inside HTML elements and quoted attributes. */
function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

/**
 * The note in a submitted form body (`application/x-www-form-urlencoded`), trimmed.
 * Returns `{ note }` or `{ error }` with what is wrong, for the page to show.
 */
function parseNoteForm(body) {
  const note = (new URLSearchParams(body).get("note") ?? "").trim();
  if (note === "") return { error: "Write something first." };
  if (note.length > MAX_NOTE_LENGTH) return { error: `A note holds at most ${MAX_NOTE_LENGTH} characters.` };
  return { note };
}

/** The whole page: the form (with an error above it, if any) and the notes, newest first. */
function renderPage(notes, error) {
  const items = notes
    .map(
      (n) =>
        `<li><time datetime="${escapeHtml(n.createdAt.toISOString())}">${escapeHtml(
          n.createdAt.toISOString().slice(0, 16).replace("T", " "),
        )}</time> ${escapeHtml(n.body)}</li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Notes</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Notes</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/notes">
<textarea name="note" rows="3" cols="60" maxlength="${MAX_NOTE_LENGTH}" required></textarea>
<button type="submit">Add note</button>
</form>
${notes.length === 0 ? "<p>No notes yet.</p>" : `<ul>\n${items}\n</ul>`}
</body>
</html>
`;
}

module.exports = { escapeHtml, parseNoteForm, renderPage, MAX_NOTE_LENGTH };
