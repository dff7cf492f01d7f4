/**
 * Helpers for the end-to-end suite (test/e2e/shipyard.test.ts): skip detection, Docker CLI
 * wrappers, a free port, bounded polling, and the stack lifecycle through the Automation API.
 *
 * The parsers and checks over command output and engine events are pure, so helpers.test.ts can
 * test them with no Pulumi CLI and no Docker daemon.
 */
import { LocalWorkspace, type EngineEvent, type OpType, type Stack } from "@pulumi/pulumi/automation";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { parseImageRef } from "../../components/image-ref";
import { pulumiOnPath, withCliOnPath } from "../../scripts/pulumi-cli";

/** The repository root: Pulumi.yaml and the Pulumi.<stack>.yaml files. */
export const ROOT = path.resolve(__dirname, "../..");

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** What one command did. `error` is set when it could not run or was killed (ENOENT, timeout). */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error & { code?: string | number | null };
}

/** Runs a command to completion, synchronously (used while vitest collects the tests). */
export type SyncRunner = (command: string, args: readonly string[], timeoutMs: number) => CommandResult;

export const runSync: SyncRunner = (command, args, timeoutMs) => {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return {
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    error: result.error,
  };
};

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs a command to completion without blocking the event loop. Never rejects. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        encoding: "utf8",
        timeout: opts.timeoutMs ?? 120_000,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error?.code;
        resolve({
          status: error === null ? 0 : typeof code === "number" ? code : null,
          stdout,
          stderr,
          error: error ?? undefined,
        });
      },
    );
  });
}

/** The last non-empty line of a command's output, trimmed. */
export function lastLine(text: string): string | undefined {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .at(-1);
}

/** Non-empty, trimmed lines. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Why a command failed, in a few words on one line ("not found on PATH", "exited 1: …"). */
export function describeFailure(result: CommandResult, timeoutMs: number): string {
  const code = result.error?.code;
  if (code === "ENOENT") return "not found on PATH";
  if (code === "ETIMEDOUT" || (result.error !== undefined && result.status === null)) {
    return `did not finish within ${Math.round(timeoutMs / 1000)} s`;
  }
  const detail = lastLine(result.stderr) ?? lastLine(result.stdout) ?? result.error?.message ?? "no output";
  return `exited ${result.status ?? "?"}: ${detail}`.replace(/\s+/g, " ");
}

function failed(result: CommandResult): boolean {
  return result.error !== undefined || result.status !== 0;
}

/** `docker <args>`, resolving to stdout; rejects with the command and its stderr when it fails. */
export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const result = await run("docker", args, { timeoutMs });
  if (failed(result)) throw new Error(`docker ${args.join(" ")} ${describeFailure(result, timeoutMs)}`);
  return result.stdout;
}

/** Whether `docker <args>` exits 0. */
export async function dockerSucceeds(args: readonly string[]): Promise<boolean> {
  return !failed(await run("docker", args));
}

// ---------------------------------------------------------------------------------------------
// Skipping
// ---------------------------------------------------------------------------------------------

/**
 * Puts the folder of the first `pulumi` on PATH outside node_modules/.bin first, so that
 * `pulumi version` here and the Automation API run the user's CLI, not the npm package's wrapper
 * that `npm run` puts ahead of it (which ignores PATH and downloads its own version).
 */
export function preferPulumiOnPath(env: NodeJS.ProcessEnv = process.env): void {
  const cli = pulumiOnPath(env.PATH);
  if (cli !== undefined) env.PATH = withCliOnPath({ path: cli, source: "PATH" }, env).PATH;
}

/** `pulumi version` may be the npm package's wrapper, which downloads the CLI on first use. */
export const PULUMI_VERSION_TIMEOUT_MS = 300_000;
export const DOCKER_INFO_TIMEOUT_MS = 30_000;

/**
 * Why the suite cannot run here, on one line, or undefined when the Pulumi CLI and a Docker daemon
 * both answer.
 */
