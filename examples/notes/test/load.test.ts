import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

// `pulumi up` loads the example through the language host's ts-node, from examples/notes/ with
// its tsconfig.json (which must reach ../../components): run that path, type-checking included.
it("loads and type-checks examples/notes/index.ts the way Pulumi's Node.js language host does", () => {
  const runner = path.resolve(__dirname, "../../../test/fixtures/pulumi-run.cjs");
  const config = {
    "notes:port": "18080",
    "notes:replicas": "1",
    "notes:keepData": "false",
    "notes:postgresImage": "postgres:16.15-alpine",
    "notes:pinning": "tag",
  };
  const result = spawnSync(
    process.execPath,
    [runner, "dev", JSON.stringify(config), path.join("examples", "notes")],
    { encoding: "utf8", timeout: 120_000 },
  );
  expect(result.stderr).toBe("");
  // the database, the web, and the file carrier of each
  expect(JSON.parse(result.stdout.trim().split("\n").pop()!)).toEqual({
    url: "http://127.0.0.1:18080",
    containers: 4,
    // a plain TypeScript project: no preload (the SDK loads all three), and ts-node compiles it
    loaded: ["typescript", "@pulumi/pulumi/automation", "@npmcli/arborist"],
  });
}, 120_000);
