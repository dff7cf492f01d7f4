import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashBuildContext } from "../../components/build-context";

/** Writes `files` (relative path → content) into a fresh temporary context and returns its path. */
function makeContext(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-context-"));
  for (const [file, content] of Object.entries(files)) write(dir, file, content);
  return dir;
}

function write(dir: string, file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
}

const BASE = {
  Dockerfile: "FROM node:20-alpine\nCOPY src ./src\n",
  "package.json": '{"name":"api"}',
  "src/index.ts": "export {};\n",
  ".dockerignore": "# build output\nnode_modules\ndist/\n*.log\n./coverage\n",
};

describe("hashBuildContext", () => {
  const dirs: string[] = [];
  const context = (files: Record<string, string> = BASE): string => {
    const dir = makeContext(files);
    dirs.push(dir);
    return dir;
  };
  beforeEach(() => {
    dirs.length = 0;
  });
  afterEach(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is a sha256 hex digest that is stable across calls", () => {
    const dir = context();
    const first = hashBuildContext(dir);
    expect(first).toMatch(/^[a-f0-9]{64}$/);
    expect(hashBuildContext(dir)).toBe(first);
  });

  it("depends on content, not on where the context lives or the order files were written", () => {
    const reversed = Object.fromEntries(Object.entries(BASE).reverse());
    expect(hashBuildContext(context(reversed))).toBe(hashBuildContext(context()));
  });

  it("changes when a file's content changes", () => {
    const dir = context();
    const before = hashBuildContext(dir);
    write(dir, "src/index.ts", "export const changed = true;\n");
    expect(hashBuildContext(dir)).not.toBe(before);
  });

  it("changes when a file is added", () => {
    const dir = context();
    const before = hashBuildContext(dir);
    write(dir, "src/extra.ts", "");
    expect(hashBuildContext(dir)).not.toBe(before);
  });

  it("changes when a file is renamed", () => {
    const dir = context();
    const before = hashBuildContext(dir);
    fs.renameSync(path.join(dir, "src/index.ts"), path.join(dir, "src/main.ts"));
    expect(hashBuildContext(dir)).not.toBe(before);
  });

  it.each([
    ["node_modules/pkg/index.js", "a plain name"],
    ["dist/app.js", "a dir/ pattern"],
    ["debug.log", "a * pattern"],
    ["coverage/lcov.info", "a ./ pattern"],
  ])("ignores %s, matched by %s in .dockerignore", (file) => {
    const dir = context();
    const before = hashBuildContext(dir);
    write(dir, file, "anything");
    expect(hashBuildContext(dir)).toBe(before);
    write(dir, file, "anything else");
    expect(hashBuildContext(dir)).toBe(before);
  });

  // Docker matches .dockerignore patterns from the context root: `*.log` and `node_modules` leave
  // src/debug.log and src/node_modules in the context, so the hash must cover them too.
  it.each(["src/debug.log", "src/node_modules/x.js"])(
    "hashes %s, which a root-level pattern does not exclude",
    (file) => {
      const dir = context();
      write(dir, file, "one");
      const before = hashBuildContext(dir);
      write(dir, file, "two");
      expect(hashBuildContext(dir)).not.toBe(before);
    },
  );

  it("hashes everything when there is no .dockerignore", () => {
    const dir = context(
      Object.fromEntries(Object.entries(BASE).filter(([file]) => file !== ".dockerignore")),
    );
    const before = hashBuildContext(dir);
    write(dir, "debug.log", "now counted");
    expect(hashBuildContext(dir)).not.toBe(before);
  });

  it("changes with the extra values, in order", () => {
    const dir = context();
    const plain = hashBuildContext(dir);
    const withExtra = hashBuildContext(dir, ["Dockerfile", "prod"]);
    expect(withExtra).not.toBe(plain);
    expect(hashBuildContext(dir, ["Dockerfile", "prod"])).toBe(withExtra);
    expect(hashBuildContext(dir, ["prod", "Dockerfile"])).not.toBe(withExtra);
  });
});