export function e2eSkipReason(runner: SyncRunner = runSync): string | undefined {
  const problems: string[] = [];
  const pulumi = runner("pulumi", ["version"], PULUMI_VERSION_TIMEOUT_MS);
  if (failed(pulumi))
    problems.push(`no Pulumi CLI (\`pulumi version\` ${describeFailure(pulumi, PULUMI_VERSION_TIMEOUT_MS)})`);
  const info = runner("docker", ["info", "--format", "{{.ServerVersion}}"], DOCKER_INFO_TIMEOUT_MS);
  if (failed(info))
    problems.push(`no Docker daemon (\`docker info\` ${describeFailure(info, DOCKER_INFO_TIMEOUT_MS)})`);
  return problems.length === 0 ? undefined : problems.join("; ");
}

/** What `docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}}'` says about Swarm. */
export type SwarmReadiness =
  { readonly ok: true; readonly init: boolean } | { readonly ok: false; readonly reason: string };

export function swarmReadiness(infoLine: string): SwarmReadiness {
  const [state = "", manager = "", nodes = ""] = infoLine.trim().split(/\s+/);
  if (state === "inactive") return { ok: true, init: true };
  if (state !== "active")
    return {
      ok: false,
      reason: `this daemon's swarm state is ${JSON.stringify(state)}, not active or inactive`,
    };
  if (manager !== "true")
    return { ok: false, reason: "this daemon is a swarm worker; the swarm part needs a manager" };
  if (nodes !== "1") {
    return {
      ok: false,
      reason: `this daemon is in a ${nodes}-node swarm; the swarm part runs local image ids, so it needs a single node`,
    };
  }
  return { ok: true, init: false };
}

/** Why the Swarm part is skipped, or undefined when it can run (possibly after `docker swarm init`). */
export function swarmSkipReason(
  env: NodeJS.ProcessEnv = process.env,
  runner: SyncRunner = runSync,
): string | undefined {
  if (env.SHIPYARD_E2E_SWARM !== "1")
    return "set SHIPYARD_E2E_SWARM=1 to run it (it may run `docker swarm init` on this daemon)";
  const info = runner(
    "docker",
    ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}}"],
    DOCKER_INFO_TIMEOUT_MS,
  );
  if (failed(info)) return `\`docker info\` ${describeFailure(info, DOCKER_INFO_TIMEOUT_MS)}`;
  const readiness = swarmReadiness(info.stdout);
  return readiness.ok ? undefined : readiness.reason;
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/**
 * A stack name unique to this run, matched by `.gitignore`'s `Pulumi.e2e-*.yaml`. Short (base 36),
 * because Swarm secret names (`shipyard-<stack>-sw-postgres-password-<12 hex>`) may not exceed 64
 * characters.
 */
export function e2eStackName(pid: number = process.pid, now: number = Date.now()): string {
  return `e2e-${pid.toString(36)}-${now.toString(36)}`;
}

/** Names that belong to a Docker name prefix (`<prefix>-…`). */
export function withPrefix(names: readonly string[], prefix: string): string[] {
  return names.filter((name) => name.startsWith(`${prefix}-`));
}

/** The Pulumi.<stack>.yaml a workspace writes for a stack. */
export function stackConfigFile(stackName: string): string {
  return path.join(ROOT, `Pulumi.${stackName}.yaml`);
}

// ---------------------------------------------------------------------------------------------
// Docker output
// ---------------------------------------------------------------------------------------------

export interface ContainerRow {
  readonly id: string;
  /** The `shipyard.service` label. */
  readonly service: string;
}

/** `docker ps --no-trunc --format '{{.ID}}\t{{.Label "shipyard.service"}}'` */
export const CONTAINER_FORMAT = '{{.ID}}\t{{.Label "shipyard.service"}}';

