/**
 * End to end for the library example (examples/notes): its own program, the real Pulumi CLI
 * (through the Automation API) and a real Docker daemon. Opt-in like the rest of test/e2e:
 * `npm run test:e2e -- test/e2e/notes.test.ts`; `npm test` never runs it.
 *
 * One run: a throwaway `file://` backend, a stack named `e2e-<pid>-<time>` (Docker names
 * `notes-<stack>-…`, its git-ignored Pulumi.<stack>.yaml deleted afterwards) and a free port.
 * Skips, printing one line saying why, without a working `pulumi` on PATH or a Docker daemon.
 *   NOTES_E2E_POSTGRES_IMAGE  the postgres image to run (default postgres:16.15-alpine; any
 *                             `repo:tag` a registry or `docker load` made available)
 *   SHIPYARD_E2E_VERBOSE=1    stream Pulumi's output
 */
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  changedCounts,
  e2eEnvVars,
  e2eSkipReason,
  e2eStackName,
  freePort,
  onOutput,
  preferPulumiOnPath,
  ROOT,
  sweepDocker,
} from "./helpers";

preferPulumiOnPath();
const SKIP = e2eSkipReason();
if (SKIP !== undefined) console.log(`notes e2e skipped: ${SKIP}`);

const EXAMPLE = path.join(ROOT, "examples", "notes");
const POSTGRES_IMAGE = process.env.NOTES_E2E_POSTGRES_IMAGE ?? "postgres:16.15-alpine";
const COLOR = { color: "never" } as const;

/** POSTs the notes form as a browser does; the app answers 303 to `/` (post/redirect/get). */
async function submitNote(url: string, note: string): Promise<Response> {
  return fetch(`${url}/notes`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ note }).toString(),
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
  });
}

describe.skipIf(SKIP !== undefined)(
  SKIP === undefined
    ? "examples/notes on a real engine"
    : `examples/notes on a real engine (skipped: ${SKIP})`,
  () => {
    it("deploys with its own program, keeps a note in PostgreSQL, re-plans to no change and is destroyed", async () => {
      const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "notes-e2e-"));
      const stackName = e2eStackName();
      const port = await freePort("127.0.0.1");
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: EXAMPLE },
        { envVars: e2eEnvVars(stateDir) },
      );
      const problems: string[] = [];
      try {
        // The dev stack file's settings, on a free port and the image this machine has.
        await stack.setAllConfig({
          "notes:port": { value: String(port) },
          "notes:replicas": { value: "1" },
          "notes:keepData": { value: "false" },
          "notes:postgresImage": { value: POSTGRES_IMAGE },
          "notes:pinning": { value: "tag" },
        });
        const up = await stack.up({ ...COLOR, onOutput });
        const url = up.outputs.url?.value as unknown;
        expect(url).toBe(`http://127.0.0.1:${port}`);

        // `up` returned once every container was healthy, so the app answers straight away.
        const health = await fetch(`${String(url)}/healthz`);
        expect([health.status, await health.text()]).toEqual([200, "ok\n"]);

        const note = `shipped <by> the e2e suite ${stackName}`;
        const created = await submitNote(String(url), note);
        expect([created.status, created.headers.get("location")]).toEqual([303, "/"]);
        const page = await (await fetch(String(url))).text();
        expect(page).toContain("shipped &lt;by&gt; the e2e suite");

        const empty = await submitNote(String(url), "   ");
        expect(empty.status).toBe(400);

        // The program is deterministic: a second plan changes nothing.
        const preview = await stack.preview({ ...COLOR, onOutput });
        expect(changedCounts(preview.changeSummary)).toEqual({});
      } finally {
        try {
          await stack.destroy({ ...COLOR, onOutput });
        } catch (error) {
          problems.push(`destroy: ${error instanceof Error ? error.message : String(error)}`);
        }
        await stack.workspace.removeStack(stackName, { force: true }).catch((error: unknown) => {
          problems.push(`remove stack: ${error instanceof Error ? error.message : String(error)}`);
        });
        fs.rmSync(path.join(EXAMPLE, `Pulumi.${stackName}.yaml`), { force: true });
        // Whatever a failed destroy left: networks and volumes carry the stack's prefix.
        const swept = await sweepDocker(stackName, `notes-${stackName}`, { volumes: true });
        fs.rmSync(stateDir, { recursive: true, force: true });
        if (swept.length > 0) problems.push(`left on the host after destroy: ${swept.join(", ")}`);
      }
      expect(problems).toEqual([]);
    });
  },
);
