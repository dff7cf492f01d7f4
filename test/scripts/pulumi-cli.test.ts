import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  cliVersion,
  isNpmBinDir,
  pulumiOnPath,
  resolvePulumiCli,
  withCliOnPath,
} from "../../scripts/pulumi-cli";

// Which CLI the scripts run. A real run found `npx --no-install pulumi` always resolving the npm
// package's wrapper, which ignores PATH and tried to download its own version.
describe("pulumiOnPath", () => {
  const executables = new Set([
    "/repo/node_modules/.bin/pulumi",
    "/opt/pulumi/bin/pulumi",
    "/usr/bin/pulumi",
  ]);
  const exists = (file: string): boolean => executables.has(file);

  it("skips node_modules/.bin, where `npm run` puts the npm package's wrapper", () => {
    expect(pulumiOnPath("/repo/node_modules/.bin:/opt/pulumi/bin:/usr/bin", exists)).toBe(
      "/opt/pulumi/bin/pulumi",
    );
  });

  it("takes the first pulumi in PATH order", () => {
    expect(pulumiOnPath("/usr/bin:/opt/pulumi/bin", exists)).toBe("/usr/bin/pulumi");
  });

  it("finds none when only the wrapper is there, or PATH is empty or unset", () => {
    expect(pulumiOnPath("/repo/node_modules/.bin:/bin", exists)).toBeUndefined();
    expect(pulumiOnPath("", exists)).toBeUndefined();
    expect(pulumiOnPath(undefined, exists)).toBeUndefined();
  });

  it("knows a node_modules/.bin folder from a folder merely called .bin", () => {
    expect([
      isNpmBinDir("/a/node_modules/.bin"),
      isNpmBinDir("/a/.bin"),
      isNpmBinDir("/a/node_modules"),
    ]).toEqual([true, false, false]);
  });
});

describe("resolvePulumiCli", () => {
  it("falls back to the npm package's CLI when PATH has none", async () => {
    await expect(
      resolvePulumiCli({ PATH: "" }, () => Promise.resolve("/home/u/.pulumi/versions/3.265.0/bin/pulumi")),
    ).resolves.toEqual({
      path: "/home/u/.pulumi/versions/3.265.0/bin/pulumi",
      source: "npm",
    });
  });

  it("says what was searched and why the npm package's CLI is missing", async () => {
    await expect(
      resolvePulumiCli({ PATH: "" }, () => Promise.reject(new Error("fetch failed"))),
    ).rejects.toThrow(
      "no pulumi on PATH, and the pulumi npm package could not install its CLI (fetch failed); install the Pulumi CLI (https://www.pulumi.com/docs/install/) or run where it can be downloaded",
    );
  });
});

describe("withCliOnPath", () => {
  it("puts the CLI's folder first, so the language host and plugins beside it are found", () => {
    expect(
      withCliOnPath({ path: "/opt/pulumi/bin/pulumi", source: "PATH" }, { PATH: "/usr/bin", HOME: "/h" }),
    ).toEqual({
      PATH: "/opt/pulumi/bin:/usr/bin",
      HOME: "/h",
    });
  });
});

// The CLI takes 0.25 s to print its version; the wrapper needs it on every preview and update.
describe("cliVersion", () => {
  let dir: string;
  let cli: { path: string; source: "PATH" };
  let cache: string;
  let asked: string[];
  const versionOf = (version: string | undefined) => (file: string) => {
    asked.push(file);
    return version;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-cli-version-"));
    cli = { path: path.join(dir, "pulumi"), source: "PATH" };
    fs.writeFileSync(cli.path, "#!/bin/sh\n");
    cache = path.join(dir, "cache", "shipyard", "pulumi-cli-versions.json");
    asked = [];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("asks the CLI once, then answers from the cache while the binary is the same", () => {
    expect(cliVersion(cli, cache, versionOf("v3.260.0"))).toBe("v3.260.0");
    expect(cliVersion(cli, cache, versionOf("v9.9.9"))).toBe("v3.260.0");
    expect(asked).toEqual([cli.path]);
    const { size, mtimeMs } = fs.statSync(cli.path);
    expect(JSON.parse(fs.readFileSync(cache, "utf8"))).toEqual({
      [cli.path]: { stamp: `${size}:${mtimeMs}`, version: "v3.260.0" },
    });
  });

  it("asks again when the binary changed (an upgrade in place)", () => {
    cliVersion(cli, cache, versionOf("v3.260.0"));
    fs.writeFileSync(cli.path, "#!/bin/sh\n# a newer build\n");
    expect(cliVersion(cli, cache, versionOf("v3.265.0"))).toBe("v3.265.0");
    expect(asked).toEqual([cli.path, cli.path]);
  });

  it("remembers nothing when the CLI cannot tell, and rebuilds an unreadable cache", () => {
    expect(cliVersion(cli, cache, versionOf(undefined))).toBeUndefined();
    expect(fs.existsSync(cache)).toBe(false);
    fs.mkdirSync(path.dirname(cache), { recursive: true });
    fs.writeFileSync(cache, "{ not json");
    expect(cliVersion(cli, cache, versionOf("v3.260.0"))).toBe("v3.260.0");
    expect(Object.keys(JSON.parse(fs.readFileSync(cache, "utf8")) as object)).toEqual([cli.path]);
  });

  it("still answers where the cache cannot be written", () => {
    const blocked = path.join(dir, "file");
    fs.writeFileSync(blocked, "");
    expect(cliVersion(cli, path.join(blocked, "versions.json"), versionOf("v3.260.0"))).toBe("v3.260.0");
  });

  it("is undefined for a CLI that is not there", () => {
    expect(
      cliVersion({ ...cli, path: path.join(dir, "missing") }, cache, versionOf("v3.260.0")),
    ).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