export function parseContainerRows(stdout: string): ContainerRow[] {
  return lines(stdout).map((line) => {
    const [id = "", service = ""] = line.split("\t");
    return { id: id.trim(), service: service.trim() };
  });
}

/** Container ids by service. */
export function containersByService(rows: readonly ContainerRow[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const row of rows) (result[row.service] ??= []).push(row.id);
  for (const ids of Object.values(result)) ids.sort();
  return result;
}

export interface HealthRow {
  readonly id: string;
  /** `healthy`, `starting`, `unhealthy`, or `none` for a container without a healthcheck. */
  readonly health: string;
  /** `running`, `exited`, … */
  readonly state: string;
}

/** `docker inspect --format` for {@link parseHealthRows}. */
export const HEALTH_FORMAT =
  // `index`, not `.State.Health`: the CLI inspects as a map, and a container without a healthcheck
  // has no Health key, which `.State.Health` turns into a template error.
  '{{.Id}}\t{{with index .State "Health"}}{{.Status}}{{else}}none{{end}}\t{{.State.Status}}';

export function parseHealthRows(stdout: string): HealthRow[] {
  return lines(stdout).map((line) => {
    const [id = "", health = "", state = ""] = line.split("\t");
    return { id: id.trim(), health: health.trim(), state: state.trim() };
  });
}

/** The containers that are not running healthy. */
export function notHealthy(rows: readonly HealthRow[]): HealthRow[] {
  return rows.filter((row) => row.health !== "healthy" || row.state !== "running");
}

export interface ServiceReplicas {
  readonly name: string;
  readonly running: number;
  readonly desired: number;
}

/** `docker service ls --format '{{.Name}} {{.Replicas}}'`: `shipyard-x-api 3/3` (maybe `(max 1 per node)` after it). */
export function parseServiceReplicas(stdout: string): ServiceReplicas[] {
  return lines(stdout).map((line) => {
    const match = /^(\S+)\s+(\d+)\/(\d+)/.exec(line);
    if (!match) throw new Error(`unexpected \`docker service ls\` line: ${JSON.stringify(line)}`);
    return { name: match[1]!, running: Number(match[2]), desired: Number(match[3]) };
  });
}

export interface TaskRow {
  readonly id: string;
  readonly image: string;
  /** Lower case: `running`, `shutdown`, … */
  readonly desired: string;
  /** The first word of CurrentState, lower case: `running`, `starting`, `preparing`, `shutdown`, … */
  readonly state: string;
}

/** `docker service ps --no-trunc --format` for {@link parseTaskRows}. */
export const TASK_FORMAT = "{{.ID}}\t{{.Image}}\t{{.DesiredState}}\t{{.CurrentState}}";

export function parseTaskRows(stdout: string): TaskRow[] {
  return lines(stdout).map((line) => {
    const [id = "", image = "", desired = "", current = ""] = line.split("\t");
    return {
      id: id.trim(),
      image: image.trim(),
      desired: desired.trim().toLowerCase(),
      state: (current.trim().split(/\s+/)[0] ?? "").toLowerCase(),
    };
  });
}

/**
 * Tasks Swarm wants running: those already running (for a service with a healthcheck, Swarm
 * reports `running` only once the task is healthy) and those on their way (`starting`, …).
 */
export function taskCounts(tasks: readonly TaskRow[]): {
  readonly running: number;
  readonly pending: number;
} {
  const wanted = tasks.filter((t) => t.desired === "running");
  const running = wanted.filter((t) => t.state === "running").length;
  return { running, pending: wanted.length - running };
}

/** `docker service inspect --format '{{json .UpdateStatus}}'`: the update's state, or undefined when the service never updated. */
export function parseUpdateState(stdout: string): string | undefined {
  const text = stdout.trim();
  if (text === "" || text === "null" || text === "<no value>") return undefined;
  const parsed = JSON.parse(text) as unknown;
  if (parsed === null || typeof parsed !== "object") return undefined;
  const state = (parsed as Record<string, unknown>).State;
  return typeof state === "string" ? state : undefined;
}

