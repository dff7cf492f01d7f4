import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");
const dockerignore = readFileSync(new URL(".dockerignore", root), "utf8").split("\n");
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  scripts: Record<string, string>;
};

/** Instructions of one stage, continuation lines joined, comments dropped. */
function stage(name: string): string[] {
  const instructions = dockerfile
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const start = instructions.findIndex((line) => new RegExp(`^FROM \\S+ AS ${name}$`).test(line));
  if (start === -1) throw new Error(`no stage ${name}`);
  const end = instructions.findIndex((line, i) => i > start && line.startsWith("FROM "));
  return instructions.slice(start, end === -1 ? undefined : end);
}

describe("Dockerfile", () => {
  it("pins the base image to an exact node and alpine version", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-alpine\d+\.\d+$/m);
  });

  it("declares the stages deps, dev, build and runtime, with runtime last", () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1]);
    expect(stages).toEqual(["deps", "dev", "build", "runtime"]);
  });

  it("has no syntax directive, which would pull a frontend image", () => {
    expect(dockerfile).not.toMatch(/^# *syntax=/m);
  });

  it("runs the runtime stage as a numeric non-root user with a node healthcheck", () => {
    const runtime = stage("runtime");
    expect(runtime).toContain("USER 1000:1000");
    expect(runtime).toContain("EXPOSE 8080");
    expect(runtime).toContain(
      'HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/healthcheck.js"]',
    );
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/server.js"]');
  });

  it("copies only package.json, production node_modules and dist into the runtime stage", () => {
    expect(stage("runtime").filter((line) => line.startsWith("COPY"))).toEqual([
      "COPY --from=build /app/package.json ./package.json",
      "COPY --from=build /app/node_modules ./node_modules",
      "COPY --from=build /app/dist ./dist",
    ]);
    expect(stage("build")).toContain("RUN npm run build && npm prune --omit=dev --no-audit --no-fund");
  });

  it("gives the app user the graph backup directory, which a fresh volume takes its owner from", () => {
    expect(stage("runtime").find((line) => line.startsWith("RUN rm -rf"))).toMatch(
      / && mkdir -p \/var\/backups\/graph && chown 1000:1000 \/var\/backups\/graph$/,
    );
  });

  it("runs the same command in the dev stage as the dev script", () => {
    const cmd = stage("dev").at(-1) ?? "";
    const argv = JSON.parse(cmd.replace(/^CMD /, "")) as string[];
    expect(argv.join(" ").replace("node_modules/.bin/", "")).toBe(pkg.scripts["dev"]);
    expect(stage("dev")).toContain("USER 1000:1000");
  });

  it("keeps local builds, dependencies and tests out of the build context", () => {
    expect(dockerignore).toEqual(expect.arrayContaining(["node_modules", "dist", "test", ".env*"]));
  });
});
