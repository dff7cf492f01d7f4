/** The project's stack files, found without loading Pulumi (the npm wrapper starts with this). */
import * as fs from "node:fs";
import * as path from "node:path";

/** The stacks that have a committed `Pulumi.<stack>.yaml`. */
export function listStacks(root = path.resolve(__dirname, "..")): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}
