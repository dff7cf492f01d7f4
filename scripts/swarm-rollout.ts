/**
 * After `npm run up` on the swarm target: wait until Swarm has finished rolling out every service
 * of the stack, and fail when it rolled one back.
 *
 * The Docker provider's convergence wait on an update returns once every slot runs a task, not when
 * Swarm marks the update completed (README, "Production on Swarm"), so `pulumi up` can succeed while
 * a rollout is still going, and an image that fails only after that is rolled back unseen.
 */
import { spawnSync } from "node:child_process";

/** One service as `docker service inspect` reports its last update. */
export interface RolloutRow {
  readonly name: string;
  /** `UpdateStatus.State`: empty when the service was never updated. */
  readonly state: string;
  readonly message: string;
}

export interface RolloutVerdict {
  /** Services Swarm is still updating or rolling back. */
  readonly pending: readonly string[];
  /** `<service>: <state>: <message>` for every update that did not complete. */
  readonly failed: readonly string[];
}

const IN_PROGRESS = new Set(["updating", "rollback_started"]);
const FAILED = new Set(["rollback_completed", "paused", "rollback_paused"]);

export function rolloutVerdict(rows: readonly RolloutRow[]): RolloutVerdict {
  return {
    pending: rows.filter((r) => IN_PROGRESS.has(r.state)).map((r) => r.name),
    failed: rows
      .filter((r) => FAILED.has(r.state))
      .map((r) => {
        const state = r.state.replace("_", " ");
        // After a rollback Swarm's message is often just "rollback completed" again.
        return r.message === "" || r.message === state
          ? `${r.name}: ${state}`
          : `${r.name}: ${state}: ${r.message}`;
      }),
  };
}

/** The Go template `docker service inspect` prints one row with. */
export const ROLLOUT_FORMAT =
  "{{.Spec.Name}}\t{{if .UpdateStatus}}{{.UpdateStatus.State}}\t{{.UpdateStatus.Message}}{{end}}";

/** `ROLLOUT_FORMAT` output as rows. */
export function parseRolloutRows(text: string): RolloutRow[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [name = "", state = "", ...message] = line.split("\t");
      return { name, state: state.trim(), message: message.join("\t").trim() };
    });
}

/** Runs the docker CLI against `dockerHost`; the output, or an Error saying why it failed. */
function docker(dockerHost: string, args: readonly string[]): string | Error {
  const result = spawnSync("docker", args, {
    encoding: "utf8",
    env: { ...process.env, DOCKER_HOST: dockerHost },
    timeout: 60_000,
  });
  if (result.error) return result.error;
  if (result.status !== 0) return new Error(result.stderr.trim() || `docker exited ${result.status}`);
  return result.stdout;
}

/**
 * Polls the stack's services (label `shipyard.stack=<stack>`) until no rollout is in progress.
 *
 * @returns the failures (empty when every rollout completed), or an Error when Docker cannot be asked
 */
export async function waitForRollouts(
  stack: string,
  dockerHost: string,
  { timeoutMs = 20 * 60_000, intervalMs = 5_000, log = (line: string) => console.log(line) } = {},
): Promise<readonly string[] | Error> {
  const deadline = Date.now() + timeoutMs;
  let reported = "";
  for (;;) {
    const names = docker(dockerHost, ["service", "ls", "-q", "--filter", `label=shipyard.stack=${stack}`]);
    if (names instanceof Error) return names;
    const ids = names.split("\n").filter((id) => id.trim() !== "");
    if (ids.length === 0) return [];
    const rows = docker(dockerHost, ["service", "inspect", "--format", ROLLOUT_FORMAT, ...ids]);
    if (rows instanceof Error) return rows;
    const verdict = rolloutVerdict(parseRolloutRows(rows));
    if (verdict.pending.length === 0) return verdict.failed;
    if (Date.now() > deadline)
      return [
        ...verdict.failed,
        ...verdict.pending.map((name) => `${name}: still updating after ${timeoutMs / 60_000} min`),
      ];
    const waiting = `Waiting for Swarm to finish rolling out: ${verdict.pending.join(", ")}`;
    if (waiting !== reported) log(waiting);
    reported = waiting;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
