import * as path from "node:path";
import { expect, it } from "vitest";
import { FILES_CARRIER_BUILD } from "../../components";
import { sourceDir } from "../../components/source-dir";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, run before any TypeScript
const { BUILD_DIR } = require("../../infra/compile.cjs") as { BUILD_DIR: string };

const ROOT = path.resolve(__dirname, "../..");

it.each([
  [path.join(ROOT, BUILD_DIR, "3f9c0d1e2a4b5c6d", "components"), path.join(ROOT, "components")],
  [path.join(ROOT, BUILD_DIR, "3f9c0d1e2a4b5c6d", "stacks"), path.join(ROOT, "stacks")],
  [path.join(ROOT, BUILD_DIR, "3f9c0d1e2a4b5c6d"), ROOT],
  [path.join(ROOT, "components"), path.join(ROOT, "components")],
  // no build name after it: not a build
  [path.join(ROOT, BUILD_DIR), path.join(ROOT, BUILD_DIR)],
])("maps %s to %s", (dir, expected) => {
  expect(sourceDir(dir)).toBe(expected);
});

// The context is an input of the carrier's image: compiled or not, the program names the source.
it("gives the files carrier's build context in the source tree", () => {
  expect(FILES_CARRIER_BUILD.context).toBe(path.join(ROOT, "components", "assets", "files-carrier"));
});
