/**
 * End to end: the real program, the real Pulumi CLI (through the Automation API) and a real Docker
 * daemon. Opt-in: `npm run test:e2e` (vitest.e2e.config.mts); `npm test` never runs it.
 *
 * Every run uses a throwaway `file://` backend (mkdtemp) and stacks named `e2e-<pid>-<time>…`
 * (base 36), whose Pulumi.e2e-*.yaml files are git-ignored and deleted afterwards.
 *
 * Skips, printing one line saying why, without a working `pulumi` on PATH or a Docker daemon.
 *   SHIPYARD_E2E_PROD=0     skip the prod-on-container part (retained volumes)
 *   SHIPYARD_E2E_SWARM=1    run the Swarm part (may `docker swarm init`, and leave it again after)
 *   SHIPYARD_E2E_VERBOSE=1  stream Pulumi's output
 *   SHIPYARD_E2E_IMAGES     JSON service → image, e.g. {"postgres":"postgres:16-local","api":"shipyard-api:local"}:
 *                           runs on images built or loaded locally where registries are out of reach
 */
import type { EngineEvent, OpMap, Stack } from "@pulumi/pulumi/automation";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_KEYS } from "../../stacks/profile";
import {
  imageOverrides,
  changedCounts,
  changesOutside,
  containersByService,
  deploymentResources,
  docker,
  dockerSucceeds,
  e2eEnvVars,
  e2eSkipReason,
  e2eStackName,
  expectedContainers,
  freePort,
  http,
  initSwarm,
  isContainerOf,
  namesWithPrefix,
  nonDefaultDockerHost,
  onOutput,
  openStack,
  parseEnv,
  parseImages,
  parseSummary,
  parseTaskRows,
  parseUpdateState,
  pollUntil,
  preferPulumiOnPath,
  resourceChanges,
  ROOT,
  run,
  sampleWhile,
  stackConfigFile,
  stackContainers,
  stackServices,
  swarmSkipReason,
  sweepDocker,
  TASK_FORMAT,
  taskCounts,
  tearDown,
  unprotectAll,
  volumeState,
  waitHealthy,
  type HttpResult,
  type SummaryView,
} from "./helpers";

preferPulumiOnPath();
const SKIP = e2eSkipReason();
const PROD_SKIP = process.env.SHIPYARD_E2E_PROD === "0" ? "SHIPYARD_E2E_PROD=0" : undefined;
const SWARM_SKIP = SKIP === undefined ? swarmSkipReason() : undefined;
if (SKIP !== undefined) console.log(`shipyard e2e skipped: ${SKIP}`);
else {
  if (PROD_SKIP !== undefined) console.log(`shipyard e2e: prod-on-container part skipped: ${PROD_SKIP}`);
  if (SWARM_SKIP !== undefined) console.log(`shipyard e2e: swarm part skipped: ${SWARM_SKIP}`);
}

const skipped = (title: string, reason: string | undefined): string =>
  reason === undefined ? title : `${title} (skipped: ${reason})`;

/** No host ports besides the web's, so the suite runs beside a developer's own dev stack. */
/** Images to use instead of pulling or building (SHIPYARD_E2E_IMAGES); dev's outputs carry them onward. */
const localImages = imageOverrides(process.env, SERVICE_KEYS);
const DEV_SERVICES = { api: { ports: [] as unknown[] }, postgres: { ports: [] as unknown[] } };
const COLOR = { color: "never" } as const;

interface Todo {
  readonly id: number;
  readonly title: string;
}

function asTodo(result: HttpResult): Todo {
  const body = result.json;
  if (body === null || typeof body !== "object") throw new Error(`not a todo: ${result.text}`);
  const { id, title } = body as Record<string, unknown>;
  if (typeof id !== "number" || !Number.isInteger(id) || typeof title !== "string")
    throw new Error(`not a todo: ${result.text}`);
  return { id, title };
}