/** `docker inspect --format '{{json .Config.Env}}'` */
export function parseEnv(stdout: string): string[] {
  const parsed = JSON.parse(stdout.trim()) as unknown;
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
}

// ---------------------------------------------------------------------------------------------
// Engine events
// ---------------------------------------------------------------------------------------------

/** The resource name at the end of a URN (`urn:pulumi:<stack>::<project>::<type chain>::<name>`). */
export function urnName(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** The resource's own type (the last of the type chain). */
export function urnType(urn: string): string {
  return urn.split("::")[2]?.split("$").at(-1) ?? "";
}

export interface ResourceChange {
  readonly op: OpType;
  readonly urn: string;
}

/** Every step of a preview or update other than `same`, in event order. */
export function resourceChanges(events: readonly EngineEvent[]): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    if (metadata !== undefined && metadata.op !== "same")
      changes.push({ op: metadata.op, urn: metadata.urn });
  }
  return changes;
}

/** The non-zero counts of an OpMap (a change summary) other than `same`: `{}` when nothing changes. */
export function changedCounts(summary: Readonly<Partial<Record<OpType, number>>>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [op, count] of Object.entries(summary))
    if (op !== "same" && count !== undefined && count > 0) changed[op] = count;
  return changed;
}

/** The changes that touch a resource `allowed` does not accept; empty when only those resources change. */
export function changesOutside(
  events: readonly EngineEvent[],
  allowed: (urn: string) => boolean,
): ResourceChange[] {
  return resourceChanges(events).filter((change) => !allowed(change.urn));
}

/** Accepts the containers of one service on the container target: `docker.Container` `<service>-<i>`. */
export function isContainerOf(service: string): (urn: string) => boolean {
  const name = new RegExp(`^${service.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d+$`);
  return (urn) => urnType(urn) === "docker:index/container:Container" && name.test(urnName(urn));
}

// ---------------------------------------------------------------------------------------------
// Stack outputs
// ---------------------------------------------------------------------------------------------

/** The parts of the `summary` output the suite reads (infra/program.ts, StackSummary). */
export interface SummaryView {
  readonly environment: string;
  readonly target: string;
  readonly services: Readonly<Record<string, { readonly replicas: number }>>;
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Checks the `summary` output's shape; throws naming what is missing. */
export function parseSummary(value: unknown): SummaryView {
  if (!isRecord(value)) throw new Error(`summary output is not an object: ${JSON.stringify(value)}`);
  const { environment, target, services, networks, volumes } = value;
  if (typeof environment !== "string" || typeof target !== "string")
    throw new Error(`summary output has no environment/target: ${JSON.stringify(value)}`);
  if (!isRecord(services)) throw new Error(`summary.services is not an object: ${JSON.stringify(services)}`);
  const parsed: Record<string, { replicas: number }> = {};
  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service) || typeof service.replicas !== "number")
      throw new Error(`summary.services.${name} has no replicas`);
    parsed[name] = { replicas: service.replicas };
  }
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
  return { environment, target, services: parsed, networks: strings(networks), volumes: strings(volumes) };
}

/** How many containers the container target runs for a summary: one per replica. */
export function expectedContainers(summary: SummaryView): number {
  return Object.values(summary.services).reduce((sum, s) => sum + s.replicas, 0);
}

/** A `service → image reference` output or config value. */
export function parseImages(value: unknown): Record<string, string> {
  if (!isRecord(value)) throw new Error(`images is not an object: ${JSON.stringify(value)}`);
  const images: Record<string, string> = {};
  for (const [service, ref] of Object.entries(value)) {
    if (typeof ref !== "string") throw new Error(`images.${service} is not a string: ${JSON.stringify(ref)}`);
    images[service] = ref;
  }
  return images;
}

