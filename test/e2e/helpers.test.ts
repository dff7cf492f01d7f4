import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import {
  changedCounts,
  imageOverrides,
  IMAGES_ENV,
  changesOutside,
  containersByService,
  deploymentResources,
  describeFailure,
  e2eSkipReason,
  e2eStackName,
  expectedContainers,
  freePort,
  isContainerOf,
  lastLine,
  notHealthy,
  parseContainerRows,
  parseEnv,
  parseHealthRows,
  parseImages,
  parseServiceReplicas,
  parseSummary,
  parseTaskRows,
  parseUpdateState,
  pollUntil,
  resourceChanges,
  sampleWhile,
  sleep,
  swarmReadiness,
  swarmSkipReason,
  taskCounts,
  urnName,
  urnType,
  volumeState,
  withPrefix,
  type CommandResult,
  type SyncRunner,
} from "./helpers";

// The pure half of helpers.ts: no Pulumi CLI, no Docker daemon.

const STACK = "e2e-1a2b-m3n4o5p6";
const urn = (chain: string, name: string): string => `urn:pulumi:${STACK}::shipyard::${chain}::${name}`;
const API_0 = urn("shipyard:components:Service$docker:index/container:Container", "api-0");
const API_1 = urn("shipyard:components:Service$docker:index/container:Container", "api-1");
const WEB_0 = urn("shipyard:components:Service$docker:index/container:Container", "web-0");
const API_SERVICE = urn("shipyard:components:Service", "api");
const API_IMAGE = urn("shipyard:components:Image$docker:index/remoteImage:RemoteImage", "api");
const API_DEV_0 = urn("shipyard:components:Service$docker:index/container:Container", "api-dev-0");

let sequence = 0;
function pre(op: OpType, target: string): EngineEvent {
  return {
    sequence: sequence++,
    timestamp: 0,
    resourcePreEvent: { metadata: { op, urn: target, type: urnType(target), provider: "" } },
  };
}
const noise: EngineEvent[] = [
  { sequence: 900, timestamp: 0, preludeEvent: { config: {} } },
  { sequence: 901, timestamp: 0, diagnosticEvent: { message: "hi", color: "never", severity: "info" } },
  {
    sequence: 902,
    timestamp: 0,
    resOutputsEvent: { metadata: { op: "update", urn: WEB_0, type: "x", provider: "" } },
  },
];

describe("engine events", () => {
  it("names and types a URN", () => {
    expect(urnName(API_0)).toBe("api-0");
    expect(urnType(API_0)).toBe("docker:index/container:Container");
    expect(urnType(API_SERVICE)).toBe("shipyard:components:Service");
    expect(urnName(urn("t", "odd::name"))).toBe("odd::name");
  });

  it("lists the non-same steps of resourcePreEvents, in order", () => {
    const events = [
      pre("same", WEB_0),
      pre("create-replacement", API_0),
      ...noise,
      pre("replace", API_0),
      pre("delete-replaced", API_0),
    ];
    expect(resourceChanges(events)).toEqual([
      { op: "create-replacement", urn: API_0 },
      { op: "replace", urn: API_0 },
      { op: "delete-replaced", urn: API_0 },
    ]);
  });

  it("accepts changes to the api's containers only", () => {
    const onlyApi = [
      pre("same", WEB_0),
      pre("same", API_SERVICE),
      pre("replace", API_0),
      pre("update", API_1),
      ...noise,
    ];
    expect(changesOutside(onlyApi, isContainerOf("api"))).toEqual([]);
    const more = [...onlyApi, pre("replace", WEB_0), pre("update", API_IMAGE), pre("create", API_DEV_0)];
    expect(changesOutside(more, isContainerOf("api"))).toEqual([
      { op: "replace", urn: WEB_0 },
      { op: "update", urn: API_IMAGE },
      { op: "create", urn: API_DEV_0 },
    ]);
    expect(changesOutside([], isContainerOf("api"))).toEqual([]);
  });

  it("counts the changes of a change summary, without same", () => {
    expect(changedCounts({ same: 20 })).toEqual({});
    expect(changedCounts({ same: 20, update: 0, replace: 1 })).toEqual({ replace: 1 });
    expect(changedCounts({})).toEqual({});
  });
});

