import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { localStackExists, PROJECT } from "../../scripts/pulumi-env";

const ROOT = path.resolve(__dirname, "../..");

describe("localStackExists", () => {
  const state = path.join(ROOT, ".pulumi-state", ".pulumi", "stacks", "shipyard");

  it.each([
    [[`${state}/dev.json`], true],
    [[`${state}/dev.json.gz`], true],
    [[`${state}/dev-alice.json`], false],
    [[path.join(ROOT, ".pulumi-state", ".pulumi", "stacks", "other", "dev.json")], false],
    [[], false],
  ])("with %j on disk says %s for dev", (files, expected) => {
    expect(localStackExists(ROOT, "shipyard", "dev", (f) => files.includes(f))).toBe(expected);
  });

  it("looks under the project Pulumi.yaml names", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string };
    expect(PROJECT).toBe(project.name);
  });
});