// ---------------------------------------------------------------------------------------------
// Time, ports, HTTP
// ---------------------------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PollOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message. */
  readonly what: string;
}

/**
 * Calls `probe` until `done` accepts its value, and returns that value. A probe that throws counts as
 * not done. Rejects after `timeoutMs` with the last value or error seen.
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  opts: PollOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: string;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = JSON.stringify(value);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline)
      throw new Error(
        `${opts.what}: not reached within ${Math.round(opts.timeoutMs / 1000)} s; last seen: ${last}`,
      );
    await sleep(Math.min(opts.intervalMs ?? 2_000, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Runs `sample` every `intervalMs` while `operation` is pending, and once more after it settles.
 * Sampling errors are recorded, not thrown. Rejects with the operation's error.
 */
export async function sampleWhile<T, S>(
  operation: Promise<T>,
  sample: () => Promise<S>,
  intervalMs: number,
): Promise<{ readonly result: T; readonly samples: S[]; readonly errors: string[] }> {
  let settled = false;
  const finished = operation.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  void finished.then(() => {
    settled = true;
  });
  const samples: S[] = [];
  const errors: string[] = [];
  const take = async (): Promise<void> => {
    try {
      samples.push(await sample());
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  };
  while (!settled) {
    await take();
    await Promise.race([sleep(intervalMs), finished]);
  }
  await take();
  const outcome = await finished;
  if (!outcome.ok) throw outcome.error;
  return { result: outcome.value, samples, errors };
}

/** A TCP port nothing listens on right now (on every interface unless `host` is given). */
export function freePort(host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error("no port assigned")) : resolve(port)));
    });
  });
}

export interface HttpResult {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export async function http(method: string, url: string, body?: unknown): Promise<HttpResult> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

// ---------------------------------------------------------------------------------------------
// Stacks
// ---------------------------------------------------------------------------------------------

/** The environment of every Pulumi command of the suite: a throwaway file backend and passphrase. */
export function e2eEnvVars(stateDir: string): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "shipyard-e2e-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
}

/**
 * Creates (or selects) a stack of the repository's program. Never passes projectSettings: the
 * workspace would rewrite Pulumi.yaml (research/ecosystem.md §5).
 */
export function openStack(stackName: string, envVars: Record<string, string>): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack({ stackName, workDir: ROOT }, { envVars });
}

/** The console, when SHIPYARD_E2E_VERBOSE=1; Pulumi's progress otherwise stays in the results. */
export const onOutput: ((out: string) => void) | undefined =
  process.env.SHIPYARD_E2E_VERBOSE === "1" ? (out: string) => void process.stdout.write(out) : undefined;

interface StateResource {
  urn?: unknown;
  type?: unknown;
  protect?: unknown;
  retainOnDelete?: unknown;
  outputs?: unknown;
}

/** The resources of an exported deployment (an empty list for a stack with none). */
export function deploymentResources(deployment: unknown): StateResource[] {
  if (!isRecord(deployment)) return [];
  const resources = deployment.resources;
  return Array.isArray(resources) ? resources.filter(isRecord) : [];
}

/** The state entry of the docker.Volume with this Docker name. */
export function volumeState(deployment: unknown, dockerName: string): StateResource | undefined {
  return deploymentResources(deployment).find(
    (r) => r.type === "docker:index/volume:Volume" && isRecord(r.outputs) && r.outputs.name === dockerName,
  );
}

/**
 * Clears `protect` on every resource of the stack (what `pulumi state unprotect --all` does), so a
 * destroy can run: Pulumi refuses to delete protected resources, and `retainOnDelete` then keeps
 * the Docker objects on the host. Returns how many resources were protected.
 */
export async function unprotectAll(stack: Stack): Promise<number> {
  const exported = await stack.exportStack();
  let count = 0;
  for (const resource of deploymentResources(exported.deployment)) {
    if (resource.protect === true) {
      resource.protect = false;
      count++;
    }
  }
  if (count > 0) await stack.importStack(exported);
  return count;
}