describe("docker output", () => {
  it("parses docker ps rows by service", () => {
    const rows = parseContainerRows("bbb\tapi\naaa\tpostgres\n\nccc\tapi\n");
    expect(rows).toEqual([
      { id: "bbb", service: "api" },
      { id: "aaa", service: "postgres" },
      { id: "ccc", service: "api" },
    ]);
    expect(containersByService(rows)).toEqual({ api: ["bbb", "ccc"], postgres: ["aaa"] });
    expect(parseContainerRows("")).toEqual([]);
  });

  it("parses docker inspect health and picks the unhealthy", () => {
    const rows = parseHealthRows(
      "id1\thealthy\trunning\nid2\tstarting\trunning\nid3\tnone\trunning\nid4\thealthy\texited\n",
    );
    expect(rows[0]).toEqual({ id: "id1", health: "healthy", state: "running" });
    expect(notHealthy(rows).map((r) => r.id)).toEqual(["id2", "id3", "id4"]);
    expect(notHealthy(rows.slice(0, 1))).toEqual([]);
  });

  it("parses docker service ls replicas", () => {
    expect(parseServiceReplicas("shipyard-x-api 3/3\nshipyard-x-postgres 0/1 (max 1 per node)\n")).toEqual([
      { name: "shipyard-x-api", running: 3, desired: 3 },
      { name: "shipyard-x-postgres", running: 0, desired: 1 },
    ]);
    expect(() => parseServiceReplicas("shipyard-x-api global")).toThrow(/unexpected/);
  });

  it("parses docker service ps tasks and counts running and starting ones", () => {
    const tasks = parseTaskRows(
      [
        "t1\tsha256:aaa\tRunning\tRunning 2 minutes ago",
        "t2\tsha256:aaa\tShutdown\tRunning 3 seconds ago",
        "t3\tsha256:bbb\tRunning\tStarting 1 second ago",
        "t4\tsha256:aaa\tShutdown\tShutdown 10 seconds ago",
        "t5\tsha256:bbb\tRunning\tRunning 20 seconds ago",
      ].join("\n"),
    );
    expect(tasks[2]).toEqual({ id: "t3", image: "sha256:bbb", desired: "running", state: "starting" });
    expect(taskCounts(tasks)).toEqual({ running: 2, pending: 1 });
    expect(taskCounts([])).toEqual({ running: 0, pending: 0 });
  });

  it("parses the update status of a service", () => {
    expect(parseUpdateState("null\n")).toBeUndefined();
    expect(parseUpdateState("")).toBeUndefined();
    expect(
      parseUpdateState(
        '{"State":"updating","StartedAt":"2026-01-01T00:00:00Z","Message":"update in progress"}\n',
      ),
    ).toBe("updating");
    expect(parseUpdateState('{"State":"completed"}')).toBe("completed");
  });

  it("parses a container's env", () => {
    expect(parseEnv('["PATH=/usr/bin","E2E_MARKER=1"]\n')).toEqual(["PATH=/usr/bin", "E2E_MARKER=1"]);
    expect(parseEnv("null")).toEqual([]);
  });

  it("keeps the names under a prefix", () => {
    expect(withPrefix(["e2e-a-edge", "e2e-ab-edge", "bridge", "e2e-a"], "e2e-a")).toEqual(["e2e-a-edge"]);
  });
});

