import { describe, expect, it } from "vitest";
import { isNpmBinDir, pulumiOnPath, resolvePulumiCli, withCliOnPath } from "../../scripts/pulumi-cli";

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
