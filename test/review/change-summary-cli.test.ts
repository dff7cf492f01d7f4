import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown, summarizePreview } from "../../scripts/review/change-summary";
import { parsePreviewDigest } from "../../scripts/review/preview-digest";

const CLI = path.join(__dirname, "../../scripts/review/change-summary-cli.ts");
const FIXTURE = path.join(__dirname, "../fixtures/preview/volume-replace.json");

function run(args: readonly string[], input = "") {
  return spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { input, encoding: "utf8" });
}

describe("change-summary CLI", () => {
  const expected = renderMarkdown(summarizePreview(parsePreviewDigest(readFileSync(FIXTURE, "utf8"))));

  it("prints the Markdown summary of a file", () => {
    const result = run([FIXTURE]);
    expect([result.status, result.stderr, result.stdout]).toEqual([0, "", expected]);
  });

  it("reads the preview from stdin", () => {
    const result = run([], readFileSync(FIXTURE, "utf8"));
    expect([result.status, result.stderr, result.stdout]).toEqual([0, "", expected]);
  });

  it("rejects a document that is not a preview digest", () => {
    const result = run([], '{"steps": {}}');
    expect([result.status, result.stderr, result.stdout]).toEqual([
      1,
      "change-summary: stdin: not a `pulumi preview --json` digest: steps: Invalid input: expected array, received object\n",
      "",
    ]);
  });

  it("rejects more than one file", () => {
    const result = run(["a.json", "b.json"]);
    expect([result.status, result.stderr.split("\n")[0]]).toEqual([
      2,
      "change-summary: expected at most one file argument, got a.json b.json",
    ]);
  });
});
