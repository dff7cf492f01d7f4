import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}

interface Job {
  readonly needs?: string;
  readonly if?: string;
  readonly "runs-on": string;
  readonly strategy?: { readonly matrix: Record<string, unknown> };
  readonly env?: Record<string, string>;
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const workflow = parse(
  readFileSync(path.join(__dirname, "../../.github/workflows/preview.yml"), "utf8"),
) as Workflow;
const preview = workflow.jobs.preview!;

function step(job: Job, uses: string): Step | undefined {
  return job.steps.find((s) => s.uses?.startsWith(uses));
}

describe(".github/workflows/preview.yml", () => {
  it("runs on pull requests with read access to code and write access to PR comments", () => {
    expect([Object.keys(workflow.on), workflow.permissions]).toEqual([
      ["pull_request"],
      { contents: "read", "pull-requests": "write" },
    ]);
  });

  it("tests first, on Node 20 with the npm cache", () => {
    const test = workflow.jobs.test!;
    expect(Object.keys(workflow.jobs)).toEqual(["test", "preview"]);
    expect(step(test, "actions/setup-node")?.with).toEqual({ "node-version": 20, cache: "npm" });
    expect(test.steps.flatMap((s) => (s.run ? [s.run] : []))).toEqual(["npm ci", "npm test"]);
  });

  it("previews dev and prod on a self-hosted runner, never for forks", () => {
    expect([preview.needs, preview["runs-on"], preview.strategy?.matrix, preview.if]).toEqual([
      "test",
      "self-hosted",
      { stack: ["dev", "prod"] },
      "github.event.pull_request.head.repo.full_name == github.repository",
    ]);
    expect(preview.env).toEqual({
      PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}",
      PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
      STACK: "${{ matrix.stack }}",
    });
  });

  it("installs dependencies before pulumi/actions previews with the policy pack and comments", () => {
    const uses = preview.steps.map((s) => s.uses ?? s.run);
    expect(uses.indexOf("npm ci")).toBeLessThan(uses.indexOf("pulumi/actions@v7"));
    expect(step(preview, "pulumi/actions")?.with).toEqual({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      diff: true,
      "comment-on-pr": true,
      policyPacks: "policy/pack",
      "cloud-url": "${{ secrets.PULUMI_BACKEND_URL }}",
    });
  });

  it("summarises the JSON preview into the job summary and a sticky comment per stack", () => {
    const summary = preview.steps.find((s) => s.name === "Change summary");
    expect(summary?.run?.split("\n")).toEqual([
      'npx --no-install pulumi preview --json --show-sames --stack "$STACK" --policy-pack policy/pack > preview.json',
      "npx --no-install tsx scripts/review/change-summary-cli.ts preview.json > change-summary.md",
      'cat change-summary.md >> "$GITHUB_STEP_SUMMARY"',
      "",
    ]);
    expect(step(preview, "marocchino/sticky-pull-request-comment")?.with).toEqual({
      header: "change-summary-${{ matrix.stack }}",
      path: "change-summary.md",
    });
  });
});