describe("stack outputs and state", () => {
  const summary = {
    environment: "dev",
    target: "container",
    services: {
      postgres: { replicas: 1, role: "database", publishedPorts: [] },
      api: { replicas: 2, role: "app", publishedPorts: [] },
    },
    networks: ["edge: e2e-edge"],
    volumes: ["e2e-pgdata"],
  };

  it("reads the summary output and counts its containers", () => {
    const view = parseSummary(summary);
    expect(view.services).toEqual({ postgres: { replicas: 1 }, api: { replicas: 2 } });
    expect(expectedContainers(view)).toBe(3);
    expect(() => parseSummary({ ...summary, services: { api: {} } })).toThrow(/replicas/);
    expect(() => parseSummary(undefined)).toThrow(/not an object/);
  });

  it("reads an images output", () => {
    expect(parseImages({ api: "sha256:a" })).toEqual({ api: "sha256:a" });
    expect(() => parseImages({ api: 1 })).toThrow(/images.api/);
    expect(() => parseImages("x")).toThrow(/not an object/);
  });

  it("finds a volume in an exported deployment", () => {
    const deployment = {
      resources: [
        { urn: "a", type: "docker:index/container:Container", outputs: { name: "x" } },
        {
          urn: "b",
          type: "docker:index/volume:Volume",
          protect: true,
          retainOnDelete: true,
          outputs: { name: "shipyard-p-pgdata" },
        },
      ],
    };
    expect(volumeState(deployment, "shipyard-p-pgdata")).toMatchObject({ urn: "b", protect: true });
    expect(volumeState(deployment, "other")).toBeUndefined();
    expect(deploymentResources({})).toEqual([]);
    expect(deploymentResources(undefined)).toEqual([]);
  });
});

describe("names", () => {
  it("makes short, unique, git-ignored stack names", () => {
    const name = e2eStackName(4_194_304, Date.UTC(2100, 0, 1));
    expect(name).toMatch(/^e2e-[0-9a-z]+-[0-9a-z]+$/);
    expect(name.length).toBeLessThanOrEqual(20);
    expect(e2eStackName(1, 2)).not.toBe(e2eStackName(1, 3));
    // Swarm secret names may not exceed 64 characters: shipyard-<stack>-sw-postgres-password-<12 hex>.
    expect(`shipyard-${name}-sw-postgres-password-${"0".repeat(12)}`.length).toBeLessThanOrEqual(64);
  });
});

describe("skipping", () => {
  const ok = (stdout = ""): CommandResult => ({ status: 0, stdout, stderr: "" });
  const runner =
    (results: Record<string, CommandResult>): SyncRunner =>
    (command) =>
      results[command] ?? ok();
  const enoent = (): CommandResult => ({
    status: null,
    stdout: "",
    stderr: "",
    error: Object.assign(new Error("spawn x ENOENT"), { code: "ENOENT" }),
  });

  it("runs when both the CLI and the daemon answer", () => {
    expect(e2eSkipReason(runner({}))).toBeUndefined();
  });

  it("says why, on one line", () => {
    const noCli = e2eSkipReason(runner({ pulumi: enoent() }));
    expect(noCli).toBe("no Pulumi CLI (`pulumi version` not found on PATH)");
    const noDaemon = e2eSkipReason(
      runner({
        pulumi: { status: 1, stdout: "", stderr: "Downloading pulumi v3.265.0...\npulumi: fetch failed\n" },
        docker: {
          status: 1,
          stdout: "",
          stderr:
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
        },
      }),
    );
    expect(noDaemon).toBe(
      "no Pulumi CLI (`pulumi version` exited 1: pulumi: fetch failed); no Docker daemon (`docker info` exited 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?)",
    );
    expect(noDaemon).not.toContain("\n");
  });

  it("describes a timeout", () => {
    const killed: CommandResult = {
      status: null,
      stdout: "",
      stderr: "",
      error: Object.assign(new Error("spawnSync pulumi ETIMEDOUT"), { code: "ETIMEDOUT" }),
    };
    expect(describeFailure(killed, 300_000)).toBe("did not finish within 300 s");
    expect(lastLine("a\n\n  b  \n\n")).toBe("b");
    expect(lastLine("\n")).toBeUndefined();
  });

  it("decides whether the swarm part can run", () => {
    expect(swarmReadiness("inactive false 0\n")).toEqual({ ok: true, init: true });
    expect(swarmReadiness("active true 1")).toEqual({ ok: true, init: false });
    expect(swarmReadiness("active false 1")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/worker/) as unknown,
    });
    expect(swarmReadiness("active true 3")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/3-node/) as unknown,
    });
    expect(swarmReadiness("locked false 0")).toMatchObject({ ok: false });
    expect(swarmSkipReason({}, runner({}))).toMatch(/SHIPYARD_E2E_SWARM=1/);
    expect(
      swarmSkipReason({ SHIPYARD_E2E_SWARM: "1" }, runner({ docker: ok("inactive false 0") })),
    ).toBeUndefined();
    expect(swarmSkipReason({ SHIPYARD_E2E_SWARM: "1" }, runner({ docker: ok("active true 2") }))).toMatch(
      /2-node/,
    );
  });
});

