/**
 * Waits until a container passes its own healthcheck, by running the check itself as soon as the
 * container runs and every half second after, through the Docker Engine API on a unix socket.
 *
 * Docker runs a healthcheck's first probe one `interval` after start (API 1.44 adds
 * `start_interval`; this project's hosts speak 1.41), so waiting for Docker's `healthy` costs up to
 * an interval more than the service needs: 10 s for a Node.js API that answers after 1 s.
 * The health gates (health-gate.ts) run it in the program during an update.
 */
import * as http from "node:http";

/** What the probe needs. */
export interface ProbeTarget {
  /** The Docker engine's unix socket. */
  readonly socketPath: string;
  readonly containerId: string;
  /** For messages: the replica's resource name (`api-0`). */
  readonly name: string;
  /** The healthcheck's test, Docker's form: `["CMD", ...]` or `["CMD-SHELL", "..."]`. */
  readonly test: readonly string[];
  /** One probe's timeout. */
  readonly probeTimeoutMs: number;
  /** How long to wait in all before failing (the container's `waitTimeout`). */
  readonly timeoutMs: number;
}

/** The command a healthcheck test runs, as Docker runs it (`CMD-SHELL` through `/bin/sh -c`). */
export function probeCommand(test: readonly string[]): string[] {
  const [form, ...rest] = test;
  if (form === "CMD-SHELL") return ["/bin/sh", "-c", rest.join(" ")];
  if (form === "CMD") return [...rest];
  throw new Error(`healthcheck test must start with CMD or CMD-SHELL, got ${JSON.stringify(test)}`);
}

/** The socket of a `unix://` Docker host, or undefined for any other (tcp://, ssh://). */
export function dockerSocketPath(host: string | undefined): string | undefined {
  return host !== undefined && host.startsWith("unix://") ? host.slice("unix://".length) : undefined;
}

interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** One Docker Engine API call over the socket. */
function dockerApi(socketPath: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        socketPath,
        method,
        path,
        headers: payload === undefined ? {} : { "Content-Type": "application/json" },
        timeout: 10_000,
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          let parsed: unknown = text;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            // Not JSON (an error text): kept as it came.
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`Docker API ${method} ${path} timed out`)));
    request.on("error", reject);
    request.end(payload);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface ContainerState {
  readonly Status?: string;
  readonly Running?: boolean;
  readonly Restarting?: boolean;
  readonly ExitCode?: number;
  readonly Health?: { readonly Status?: string };
}

/** Runs the test once inside the container; its exit code, or undefined when it outlived its timeout. */
async function probeOnce(target: ProbeTarget): Promise<number | undefined> {
  const created = await dockerApi(target.socketPath, "POST", `/containers/${target.containerId}/exec`, {
    Cmd: probeCommand(target.test),
    AttachStdout: false,
    AttachStderr: false,
  });
  // 409: the container stopped or is restarting since it was inspected; the next round sees which.
  if (created.status === 409) return undefined;
  if (created.status !== 201)
    throw new Error(`could not run the healthcheck (${JSON.stringify(created.body)})`);
  const execId = (created.body as { Id: string }).Id;
  await dockerApi(target.socketPath, "POST", `/exec/${execId}/start`, { Detach: true });
  const deadline = Date.now() + target.probeTimeoutMs;
  for (;;) {
    const inspected = await dockerApi(target.socketPath, "GET", `/exec/${execId}/json`);
    const exec = inspected.body as { Running?: boolean; ExitCode?: number | null };
    if (exec.Running === false) return exec.ExitCode ?? undefined;
    if (Date.now() > deadline) return undefined;
    await sleep(100);
  }
}

/**
 * Resolves once the container passes its healthcheck (its own probe, or Docker's `healthy`);
 * rejects when it stops for good, disappears, or is not healthy within `timeoutMs`.
 *
 * @returns milliseconds from the call to healthy
 */
export async function waitUntilHealthy(target: ProbeTarget): Promise<number> {
  const started = Date.now();
  let lastExit: number | undefined;
  for (;;) {
    const inspected = await dockerApi(target.socketPath, "GET", `/containers/${target.containerId}/json`);
    if (inspected.status === 404) throw new Error(`container ${target.name} is gone`);
    const state: ContainerState = (inspected.body as { State?: ContainerState }).State ?? {};
    if (state.Health?.Status === "healthy") return Date.now() - started;
    if (state.Running === true && !state.Restarting) {
      lastExit = await probeOnce(target);
      if (lastExit === 0) return Date.now() - started;
    } else if (state.Status === "exited" || state.Status === "dead") {
      if (!state.Restarting)
        throw new Error(
          `container ${target.name} stopped (exit code ${state.ExitCode}); \`docker logs\` on it says why`,
        );
    }
    if (Date.now() - started > target.timeoutMs) {
      const probe = lastExit === undefined ? "did not finish" : `exited ${lastExit}`;
      throw new Error(
        `container ${target.name} was not healthy within ${Math.round(target.timeoutMs / 1000)} s ` +
          `(Docker's status: ${state.Health?.Status ?? state.Status}; the last healthcheck ${probe})`,
      );
    }
    await sleep(500);
  }
}
