import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ImageBuild } from "./image";

/**
 * A content hash of a Docker build context, so a built image is tagged by what went into it.
 *
 * Entries named in the context's `.dockerignore` (plain names or `dir/` prefixes; `#` comments) are
 * skipped, as Docker would skip them. The walk is sorted, so the hash does not depend on the order
 * the filesystem lists files in.
 */
export function hashBuildContext(context: string, extra: readonly string[] = []): string {
  const ignored = readDockerignore(context);
  const hash = createHash("sha256");
  for (const file of listFiles(context, "", ignored)) {
    hash.update(file);
    hash.update("\0");
    hash.update(fs.readFileSync(path.join(context, file)));
    hash.update("\0");
  }
  for (const value of extra) hash.update(`${value}\0`);
  return hash.digest("hex");
}

/**
 * The name a build is tagged with: `<repository>:<first 12 hex digits of the content hash>`, over the
 * context and everything else that changes the image (Dockerfile, target, build args, platform).
 */
export function builtImageName(build: ImageBuild): string {
  const dockerfile = build.dockerfile ?? "Dockerfile";
  const contentHash = hashBuildContext(build.context, [
    dockerfile,
    // Docker builds from the Dockerfile even when .dockerignore lists it, so its content counts.
    fs.readFileSync(path.join(build.context, dockerfile), "utf8"),
    build.target ?? "",
    JSON.stringify(Object.entries(build.args ?? {}).sort()),
    build.platform ?? "",
  ]);
  return `${build.repository}:${contentHash.slice(0, 12)}`;
}

function readDockerignore(context: string): string[] {
  const file = path.join(context, ".dockerignore");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim().replace(/^\.\//, "").replace(/\/$/, ""))
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("!"));
}

function isIgnored(relative: string, ignored: readonly string[]): boolean {
  return ignored.some((pattern) => {
    if (pattern.includes("*")) {
      const regex = new RegExp(`^${pattern.split("*").map(escapeRegex).join("[^/]*")}$`);
      return regex.test(relative);
    }
    // Docker matches from the context root: `*.log` leaves src/debug.log in the context.
    return relative === pattern || relative.startsWith(`${pattern}/`);
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

function listFiles(root: string, dir: string, ignored: readonly string[]): string[] {
  const entries = fs.readdirSync(path.join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (isIgnored(relative, ignored)) continue;
    if (entry.isDirectory()) files.push(...listFiles(root, relative, ignored));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}