/** POST /api/todos then GET /api/todos/:id through the web (nginx → api → postgres). */
async function roundTrip(url: string, title: string): Promise<Todo> {
  const created = await http("POST", `${url}/api/todos`, { title });
  expect(created.status, created.text).toBe(201);
  const todo = asTodo(created);
  expect(todo.title).toBe(title);
  const read = await http("GET", `${url}/api/todos/${todo.id}`);
  expect(read.status, read.text).toBe(200);
  expect(asTodo(read)).toEqual(todo);
  return todo;
}

/** The todo's title as PostgreSQL has it, asked inside the stack's postgres container. */
async function titleInPostgres(stackName: string, id: number): Promise<string> {
  const postgres = (await stackContainers(stackName)).find((c) => c.service === "postgres");
  if (postgres === undefined) throw new Error(`stack ${stackName} runs no postgres container`);
  const script =
    'PGPASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")" exec psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "SELECT title FROM todos WHERE id = $1"';
  return (await docker(["exec", postgres.id, "sh", "-c", script, "sh", String(id)])).trim();
}

interface Links {
  readonly blocks: number[];
  readonly blockedBy: number[];
  readonly relatesTo: number[];
}

/** POST /api/todos/:id/links through the web. */
async function link(url: string, from: number, type: "blocks" | "relates_to", to: number): Promise<Links> {
  const created = await http("POST", `${url}/api/todos/${from}/links`, { type, target: to });
  expect(created.status, created.text).toBe(201);
  return created.json as Links;
}

/** GET /api/todos/:id/links through the web, waiting out a graph that is still coming back. */
async function linksOf(url: string, id: number): Promise<Links> {
  const read = await pollUntil(
    () => http("GET", `${url}/api/todos/${id}/links`),
    (r) => r.status !== 503,
    { timeoutMs: 120_000, what: `GET /api/todos/${id}/links answers` },
  );
  expect(read.status, read.text).toBe(200);
  return read.json as Links;
}

/** The ids of the todos `id` blocks, transitively (GET /api/todos/:id/blocks). */
async function blockedIds(url: string, id: number): Promise<number[]> {
  const read = await http("GET", `${url}/api/todos/${id}/blocks`);
  expect(read.status, read.text).toBe(200);
  return (read.json as Todo[]).map((t) => t.id);
}

/** The stack's one container of `service`. */
async function containerOf(stackName: string, service: string): Promise<string> {
  const found = (await stackContainers(stackName)).find((c) => c.service === service);
  if (found === undefined) throw new Error(`stack ${stackName} runs no ${service} container`);
  return found.id;
}

/** The graph exports in a stack's graph-backup volume, as the backup container lists its directory. */
async function graphExports(stackName: string): Promise<string[]> {
  const backup = await containerOf(stackName, "graph-backup");
  const out = await docker(["exec", backup, "sh", "-c", 'ls -1 "$BACKUP_DIR"']);
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^graph-.*\.jsonl$/.test(l));
}

function required<T>(record: Readonly<Record<string, T>>, key: string, what: string): T {
  const value = record[key];
  if (value === undefined) throw new Error(`${what} has no ${key}`);
  return value;
}

function messageOf(outcome: unknown): string {
  return outcome instanceof Error ? outcome.message : String(outcome);
}

/** What the dev stack's first `up` produced; later tests need it. */
interface DevRun {
  readonly url: string;
  readonly webPort: number;
  readonly images: Record<string, string>;
  readonly summary: SummaryView;
}

/** The `url`, `images` and `summary` outputs of an update. */
function readOutputs(outputs: Awaited<ReturnType<Stack["up"]>>["outputs"]): {
  url: string;
  images: Record<string, string>;
  summary: SummaryView;
} {
  const url: unknown = outputs.url?.value;
  if (typeof url !== "string") throw new Error(`url output is not a string: ${JSON.stringify(url)}`);
  return { url, images: parseImages(outputs.images?.value), summary: parseSummary(outputs.summary?.value) };
}

