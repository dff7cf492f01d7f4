"use strict";
// The notes web app: GET / lists notes with a form, POST /notes adds one, GET /healthz checks the
// database. Configuration comes from the environment; the password from a file.
const http = require("node:http");
const { addNote, listNotes, openDatabase } = require("./db");
const { parseNoteForm, renderPage } = require("./page");

const PORT = Number(process.env.PORT ?? 3000);
const MAX_BODY_BYTES = 16 * 1024;

function readBody(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error("request body too large"), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers });
  res.end(body);
}

function handler(pool) {
  return async (req, res) => {
    const { pathname } = new URL(req.url, "http://notes");
    try {
      if (req.method === "GET" && pathname === "/healthz") {
        await pool.query("SELECT 1");
        return send(res, 200, "ok\n", { "content-type": "text/plain" });
      }
      if (req.method === "GET" && pathname === "/") {
        return send(res, 200, renderPage(await listNotes(pool)));
      }
      if (req.method === "POST" && pathname === "/notes") {
        const form = parseNoteForm(await readBody(req));
        if (form.error) return send(res, 400, renderPage(await listNotes(pool), form.error));
        await addNote(pool, form.note);
        // Post/redirect/get: a reload does not submit the note twice.
        return send(res, 303, "", { location: "/" });
      }
      return send(res, 404, "not found\n", { "content-type": "text/plain" });
    } catch (error) {
      console.error(`notes: ${req.method} ${pathname}: ${error.message}`);
      const status = error.status ?? (pathname === "/healthz" ? 503 : 500);
      return send(res, status, `${http.STATUS_CODES[status]}\n`, { "content-type": "text/plain" });
    }
  };
}

async function main() {
  const pool = await openDatabase(process.env);
  const server = http.createServer(handler(pool));
  server.listen(PORT, () => console.log(`notes: listening on ${PORT}`));
  // docker stop sends SIGTERM: finish the requests in flight, then close the pool.
  process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
}

main().catch((error) => {
  console.error(`notes: ${error.message}`);
  process.exit(1);
});
