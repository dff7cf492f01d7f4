import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";

// The unit tests import the program through vitest; `pulumi up` loads it through the language
// host's ts-node, with infra/ as working directory and infra/tsconfig.json. This runs that path,
// which once failed on TypeScript 6's rootDir rule (TS5011) while `tsc --noEmit` passed.
it("loads and type-checks infra/index.ts the way Pulumi's Node.js language host does", () => {
  const runner = path.join(__dirname, "fixtures", "pulumi-run.cjs");
  const config = {
    "shipyard:environment": "dev",
    "shipyard:webPort": "8080",
    "shipyard:publishAddress": "127.0.0.1",
  };
  const result = spawnSync(process.execPath, [runner, "dev", JSON.stringify(config)], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.stderr).toBe("");
  expect(JSON.parse(result.stdout.trim().split("\n").pop()!)).toEqual({
    url: "http://127.0.0.1:8080",
    containers: 5,
  });
}, 120_000);