function nonSame(changes: OpMap | undefined): Record<string, number> {
  return changedCounts(changes ?? {});
}

describe.skipIf(SKIP !== undefined)(skipped("shipyard on a real Docker host", SKIP), () => {
  const base = e2eStackName();
  const devName = base;
  const prodName = `${base}-prod`;
  const swarmName = `${base}-sw`;
  let stateDir = "";
  let envVars: Record<string, string> = {};
  /** `shipyard:dockerHost`, when the docker CLI talks to another daemon than Pulumi's default. */
  let hostConfig: Record<string, { value: string }> = {};
  let dev: Stack | undefined;
  let prod: Stack | undefined;
  let devRun: DevRun | undefined;

  const requireDev = (): { stack: Stack; run: DevRun } => {
    if (dev === undefined || devRun === undefined)
      throw new Error("the dev stack is not up (see the first failing test)");
    return { stack: dev, run: devRun };
  };

  beforeAll(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-e2e-"));
    envVars = e2eEnvVars(stateDir);
    const host = await nonDefaultDockerHost();
    hostConfig = host === undefined ? {} : { "shipyard:dockerHost": { value: host } };
    const webPort = await freePort("127.0.0.1");
    dev = await openStack(devName, envVars);
    await dev.setAllConfig({
      "shipyard:environment": { value: "dev" },
      "shipyard:webPort": { value: String(webPort) },
      "shipyard:namePrefix": { value: devName },
      "shipyard:hotReload": { value: "false" },
      "shipyard:services": { value: JSON.stringify(DEV_SERVICES) },
      ...(Object.keys(localImages).length > 0
        ? { "shipyard:images": { value: JSON.stringify(localImages) } }
        : {}),
      ...hostConfig,
    });
  });

  afterAll(async () => {
    const problems: string[] = [];
    if (prod !== undefined) problems.push(...(await tearDown(prod, { unprotect: true })));
    if (dev !== undefined) problems.push(...(await tearDown(dev)));
    const swept = [
      ...(await sweepDocker(devName, devName, { volumes: true })),
      ...(await sweepDocker(prodName, `shipyard-${prodName}`, { volumes: true })),
    ];
    if (swept.length > 0) console.log(`shipyard e2e: removed leftovers: ${swept.join(", ")}`);
    for (const name of [devName, prodName]) fs.rmSync(stackConfigFile(name), { force: true });
    if (stateDir !== "") fs.rmSync(stateDir, { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join("\n")}`);
  });

  it("dev: `up` brings every service to healthy, and a todo round-trips web → api → postgres", async () => {
    const stack = dev!;
    const webPort = Number((await stack.getConfig("shipyard:webPort")).value);
    const result = await stack.up({ ...COLOR, onOutput });
    expect(result.summary.result).toBe("succeeded");
    const { url, images, summary } = readOutputs(result.outputs);
    expect(summary).toMatchObject({ environment: "dev", target: "container" });
    expect(url).toBe(`http://127.0.0.1:${webPort}`);
    for (const service of Object.keys(summary.services))
      expect(images[service], `images.${service}`).toMatch(/sha256:[0-9a-f]{64}$/);
    devRun = { url, webPort, images, summary };

    // Every container of the stack, found by its label, is healthy by Docker's own healthcheck.
    const health = await waitHealthy(devName, expectedContainers(summary));
    expect(health).toHaveLength(expectedContainers(summary));
    const services = containersByService(await stackContainers(devName));
    expect(Object.keys(services).sort()).toEqual(Object.keys(summary.services).sort());

    const page = await pollUntil(
      () => http("GET", url),
      (r) => r.status === 200,
      { timeoutMs: 60_000, what: `GET ${url}` },
    );
    expect(page.text).toMatch(/<html/i);
    const todo = await roundTrip(url, `e2e ${devName}`);
    expect(await titleInPostgres(devName, todo.id)).toBe(todo.title);
  });

  it("dev: links between todos, made through the web, survive a restart of the graph", async () => {
    const { run } = requireDev();
    const [design, build, ship, note] = [
      await roundTrip(run.url, "design"),
      await roundTrip(run.url, "build"),
      await roundTrip(run.url, "ship"),
      await roundTrip(run.url, "note"),
    ];
    await link(run.url, design.id, "blocks", build.id);
    await link(run.url, build.id, "blocks", ship.id);
    expect(await link(run.url, design.id, "relates_to", note.id)).toEqual({
      blocks: [build.id],
      blockedBy: [],
      relatesTo: [note.id],
    });
    expect(await blockedIds(run.url, design.id)).toEqual([build.id, ship.id]);
    // A cycle is refused.
    const cycle = await http("POST", `${run.url}/api/todos/${ship.id}/links`, {
      type: "blocks",
      target: design.id,
    });
    expect(cycle.status, cycle.text).toBe(409);

    await docker(["restart", await containerOf(devName, "graph")]);
    await waitHealthy(devName, expectedContainers(run.summary));
    expect(await linksOf(run.url, design.id)).toEqual({
      blocks: [build.id],
      blockedBy: [],
      relatesTo: [note.id],
    });
    expect(await blockedIds(run.url, design.id)).toEqual([build.id, ship.id]);
    const health = await http("GET", `${run.url}/api/health`);
    expect([health.status, health.json]).toEqual([200, { status: "ok" }]);
  });

  it("dev: a second preview and a refresh report no changes", async () => {
    const { stack } = requireDev();
    const preview = await stack.preview({ ...COLOR, expectNoChanges: true, onOutput });
    expect(nonSame(preview.changeSummary)).toEqual({});
    await stack.refresh({ ...COLOR, expectNoChanges: true, onOutput });
  });

  // A crashed server comes back with no deploy, on the same data (the restart policy; that it is
  // unless-stopped, which also restarts a server that exited 0, the unit tests pin).
  it("dev: a PostgreSQL killed with SIGKILL comes back by itself, with its data", async () => {
    const { run } = requireDev();
    const todo = await roundTrip(run.url, "survives a crash");
    const postgres = (await stackContainers(devName)).find((c) => c.service === "postgres");
    if (postgres === undefined) throw new Error(`stack ${devName} runs no postgres container`);
    const restarts = async () =>
      Number((await docker(["inspect", "-f", "{{.RestartCount}}", postgres.id])).trim());
    const before = await restarts();
    // The server process, as its own user (uid 70 may signal its own processes): a crash, not a
    // `docker kill`, which Docker counts as a deliberate stop.
    await docker(["exec", postgres.id, "sh", "-c", 'kill -KILL "$(head -n 1 "$PGDATA/postmaster.pid")"']);
    await pollUntil(restarts, (n) => n > before, { timeoutMs: 60_000, what: "postgres restarted" });
    await waitHealthy(devName, expectedContainers(run.summary));
    const read = await pollUntil(
      () => http("GET", `${run.url}/api/todos/${todo.id}`),
      (r) => r.status === 200,
      { timeoutMs: 120_000, what: `GET todo ${todo.id} after the crash` },
    );
    expect(asTodo(read)).toEqual(todo);
  });

  it("dev: an env change on the api replaces the api's containers and nothing else", async () => {
    const { stack, run: dv } = requireDev();
    const before = containersByService(await stackContainers(devName));
    await stack.setConfig("shipyard:services", {
      value: JSON.stringify({ ...DEV_SERVICES, api: { ...DEV_SERVICES.api, env: { E2E_MARKER: "1" } } }),
    });

    const previewEvents: EngineEvent[] = [];
    await stack.preview({ ...COLOR, onEvent: (event) => previewEvents.push(event) });
    expect(resourceChanges(previewEvents).length, "the preview shows the api change").toBeGreaterThan(0);
    expect(changesOutside(previewEvents, isContainerOf("api"))).toEqual([]);

    const upEvents: EngineEvent[] = [];
    const result = await stack.up({ ...COLOR, onOutput, onEvent: (event) => upEvents.push(event) });
    expect(result.summary.result).toBe("succeeded");
    expect(changesOutside(upEvents, isContainerOf("api"))).toEqual([]);

    await waitHealthy(devName, expectedContainers(dv.summary));
    const after = containersByService(await stackContainers(devName));
    for (const [service, ids] of Object.entries(before)) {
      if (service === "api")
        expect(
          after.api?.filter((id) => ids.includes(id)),
          "api containers are new",
        ).toEqual([]);
      else expect(after[service], `${service} containers are untouched`).toEqual(ids);
    }
    const api = required(after, "api", "the dev stack's containers")[0]!;
    expect(parseEnv(await docker(["inspect", "--format", "{{json .Config.Env}}", api]))).toContain(
      "E2E_MARKER=1",
    );
    await roundTrip(dv.url, `after env change ${devName}`);
  });

  it("dev: an invalid shipyard:webPort fails before any resource changes", async () => {
    const { stack, run: dv } = requireDev();
    const before = await stack.exportStack();
    await stack.setConfig("shipyard:webPort", { value: "80" });
    let outcome: unknown;
    try {
      outcome = await stack.up({ ...COLOR }).then(
        () => "up accepted shipyard:webPort 80",
        (error: unknown) => error,
      );
    } finally {
      await stack.setConfig("shipyard:webPort", { value: String(dv.webPort) });
    }
    expect(outcome).toBeInstanceOf(Error);
    expect(messageOf(outcome)).toContain("Invalid stack config");
    expect(messageOf(outcome)).toContain("shipyard:webPort must be 1025 or above");
    const after = await stack.exportStack();
    expect(deploymentResources(after.deployment)).toEqual(deploymentResources(before.deployment));

    // With the value fixed, the next update succeeds and changes nothing (the promotion needs a
    // source whose last update succeeded).
    const recovered = await stack.up({ ...COLOR, onOutput });
    expect(recovered.summary.result).toBe("succeeded");
    expect(nonSame(recovered.summary.resourceChanges)).toEqual({});
  });

  it("promote: the CLI pins the dev stack's images in a prod stack's config", async () => {
    const { run: dv } = requireDev();
    prod = await openStack(prodName, envVars);
    // A small prod on the container target: one api replica, no monitoring, graph and backups on.
    await prod.setAllConfig({
      "shipyard:environment": { value: "prod" },
      "shipyard:target": { value: "container" },
      "shipyard:webPort": { value: String(await freePort("127.0.0.1")) },
      "shipyard:features": { value: JSON.stringify({ graph: true, monitoring: false, backups: true }) },
      "shipyard:services": { value: JSON.stringify({ api: { replicas: 1 } }) },
      // Supplied, not generated: a generated password would be a new one after destroy and re-up,
      // and the retained database only knows the old one.
      "shipyard:postgresPassword": { value: randomBytes(24).toString("hex"), secret: true },
      ...hostConfig,
    });
    const cli = await run(
      "npx",
      ["--no-install", "tsx", "scripts/promote/cli.ts", "--from", devName, "--to", prodName],
      {
        cwd: ROOT,
        env: { ...process.env, ...envVars },
        timeoutMs: 300_000,
      },
    );
    expect(cli.status, `${cli.stdout}\n${cli.stderr}`).toBe(0);
    expect(cli.stdout).toContain(`Pulumi.${prodName}.yaml`);

    expect((await prod.getConfig("images.api", true)).value).toBe(
      required(dv.images, "api", "dev's images output"),
    );
    for (const [service, ref] of Object.entries(dv.images)) {
      expect((await prod.getConfig(`images.${service}`, true)).value, `images.${service}`).toBe(ref);
    }
  });

  it.skipIf(PROD_SKIP !== undefined)(
    skipped(
      "prod on the container target: destroy keeps the retained volumes and the data comes back; a lost graph is restored from its export",
      PROD_SKIP,
    ),
    async () => {
      requireDev();
      if (prod === undefined) throw new Error("the promotion test did not create the prod stack");
      const stack = prod;
      const prefix = `shipyard-${prodName}`;
      const pgdata = `${prefix}-pgdata`;
      const problems: string[] = [];
      try {
        const first = readOutputs((await stack.up({ ...COLOR, onOutput })).outputs);
        expect(first.summary).toMatchObject({ environment: "prod", target: "container" });
        expect(Object.keys(first.summary.services)).toEqual(
          expect.arrayContaining(["backup", "graph-backup"]),
        );
        await waitHealthy(prodName, expectedContainers(first.summary));
        expect(volumeState((await stack.exportStack()).deployment, pgdata)).toMatchObject({
          protect: true,
          retainOnDelete: true,
        });
        const todo = await roundTrip(first.url, `kept ${prodName}`);
        const blocked = await roundTrip(first.url, `blocked ${prodName}`);
        await link(first.url, todo.id, "blocks", blocked.id);
        // Healthy means the export at start succeeded; a restart exports again, now with the link.
        expect(await graphExports(prodName)).toHaveLength(1);
        await docker(["restart", await containerOf(prodName, "graph-backup")]);
        await pollUntil(
          () => graphExports(prodName),
          (files) => files.length === 2,
          { timeoutMs: 120_000, what: "a second graph export" },
        );

        // Protected: a destroy refuses the data volumes outright.
        const refused = await stack.previewDestroy({ ...COLOR }).then(
          () => "previewDestroy accepted protected volumes",
          (error: unknown) => error,
        );
        // What the engine says (pkg/resource/deploy/step.go deleteProtectedError).
        expect(messageOf(refused)).toMatch(/cannot be deleted\s+because it is protected/);

        // Unprotected (pulumi state unprotect --all), the destroy runs and retainOnDelete keeps them.
        expect(await unprotectAll(stack)).toBeGreaterThan(0);
        await stack.destroy({ ...COLOR, onOutput });
        expect(deploymentResources((await stack.exportStack()).deployment)).toEqual([]);
        expect(await stackContainers(prodName, true)).toEqual([]);
        expect(await namesWithPrefix("network", prefix)).toEqual([]);
        expect(await dockerSucceeds(["volume", "inspect", pgdata]), `volume ${pgdata} after destroy`).toBe(
          true,
        );

        // The graph's store is lost (its exports are in another, retained, volume).
        expect(await dockerSucceeds(["volume", "rm", `${prefix}-graph-data`])).toBe(true);

        const second = readOutputs((await stack.up({ ...COLOR, onOutput })).outputs);
        await waitHealthy(prodName, expectedContainers(second.summary));
        const back = await http("GET", `${second.url}/api/todos/${todo.id}`);
        expect(back.status, back.text).toBe(200);
        expect(asTodo(back)).toEqual(todo);
        expect((await linksOf(second.url, todo.id)).blocks).toEqual([]);

        const restore = await run("scripts/restore-graph.sh", [prodName], { cwd: ROOT, timeoutMs: 300_000 });
        expect(restore.status, `${restore.stdout}\n${restore.stderr}`).toBe(0);
        expect(await linksOf(second.url, todo.id)).toEqual({
          blocks: [blocked.id],
          blockedBy: [],
          relatesTo: [],
        });
      } finally {
        problems.push(...(await tearDown(stack, { unprotect: true })));
        prod = undefined;
        for (const volume of await namesWithPrefix("volume", prefix)) {
          if (!(await dockerSucceeds(["volume", "rm", volume])))
            problems.push(`docker volume rm ${volume} failed`);
        }
      }
      expect(problems).toEqual([]);
      expect(await namesWithPrefix("volume", prefix)).toEqual([]);
    },
  );

  describe.skipIf(SWARM_SKIP !== undefined)(skipped("prod on a single-node swarm", SWARM_SKIP), () => {
    const prefix = `shipyard-${swarmName}`;
    const apiService = `${prefix}-api`;
    let swarm: Stack | undefined;
    let swarmUrl: string | undefined;
    let createdSwarm = false;
    /** The node this suite labelled shipyard.data=true (it was not before). */
    let labelledNode: string | undefined;
    /** The api image variant the rolling update moves to. */
    let variant: string | undefined;

    beforeAll(async () => {
      if ((await docker(["info", "--format", "{{.Swarm.LocalNodeState}}"])).trim() === "inactive") {
        await initSwarm();
        createdSwarm = true;
      }
      const node = (await docker(["info", "--format", "{{.Swarm.NodeID}}"])).trim();
      const label = await docker([
        "node",
        "inspect",
        "--format",
        '{{index .Spec.Labels "shipyard.data"}}',
        node,
      ]).catch(() => "");
      if (label.trim() !== "true") {
        await docker(["node", "update", "--label-add", "shipyard.data=true", node]);
        labelledNode = node;
      }
    });

    afterAll(async () => {
      const problems: string[] = [];
      if (swarm !== undefined) problems.push(...(await tearDown(swarm, { unprotect: true })));
      const swept = await sweepDocker(swarmName, prefix, { volumes: true });
      if (swept.length > 0) console.log(`shipyard e2e: removed swarm leftovers: ${swept.join(", ")}`);
      fs.rmSync(stackConfigFile(swarmName), { force: true });
      // Swarm stops the old tasks' containers asynchronously: the image is in use for a while.
      const image = variant;
      if (image !== undefined) {
        await pollUntil(() => dockerSucceeds(["image", "rm", image]), Boolean, {
          timeoutMs: 120_000,
          what: `docker image rm ${image}`,
        }).catch((error: unknown) => problems.push(String(error)));
      }
      if (createdSwarm) {
        if (!(await dockerSucceeds(["swarm", "leave", "--force"])))
          problems.push("docker swarm leave --force failed");
      } else if (
        labelledNode !== undefined &&
        !(await dockerSucceeds(["node", "update", "--label-rm", "shipyard.data", labelledNode]))
      ) {
        problems.push(`removing the shipyard.data label from node ${labelledNode} failed`);
      }
      if (problems.length > 0) throw new Error(`swarm cleanup failed:\n${problems.join("\n")}`);
    });

    it("prod on swarm: every service converges to its replica count (api 3/3)", async () => {
      const { run: dv } = requireDev();
      swarm = await openStack(swarmName, envVars);
      await swarm.setAllConfig({
        "shipyard:environment": { value: "prod" },
        "shipyard:webPort": { value: String(await freePort()) },
        "shipyard:features": { value: JSON.stringify({ graph: true, monitoring: false, backups: true }) },
        ...hostConfig,
      });
      const images: Record<string, { value: string }> = {};
      for (const [service, ref] of Object.entries(dv.images)) images[`images.${service}`] = { value: ref };
      await swarm.setAllConfig(images, true);

      const { url, summary } = readOutputs((await swarm.up({ ...COLOR, onOutput })).outputs);
      expect(summary).toMatchObject({ environment: "prod", target: "swarm" });
      expect(summary.services.api?.replicas).toBe(3);
      const services = await pollUntil(
        () => stackServices(swarmName),
        (list) =>
          list.length === Object.keys(summary.services).length && list.every((s) => s.running === s.desired),
        { timeoutMs: 300_000, what: `every service of ${swarmName} converged` },
      );
      for (const [service, { replicas }] of Object.entries(summary.services)) {
        expect(
          services.find((s) => s.name === `${prefix}-${service}`),
          service,
        ).toEqual({ name: `${prefix}-${service}`, running: replicas, desired: replicas });
      }
      expect(services.find((s) => s.name === apiService)).toMatchObject({ running: 3, desired: 3 });

      // What Swarm reads back matches what was sent (durations, tmpfs modes, the graph's mounts).
      await swarm.refresh({ ...COLOR, expectNoChanges: true, onOutput });
      expect(nonSame((await swarm.preview({ ...COLOR, expectNoChanges: true })).changeSummary)).toEqual({});

      swarmUrl = url;
      await pollUntil(
        () => http("GET", `${url}/api/health`),
        (r) => r.status === 200,
        { timeoutMs: 120_000, what: `GET ${url}/api/health` },
      );
      await roundTrip(url, `swarm ${swarmName}`);
    });

    it("prod on swarm: an api image change rolls one task at a time, never below 2 running", async () => {
      const { run: dv } = requireDev();
      if (swarm === undefined || swarmUrl === undefined)
        throw new Error("the swarm stack is not up (see the previous test)");
      const updateConfig = JSON.parse(
        await docker(["service", "inspect", "--format", "{{json .Spec.UpdateConfig}}", apiService]),
      ) as unknown;
      expect(updateConfig).toMatchObject({ Parallelism: 1, Order: "start-first", FailureAction: "rollback" });

      // Another promotable id of the same program: the api image with one label more.
      const container = (await docker(["create", required(dv.images, "api", "dev's images output")])).trim();
      try {
        variant = (
          await docker(["commit", "--change", `LABEL shipyard.e2e.variant=${swarmName}`, container])
        ).trim();
      } finally {
        await docker(["rm", container]);
      }
      expect(variant).toMatch(/^sha256:[0-9a-f]{64}$/);
      await swarm.setConfig("images.api", { value: variant }, true);

      const watched = await sampleWhile(
        swarm.up({ ...COLOR, onOutput }),
        async () => ({
          counts: taskCounts(
            parseTaskRows(await docker(["service", "ps", "--no-trunc", "--format", TASK_FORMAT, apiService])),
          ),
          update: parseUpdateState(
            await docker(["service", "inspect", "--format", "{{json .UpdateStatus}}", apiService]),
          ),
        }),
        500,
      );
      expect(watched.result.summary.result).toBe("succeeded");
      expect(
        watched.samples.some((s) => s.update === "updating"),
        "the watch saw the rolling update",
      ).toBe(true);
      expect(
        Math.min(...watched.samples.map((s) => s.counts.running)),
        "fewest running api tasks",
      ).toBeGreaterThanOrEqual(2);
      expect(
        Math.max(...watched.samples.map((s) => s.counts.pending)),
        "most api tasks starting at once",
      ).toBeLessThanOrEqual(1);

      // Swarm still says `updating` for the monitor window after the last task converged.
      await pollUntil(
        async () =>
          parseUpdateState(
            await docker(["service", "inspect", "--format", "{{json .UpdateStatus}}", apiService]),
          ),
        (state) => state === "completed",
        { timeoutMs: 180_000, what: `${apiService} update completed` },
      );
      const hex = variant.slice("sha256:".length);
      const running = parseTaskRows(
        await docker(["service", "ps", "--no-trunc", "--format", TASK_FORMAT, apiService]),
      ).filter((t) => t.desired === "running" && t.state === "running");
      expect(running).toHaveLength(3);
      for (const task of running) expect(task.image, `task ${task.id}`).toContain(hex);
      await roundTrip(swarmUrl, `after rollout ${swarmName}`);
    });
  });

  it("dev: `destroy` removes every container, network and volume of the stack", async () => {
    const { stack } = requireDev();
    const result = await stack.destroy({ ...COLOR, onOutput });
    expect(result.summary.result).toBe("succeeded");
    expect(deploymentResources((await stack.exportStack()).deployment)).toEqual([]);
    expect(await stackContainers(devName, true)).toEqual([]);
    expect(await namesWithPrefix("network", devName)).toEqual([]);
    expect(await namesWithPrefix("volume", devName)).toEqual([]);
  });
});
