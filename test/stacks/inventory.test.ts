import { defaultPlatform } from "../../infra/config";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateStack, withConfig, type Evaluation } from "../../infra/evaluate";
import { readStackFile } from "../../infra/offline";
import { envOf, labelsOf, unwrapSecret, type Registration, mockImageId } from "../mocks";
import { promotedProd } from "./fixtures";
import { containers, differences, type ContainerView } from "./view";

const HARDENED = {
  readOnly: true,
  capDrop: ["ALL"],
  capAdd: [],
  securityOpts: ["no-new-privileges:true"],
  restart: "unless-stopped",
  // The replica's health gate waits (components/health-gate.ts), so the provider does not.
  wait: false,
  logging: ["json-file", { "max-file": "3", "max-size": "10m" }],
};
const API_HEALTH = [
  "CMD",
  "node",
  "-e",
  "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
];
const WEB_HEALTH = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"];
const PG_HEALTH = ["CMD", "pg_isready", "-U", "app", "-d", "app", "-h", "127.0.0.1"];
const REDIS_HEALTH = [
  "CMD-SHELL",
  'REDISCLI_AUTH="$(cat /run/secrets/redis-password)" redis-cli ping | grep -q PONG',
];
const GRAPH_HEALTH = ["CMD-SHELL", "bash -c ':> /dev/tcp/127.0.0.1/7687'"];
const PROM_HEALTH = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/healthy"];

/**
 * Sorted by name: the program hands each service to the engine as it is built (stacks/system.ts),
 * so the order of registrations says nothing.
 */
