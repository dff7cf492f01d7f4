// Builds the static site: copies public/ to the output directory and writes a gzip twin of each
// text asset, which nginx serves directly (gzip_static) instead of compressing per request.
// Usage: node build.mjs <outDir>
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

export const COMPRESSIBLE = new Set([".html", ".css", ".js", ".json", ".svg", ".txt"]);

/** Builds `srcDir` into a fresh `outDir`; returns the written paths relative to `outDir`, sorted. */
export function build(srcDir, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const written = [];
  const walk = (relative) => {
    for (const entry of readdirSync(join(srcDir, relative), { withFileTypes: true })) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const from = join(srcDir, path);
      const to = join(outDir, path);
      mkdirSync(join(outDir, relative), { recursive: true });
      // Both variants keep the source mtime, so they share one Last-Modified.
      const { atime, mtime } = statSync(from);
      copyFileSync(from, to);
      utimesSync(to, atime, mtime);
      written.push(path);
      if (COMPRESSIBLE.has(extname(path))) {
        writeFileSync(`${to}.gz`, gzipSync(readFileSync(from), { level: 9 }));
        utimesSync(`${to}.gz`, atime, mtime);
        written.push(`${path}.gz`);
      }
    }
  };
  walk("");
  return written.sort();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = process.argv[2];
  if (outDir === undefined) {
    process.stderr.write("usage: node build.mjs <outDir>\n");
    process.exit(2);
  }
  const here = fileURLToPath(new URL(".", import.meta.url));
  const files = build(join(here, "public"), outDir);
  process.stdout.write(`built ${files.length} files into ${outDir}\n`);
}
