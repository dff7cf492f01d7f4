"use strict";
// PostgreSQL access: connection settings from the environment shipyard sets, and the schema.
const fs = require("node:fs");
const { Pool } = require("pg");

/**
 * Schema changes, applied in order, each once. Append; never edit one that has shipped.
 */
const MIGRATIONS = [
  `CREATE TABLE notes (
     id bigserial PRIMARY KEY,
     body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  "CREATE INDEX notes_created_at ON notes (created_at DESC)",
];

/** An arbitrary constant: the advisory lock that lets one replica migrate at a time. */
const MIGRATION_LOCK = 7_270_001;

/** Pool settings from DATABASE_HOST/PORT/NAME/USER and the password file DATABASE_PASSWORD_FILE. */
function poolConfig(env) {
  const missing = ["DATABASE_HOST", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD_FILE"].filter(
    (key) => !env[key],
  );
  if (missing.length > 0) throw new Error(`notes: missing environment ${missing.join(", ")}`);
  return {
    host: env.DATABASE_HOST,
    port: Number(env.DATABASE_PORT ?? 5432),
    database: env.DATABASE_NAME,
    user: env.DATABASE_USER,
    password: fs.readFileSync(env.DATABASE_PASSWORD_FILE, "utf8").trim(),
    max: 5,
    connectionTimeoutMillis: 3000,
  };
}

/** Applies the migrations not applied yet, in one transaction. */
async function migrate(pool) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY)");
    const { rows } = await client.query("SELECT coalesce(max(version), 0) AS applied FROM schema_version");
    for (let version = rows[0].applied + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1]);
      await client.query("INSERT INTO schema_version (version) VALUES ($1)", [version]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

/** Connects and migrates, retrying while the database is still starting (up to `attempts` s). */
async function openDatabase(env, attempts = 30) {
  const pool = new Pool(poolConfig(env));
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(pool);
      return pool;
    } catch (error) {
      if (attempt >= attempts) throw error;
      console.error(`notes: database not ready (${error.message}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function listNotes(pool) {
  const { rows } = await pool.query(
    "SELECT body, created_at FROM notes ORDER BY created_at DESC, id DESC LIMIT 100",
  );
  return rows.map((r) => ({ body: r.body, createdAt: r.created_at }));
}

async function addNote(pool, body) {
  await pool.query("INSERT INTO notes (body) VALUES ($1)", [body]);
}

module.exports = { MIGRATIONS, poolConfig, openDatabase, listNotes, addNote };