function byName(registrations: readonly Registration[]): Registration[] {
  return [...registrations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function inventory(registrations: readonly Registration[]): string[] {
  // docker:index/container:Container → container:api-0; pulumi:providers:docker → providers:docker
  const short = (type: string) =>
    type.startsWith("pulumi:providers:") ? "providers" : type.split(":")[1]!.split("/")[1]!;
  return registrations
    .filter((r) => r.custom)
    .map((r) => `${short(r.type)}:${r.name}`)
    .sort();
}

describe("dev stack", () => {
  let dev: Evaluation;
  beforeAll(async () => {
    dev = await evaluateStack("dev");
  });

  it("registers exactly these resources", () => {
    expect(inventory(dev.registrations)).toEqual([
      "container:api-0",
      "container:api-files",
      "container:graph-0",
      "container:graph-files",
      "container:monitoring-0",
      "container:monitoring-files",
      "container:postgres-0",
      "container:postgres-files",
      "container:redis-0",
      "container:redis-files",
      "container:web-0",
      "image:api-build",
      "image:api-dev-build",
      "image:files-carrier-build",
      "image:web-build",
      "network:data",
      "network:edge",
      "network:host-access",
      "providers:docker",
      "randomPassword:graph-password",
      "randomPassword:postgres-password",
      "randomPassword:redis-password",
      "remoteImage:api",
      "remoteImage:api-dev",
      "remoteImage:files-carrier",
      "remoteImage:graph",
      "remoteImage:monitoring",
      "remoteImage:postgres",
      "remoteImage:redis",
      "remoteImage:web",
      "volume:graph-data",
      "volume:pgdata",
      "volume:prometheus-data",
    ]);
  });

  it("runs every container hardened, with these per-service settings", () => {
    const expected: Record<string, ContainerView> = {
      "api-0": {
        ...HARDENED,
        user: "10001:10001",
        memoryMb: 512,
        cpus: "1.0",
        healthcheck: API_HEALTH,
        networks: ["shipyard-dev-edge as api,api-0", "shipyard-dev-data as api,api-0"],
        ports: ["127.0.0.1:9229->9229"],
        secretFiles: [
          "/run/secrets/postgres-password",
          "/run/secrets/redis-password",
          "/run/secrets/graph-password",
        ],
        mounts: [`bind:${process.cwd()}/apps/api/src:/app/src:ro`, "volumes-from:api-files:ro"],
      },
      "graph-0": {
        ...HARDENED,
        user: "7474:7474",
        memoryMb: 1024,
        cpus: "1.0",
        healthcheck: GRAPH_HEALTH,
        networks: ["shipyard-dev-data as graph,graph-0"],
        ports: [],
        secretFiles: ["/run/secrets/graph-auth"],
        mounts: [
          "volume:shipyard-dev-graph-data:/data",
          "volumes-from:graph-files:ro",
          "anonymous:/var/lib/neo4j/conf",
          "anonymous:/logs",
        ],
      },
      "monitoring-0": {
        ...HARDENED,
        user: "65534:65534",
        memoryMb: 256,
        cpus: "0.5",
        healthcheck: PROM_HEALTH,
        networks: ["shipyard-dev-edge as monitoring,monitoring-0"],
        ports: [],
        secretFiles: [],
        mounts: ["volume:shipyard-dev-prometheus-data:/prometheus", "volumes-from:monitoring-files:ro"],
      },
      "postgres-0": {
        ...HARDENED,
        user: "70:70",
        memoryMb: 512,
        cpus: "1.0",
        healthcheck: PG_HEALTH,
        networks: [
          "shipyard-dev-data as postgres,postgres-0",
          "shipyard-dev-host-access as postgres,postgres-0",
        ],
        ports: ["127.0.0.1:5432->5432"],
        secretFiles: ["/run/secrets/postgres-password"],
        mounts: ["volume:shipyard-dev-pgdata:/var/lib/postgresql/data", "volumes-from:postgres-files:ro"],
      },
      "redis-0": {
        ...HARDENED,
        user: "999:1000",
        memoryMb: 128,
        cpus: "0.25",
        healthcheck: REDIS_HEALTH,
        networks: ["shipyard-dev-data as redis,redis-0"],
        ports: [],
        secretFiles: ["/run/secrets/redis-conf", "/run/secrets/redis-password"],
        mounts: ["volumes-from:redis-files:ro"],
      },
      "web-0": {
        ...HARDENED,
        user: "101:101",
        memoryMb: 64,
        cpus: "0.25",
        healthcheck: WEB_HEALTH,
        networks: ["shipyard-dev-edge as web,web-0"],
        ports: ["127.0.0.1:8080->8080"],
        secretFiles: [],
        mounts: [],
      },
    };
    expect(containers(dev.registrations)).toEqual(expected);
  });

  it("keeps dev data disposable: volumes neither protected nor retained", () => {
    const volumes = byName(dev.registrations.filter((r) => r.type === "docker:index/volume:Volume"));
    expect(volumes.map((v) => [v.name, v.options.protect, v.options.retainOnDelete])).toEqual([
      ["graph-data", false, false],
      ["pgdata", false, false],
      ["prometheus-data", false, false],
    ]);
    const passwords = byName(
      dev.registrations.filter((r) => r.type === "random:index/randomPassword:RandomPassword"),
    );
    expect(passwords.map((p) => [p.name, p.options.protect])).toEqual([
      ["graph-password", false],
      ["postgres-password", false],
      ["redis-password", false],
    ]);
  });

  it("builds the app images from apps/ and runs the API's dev stage with a watcher for hot reload", () => {
    const builds = dev.registrations.filter((r) => r.type === "docker:index/image:Image");
    // Every build names the platform: the machine's own under the default config (no provider warning).
    for (const b of builds)
      expect((b.inputs.build as { platform: string }).platform).toBe(defaultPlatform(process.arch));
    expect(
      builds.map((b) => [b.name, (b.inputs.build as { target: string }).target, b.inputs.skipPush]),
    ).toEqual([
      ["files-carrier-build", undefined, true],
      ["api-build", "runtime", true],
      ["api-dev-build", "dev", true],
      ["web-build", "runtime", true],
    ]);
    const api = dev.registrations.find((r) => r.name === "api-0")!;
    const devImage = dev.registrations.find(
      (r) => r.type === "docker:index/remoteImage:RemoteImage" && r.name === "api-dev",
    )!;
    expect(api.inputs.image).toBe(mockImageId(String(devImage.inputs.name)));
    expect(api.inputs.command).toEqual([
      "node_modules/.bin/tsx",
      "watch",
      "--clear-screen=false",
      "--inspect=0.0.0.0:9229",
      "src/server.ts",
    ]);
    // What promotion copies is the runtime build, not the dev stage that ran with hot reload.
    const runtimeImage = dev.registrations.find(
      (r) => r.type === "docker:index/remoteImage:RemoteImage" && r.name === "api",
    )!;
    expect(dev.images.api).toBe(mockImageId(String(runtimeImage.inputs.name)));
  });

  it("runs the runtime image without bind mount or watcher when hot reload is off", async () => {
    const plain = await evaluateStack("dev", withConfig(readStackFile("dev"), { hotReload: false }));
    const api = plain.registrations.find((r) => r.name === "api-0")!;
    expect([api.inputs.command, containers(plain.registrations)["api-0"]!.mounts, api.inputs.image]).toEqual([
      undefined,
      ["volumes-from:api-files:ro"],
      plain.images.api,
    ]);
    dev = await evaluateStack("dev");
  });

  it("exports the URL and an immutable image reference per service", () => {
    expect(dev.outputs.url).toBe("http://127.0.0.1:8080");
    expect(Object.keys(dev.images).sort()).toEqual([
      "api",
      "graph",
      "monitoring",
      "postgres",
      "redis",
      "web",
    ]);
    for (const ref of Object.values(dev.images)) expect(ref).toMatch(/(^sha256:|@sha256:)[a-f0-9]{64}$/);
  });
});

describe("prod stack on the container target", () => {
  let prod: Evaluation;
  beforeAll(async () => {
    prod = await evaluateStack("prod", promotedProd({ target: "container" }));
  });

  it("registers exactly these resources", () => {
    expect(inventory(prod.registrations)).toEqual([
      "container:api-0",
      "container:api-1",
      "container:api-2",
      "container:api-files",
      "container:backup-0",
      "container:backup-files",
      "container:graph-0",
      "container:graph-backup-0",
      "container:graph-backup-files",
      "container:graph-files",
      "container:monitoring-0",
      "container:monitoring-files",
      "container:postgres-0",
      "container:postgres-files",
      "container:redis-0",
      "container:redis-files",
      "container:web-0",
      "image:files-carrier-build",
      "network:data",
      "network:edge",
      "providers:docker",
      "randomPassword:graph-password",
      "randomPassword:postgres-password",
      "randomPassword:redis-password",
      "remoteImage:api",
      "remoteImage:files-carrier",
      "remoteImage:graph",
      "remoteImage:monitoring",
      "remoteImage:postgres",
      "remoteImage:redis",
      "remoteImage:web",
      "volume:graph-backups",
      "volume:graph-data",
      "volume:pg-backups",
      "volume:pgdata",
      "volume:prometheus-data",
    ]);
  });

  it("deploys the graph with an online backup of its store, on the API's image", () => {
    const view = containers(prod.registrations);
    expect(view["graph-0"]!.mounts).toEqual([
      "volume:shipyard-prod-graph-data:/data",
      "volumes-from:graph-files:ro",
      "anonymous:/var/lib/neo4j/conf",
      "anonymous:/logs",
    ]);
    const backup = prod.registrations.find((r) => r.name === "graph-backup-0")!;
    expect([backup.inputs.command, backup.inputs.image, labelsOf(backup)["shipyard.backup-of"]]).toEqual([
      ["node", "dist/graph-backup.js", "run"],
      prod.images.api,
      "shipyard-prod-graph-data",
    ]);
    expect(view["graph-backup-0"]!.mounts).toEqual([
      "volume:shipyard-prod-graph-backups:/var/backups/graph",
      "volumes-from:graph-backup-files:ro",
    ]);
    expect(envOf(backup).env).toMatchObject({
      BACKUP_DIR: "/var/backups/graph",
      BACKUP_INTERVAL_MINUTES: "1440",
      BACKUP_RETENTION: "14",
      GRAPH_URL: "bolt://graph:7687",
    });
  });

  it("publishes only the web, and protects and retains every data volume", () => {
    const published = Object.entries(containers(prod.registrations)).filter(([, v]) => v.ports.length > 0);
    expect(published.map(([name, v]) => [name, v.ports])).toEqual([["web-0", ["127.0.0.1:8080->8080"]]]);
    // Every volume of the stack: files and the graph's working directories are on anonymous volumes.
    const volumes = byName(prod.registrations.filter((r) => r.type === "docker:index/volume:Volume"));
    expect(
      volumes.map((v) => [v.name, v.options.protect, v.options.retainOnDelete, labelsOf(v)["shipyard.data"]]),
    ).toEqual([
      ["graph-backups", true, true, "false"],
      ["graph-data", true, true, "true"],
      ["pg-backups", true, true, "false"],
      ["pgdata", true, true, "true"],
      ["prometheus-data", true, true, "false"],
    ]);
  });

  it("protects the generated passwords of retained data, so a re-created database still opens its volume", () => {
    const passwords = byName(
      prod.registrations.filter((r) => r.type === "random:index/randomPassword:RandomPassword"),
    );
    expect(passwords.map((p) => [p.name, p.options.protect])).toEqual([
      ["graph-password", true],
      ["postgres-password", true],
      ["redis-password", false],
    ]);
  });

  it("runs only digest-pinned images", () => {
    // Besides the file carriers' empty image, built here and never run (policy SHIP-1 says so).
    const refs = prod.registrations
      .filter((r) => r.type === "docker:index/remoteImage:RemoteImage" && r.name !== "files-carrier")
      .map((r) => String(r.inputs.name));
    expect(refs).toHaveLength(6);
    for (const ref of refs) expect(ref).toMatch(/(^sha256:|@sha256:)[a-f0-9]{64}$/);
  });

  // A real replacement of postgres (no published port in prod) ran create-before-delete: a second
  // server on the same pgdata until its lock file broke and it exited 0.
  it("replaces every container that writes a volume or publishes a port delete-first", () => {
    const stopFirst = prod.registrations
      .filter((r) => r.type === "docker:index/container:Container")
      .map((r) => [r.name, r.options.deleteBeforeReplace ?? false]);
    expect(Object.fromEntries(stopFirst)).toEqual({
      // A new carrier fills the new revision's volumes before the old one goes.
      "api-files": false,
      "backup-files": false,
      "graph-backup-files": false,
      "graph-files": false,
      "monitoring-files": false,
      "postgres-files": false,
      "redis-files": false,
      "postgres-0": true,
      "graph-0": true,
      "redis-0": true,
      "backup-0": true,
      "graph-backup-0": true,
      "api-0": false,
      "api-1": false,
      "api-2": false,
      "web-0": true,
      "monitoring-0": true,
    });
  });

  it("runs the backup on the very image postgres runs, so pg_dump is the server's version", () => {
    const image = (name: string) => prod.registrations.find((r) => r.name === name)!.inputs.image;
    expect(image("backup-0")).toBe(image("postgres-0"));
    expect(Object.keys(prod.images).sort()).toEqual([
      "api",
      "graph",
      "monitoring",
      "postgres",
      "redis",
      "web",
    ]);
  });

  it("rolls API replicas one at a time: each replica waits for the previous one to be healthy", () => {
    const urn = (name: string) => prod.registrations.find((r) => r.name === name)!.urn;
    const deps = (name: string) => prod.registrations.find((r) => r.name === name)!.options.dependencies;
    expect(deps("api-1")).toContain(urn("api-0"));
    expect(deps("api-2")).toContain(urn("api-1"));
    expect(
      prod.registrations.filter((r) => /^api-\d+$/.test(r.name)).map((r) => r.options.deleteBeforeReplace),
    ).toEqual([false, false, false]);
  });

  it("differs from dev in exactly the intended ways", async () => {
    const dev = await evaluateStack("dev");
    const view = (e: Evaluation) => {
      const byService: Record<string, unknown> = {};
      for (const [name, c] of Object.entries(containers(e.registrations))) {
        const service = name.replace(/-\d+$/, "");
        byService[service] = {
          ...c,
          networks: c.networks.map((n) => n.replace(/shipyard-(dev|prod)-/, "").replace(/,\w+-\d+$/, "")),
          mounts: c.mounts.map((m) => m.replace(/shipyard-(dev|prod)-/, "")),
          replicas: Object.keys(containers(e.registrations)).filter((n) => n.replace(/-\d+$/, "") === service)
            .length,
        };
      }
      return byService;
    };
    expect(differences(view(dev), view(prod))).toEqual([
      `api.cpus: "1.0" → "0.5"`,
      `api.memoryMb: 512 → 256`,
      `api.mounts: ["bind:${process.cwd()}/apps/api/src:/app/src:ro","volumes-from:api-files:ro"] → ["volumes-from:api-files:ro"]`,
      `api.ports: ["127.0.0.1:9229->9229"] → []`,
      `api.replicas: 1 → 3`,
      `backup: added`,
      `graph.memoryMb: 1024 → 2048`,
      `graph-backup: added`,
      `monitoring.memoryMb: 256 → 512`,
      `postgres.memoryMb: 512 → 1024`,
      `postgres.networks: ["data as postgres","host-access as postgres"] → ["data as postgres"]`,
      `postgres.ports: ["127.0.0.1:5432->5432"] → []`,
      `redis.cpus: "0.25" → "0.5"`,
      `redis.memoryMb: 128 → 256`,
    ]);
  });
});

describe("wiring", () => {
  let dev: Evaluation;
  beforeAll(async () => {
    dev = await evaluateStack("dev");
  });

  it("points the API at the aliases postgres and redis have on a network the API shares", () => {
    const api = dev.registrations.find((r) => r.name === "api-0")!;
    const { env } = envOf(api);
    const networksOf = (r: Registration) =>
      new Map(
        (r.inputs.networksAdvanced as { name: string; aliases: string[] }[]).map((n) => [n.name, n.aliases]),
      );
    const apiNets = networksOf(api);
    for (const [service, hostKey] of [
      ["postgres-0", "DATABASE_HOST"],
      ["redis-0", "REDIS_HOST"],
    ] as const) {
      const target = networksOf(dev.registrations.find((r) => r.name === service)!);
      const shared = [...target.entries()].filter(
        ([net, aliases]) => apiNets.has(net) && aliases.includes(env[hostKey]!),
      );
      expect(
        shared.map(([net]) => net),
        `${hostKey}=${env[hostKey]}`,
      ).toEqual(["shipyard-dev-data"]);
    }
    expect(env).toEqual({
      CACHE_TTL_SECONDS: "30",
      DATABASE_HOST: "postgres",
      DATABASE_NAME: "app",
      DATABASE_PASSWORD_FILE: "/run/secrets/postgres-password",
      DATABASE_PORT: "5432",
      DATABASE_USER: "app",
      GRAPH_PASSWORD_FILE: "/run/secrets/graph-password",
      GRAPH_URL: "bolt://graph:7687",
      GRAPH_USER: "neo4j",
      LOG_LEVEL: "info",
      PORT: "8080",
      REDIS_HOST: "redis",
      REDIS_PASSWORD_FILE: "/run/secrets/redis-password",
      REDIS_PORT: "6379",
    });
    expect(dev.registrations.find((r) => r.name === "web-0")!.inputs.envs as string[]).toEqual([
      "API_UPSTREAM=api:8080",
    ]);
  });

  it("puts no secret value in any env, and delivers every secret as a secret upload", () => {
    // The mock's generated passwords start with "pw-" (infra/offline.ts).
    const generated = dev.registrations.filter(
      (r) => r.type === "random:index/randomPassword:RandomPassword",
    );
    expect(generated.map((r) => r.name)).toEqual(["postgres-password", "redis-password", "graph-password"]);
    for (const c of dev.registrations.filter((r) => r.type === "docker:index/container:Container")) {
      const { secret, env } = envOf(c);
      expect(secret, `${c.name} envs must not carry a secret`).toBe(false);
      for (const value of Object.values(env))
        expect(value.startsWith("pw-"), `${c.name}: ${value}`).toBe(false);
      const uploads = unwrapSecret(c.inputs.uploads);
      const hasSecretFile = ((uploads.value as { permissions: string }[] | undefined) ?? []).some(
        (u) => u.permissions === "0400",
      );
      if (hasSecretFile) expect(uploads.secret, `${c.name} uploads`).toBe(true);
    }
  });
});
