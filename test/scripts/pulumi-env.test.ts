import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { localStackExists, nodeOptions, PROJECT } from "../../scripts/pulumi-env";

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

describe("nodeOptions", () => {
  const preload = `--require "${path.join(ROOT, "infra", "sdk-preload.cjs")}"`;

  it("adds the SDK preload after the user's own options", () => {
    expect([nodeOptions({}, ROOT), nodeOptions({ NODE_OPTIONS: "--max-old-space-size=4096" }, ROOT)]).toEqual(
      [preload, `--max-old-space-size=4096 ${preload}`],
    );
  });

  it("quotes the path, which Node.js reads back whole with its spaces", () => {
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "node-options-")), "a b");
    fs.mkdirSync(path.join(root, "infra"), { recursive: true });
    fs.writeFileSync(path.join(root, "infra", "sdk-preload.cjs"), 'process.stdout.write("preloaded")');
    const run = spawnSync(process.execPath, ["-e", ""], {
      env: { ...process.env, NODE_OPTIONS: nodeOptions({}, root) },
      encoding: "utf8",
    });
    expect([run.stdout, run.stderr]).toEqual(["preloaded", ""]);
  });

  it("names a file that exists", () => {
    expect(fs.existsSync(path.join(ROOT, "infra", "sdk-preload.cjs"))).toBe(true);
  });
});