/**
 * Destroys a stack (unprotecting it first when asked), removes it from the backend and deletes its
 * Pulumi.<stack>.yaml. Runs every step even when one fails; returns the failures.
 */
export async function tearDown(stack: Stack, opts: { readonly unprotect?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>): Promise<boolean> => {
    try {
      await step();
      return true;
    } catch (error) {
      problems.push(`${stack.name}: ${what}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };
  if (opts.unprotect) await attempt("unprotect", () => unprotectAll(stack));
  const destroyed = await attempt("destroy", () => stack.destroy({ color: "never", onOutput }));
  // After a failed destroy, removing the stack by force still tidies the backend; the Docker sweep
  // (sweepDocker) removes what the state no longer tracks.
  await attempt("remove stack", () => stack.workspace.removeStack(stack.name, { force: !destroyed }));
  fs.rmSync(stackConfigFile(stack.name), { force: true });
  return problems;
}

/**
 * Removes what a stack may have left on the Docker host: containers and Swarm services labelled
 * `shipyard.stack=<stack>`, and networks, Swarm secrets/configs and (with `volumes`) volumes named
 * `<prefix>-…`. Returns what it removed.
 */
export async function sweepDocker(
  stackName: string,
  prefix: string,
  opts: { readonly volumes: boolean },
): Promise<string[]> {
  const removed: string[] = [];
  const list = async (args: readonly string[]): Promise<string[]> => {
    const result = await run("docker", args);
    return failed(result) ? [] : lines(result.stdout);
  };
  const remove = async (
    kind: string,
    rm: readonly string[],
    names: readonly string[],
    retryMs = 0,
  ): Promise<void> => {
    for (const name of names) {
      // Swarm stops a removed service's tasks asynchronously: its networks and volumes stay in use
      // a while, so those removals are retried for up to `retryMs`.
      const gone = await pollUntil(() => dockerSucceeds([...rm, name]), Boolean, {
        timeoutMs: retryMs,
        intervalMs: 1_000,
        what: `${kind} ${name} removed`,
      }).catch(() => false);
      if (gone) removed.push(`${kind} ${name}`);
    }
  };
  const label = `label=shipyard.stack=${stackName}`;
  await remove("service", ["service", "rm"], await list(["service", "ls", "--quiet", "--filter", label]));
  await remove(
    "container",
    ["rm", "--force", "--volumes"],
    await list(["ps", "--all", "--quiet", "--no-trunc", "--filter", label]),
  );
  await remove(
    "secret",
    ["secret", "rm"],
    withPrefix(await list(["secret", "ls", "--format", "{{.Name}}"]), prefix),
  );
  await remove(
    "config",
    ["config", "rm"],
    withPrefix(await list(["config", "ls", "--format", "{{.Name}}"]), prefix),
  );
  await remove(
    "network",
    ["network", "rm"],
    withPrefix(await list(["network", "ls", "--format", "{{.Name}}"]), prefix),
    60_000,
  );
  if (opts.volumes)
    await remove(
      "volume",
      ["volume", "rm", "--force"],
      withPrefix(await list(["volume", "ls", "--format", "{{.Name}}"]), prefix),
      60_000,
    );
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Docker queries
// ---------------------------------------------------------------------------------------------

/** The stack's containers (running only, unless `all`). */
export async function stackContainers(stackName: string, all = false): Promise<ContainerRow[]> {
  const args = [
    "ps",
    "--no-trunc",
    "--filter",
    `label=shipyard.stack=${stackName}`,
    "--format",
    CONTAINER_FORMAT,
  ];
  return parseContainerRows(await docker(all ? [...args, "--all"] : args));
}

export async function containerHealth(ids: readonly string[]): Promise<HealthRow[]> {
  if (ids.length === 0) return [];
  return parseHealthRows(await docker(["inspect", "--format", HEALTH_FORMAT, ...ids]));
}

/**
 * Waits until the stack runs `expected` containers, all healthy (`docker ps` by the
 * `shipyard.stack` label, then `docker inspect` State.Health.Status of each).
 */
export async function waitHealthy(
  stackName: string,
  expected: number,
  timeoutMs = 300_000,
): Promise<HealthRow[]> {
  return pollUntil(
    async () => containerHealth((await stackContainers(stackName)).map((c) => c.id)),
    (rows) => rows.length === expected && notHealthy(rows).length === 0,
    { timeoutMs, what: `${expected} healthy containers of stack ${stackName}` },
  );
}

/** Docker names (networks, volumes) under a prefix. */
export async function namesWithPrefix(kind: "network" | "volume", prefix: string): Promise<string[]> {
  return withPrefix(lines(await docker([kind, "ls", "--format", "{{.Name}}"])), prefix);
}

/** The stack's Swarm services and their running/desired replicas. */
export async function stackServices(stackName: string): Promise<ServiceReplicas[]> {
  return parseServiceReplicas(
    await docker([
      "service",
      "ls",
      "--filter",
      `label=shipyard.stack=${stackName}`,
      "--format",
      "{{.Name}} {{.Replicas}}",
    ]),
  );
}

/**
 * `docker swarm init`, and with `--advertise-addr 127.0.0.1` when Docker cannot pick an address
 * (a host with several interfaces). A single-node swarm needs no other node to reach it.
 */
export async function initSwarm(): Promise<void> {
  const plain = await run("docker", ["swarm", "init"]);
  if (!failed(plain)) return;
  await docker(["swarm", "init", "--advertise-addr", "127.0.0.1"]);
}

/**
 * The Docker endpoint the docker CLI talks to, when it is not Pulumi's default
 * (`unix:///var/run/docker.sock`), so the stacks deploy to the daemon the checks inspect.
 */
export async function nonDefaultDockerHost(): Promise<string | undefined> {
  const result = await run("docker", ["context", "inspect", "--format", "{{.Endpoints.docker.Host}}"]);
  const host = failed(result) ? undefined : lastLine(result.stdout);
  return host !== undefined &&
    host !== "unix:///var/run/docker.sock" &&
    /^(unix|tcp|ssh|npipe):\/\/.+/.test(host)
    ? host
    : undefined;
}

/** The environment variable that swaps the stacks' images for local ones (README, "End-to-end tests"). */
export const IMAGES_ENV = "SHIPYARD_E2E_IMAGES";

/**
 * Image overrides from `SHIPYARD_E2E_IMAGES`, a JSON object of service → image reference, so the
 * suite runs where registries are out of reach on images built or loaded locally.
 *
 * @throws naming the variable, the service and the fix when the value is not such an object
 */
export function imageOverrides(env: NodeJS.ProcessEnv, services: readonly string[]): Record<string, string> {
  const text = env[IMAGES_ENV];
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(
      `${IMAGES_ENV} must be a JSON object of service → image, e.g. {"postgres":"postgres:16-local"}, got ${text}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(
      `${IMAGES_ENV} must be a JSON object of service → image, e.g. {"postgres":"postgres:16-local"}, got ${text}`,
    );
  }
  const problems: string[] = [];
  const images: Record<string, string> = {};
  for (const [service, ref] of Object.entries(parsed as Record<string, unknown>)) {
    if (!services.includes(service))
      problems.push(`${IMAGES_ENV}.${service}: not a service of the system (${services.join(", ")})`);
    else if (typeof ref !== "string")
      problems.push(`${IMAGES_ENV}.${service}: must be a string, got ${JSON.stringify(ref)}`);
    else {
      const checked = parseImageRef(ref);
      if ("error" in checked) problems.push(`${IMAGES_ENV}.${service}: ${checked.error}`);
      else images[service] = ref;
    }
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return images;
}
