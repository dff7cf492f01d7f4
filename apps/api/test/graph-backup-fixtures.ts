/** Shared by the graph backup tests: a fake secret store and a complete `run` environment. */
import type { Env } from "../src/config.js";

const FILES: Readonly<Record<string, string>> = {
  "/run/secrets/graph_password": "s3cret\n",
  "/run/secrets/empty": "\n",
};

export function fakeReadFile(path: string): string {
  const content = FILES[path];
  if (content === undefined)
    throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
  return content;
}

export const RUN_ENV: Env = {
  GRAPH_URL: "bolt://graph:7687",
  GRAPH_USER: "neo4j",
  GRAPH_PASSWORD_FILE: "/run/secrets/graph_password",
  BACKUP_DIR: "/backups",
};