describe("waiting", () => {
  it("polls until done and returns the value", async () => {
    let calls = 0;
    const value = await pollUntil(
      () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error("not yet"));
        return Promise.resolve(calls);
      },
      (n) => n >= 3,
      { timeoutMs: 5_000, intervalMs: 1, what: "three calls" },
    );
    expect(value).toBe(3);
  });

  it("gives up after the timeout, saying what it last saw", async () => {
    await expect(
      pollUntil(
        () => Promise.resolve({ healthy: 1 }),
        () => false,
        { timeoutMs: 50, intervalMs: 10, what: "5 healthy" },
      ),
    ).rejects.toThrow(/5 healthy: not reached within 0 s; last seen: \{"healthy":1\}/);
  });

  it("samples while an operation runs, and once after", async () => {
    let n = 0;
    const watched = await sampleWhile(
      sleep(60).then(() => "done"),
      () => Promise.resolve(n++),
      10,
    );
    expect(watched.result).toBe("done");
    expect(watched.samples.length).toBeGreaterThanOrEqual(3);
    expect(watched.samples).toEqual([...watched.samples].sort((a, b) => a - b));
    await expect(
      sampleWhile(Promise.reject(new Error("up failed")), () => Promise.resolve(1), 10),
    ).rejects.toThrow("up failed");
  });

  it("finds a port nothing listens on", async () => {
    const port = await freePort("127.0.0.1");
    expect(port).toBeGreaterThan(1024);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("imageOverrides", () => {
  const services = ["postgres", "api"];
  it.each<[string | undefined, Record<string, string>]>([
    [undefined, {}],
    ["", {}],
    [
      '{"postgres":"postgres:16-local","api":"shipyard-api:local"}',
      { postgres: "postgres:16-local", api: "shipyard-api:local" },
    ],
  ])("reads %j", (value, images) => {
    expect(imageOverrides({ [IMAGES_ENV]: value }, services)).toEqual(images);
  });

  it.each<[string, string]>([
    [
      "postgres:16",
      'SHIPYARD_E2E_IMAGES must be a JSON object of service → image, e.g. {"postgres":"postgres:16-local"}, got postgres:16',
    ],
    [
      "[1]",
      'SHIPYARD_E2E_IMAGES must be a JSON object of service → image, e.g. {"postgres":"postgres:16-local"}, got [1]',
    ],
    [
      '{"queue":"rabbitmq:3","api":7,"postgres":"Postgres::16"}',
      [
        "SHIPYARD_E2E_IMAGES.queue: not a service of the system (postgres, api)",
        "SHIPYARD_E2E_IMAGES.api: must be a string, got 7",
        'SHIPYARD_E2E_IMAGES.postgres: is not an image reference (repo[:tag][@sha256:<64 hex>] or sha256:<64 hex>), got "Postgres::16"',
      ].join("\n"),
    ],
  ])("rejects %j", (value, message) => {
    expect(() => imageOverrides({ [IMAGES_ENV]: value }, services)).toThrow(message);
  });
});
