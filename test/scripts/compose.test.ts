import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { composeStack, parseArgs } from "../../scripts/compose/cli";
import { COMPOSE_LIMITS } from "../../scripts/compose/limits";
import { renderCompose, type ComposeOutput, type ComposeResource } from "../../scripts/compose/render";
import { BUILT_IMAGE, CONTAINER, child, expectThrowsExactly, mockPassword, unwrapSecret } from "../mocks";
import { readStackFile } from "../../infra/offline";
import { PROMOTED } from "../stacks/fixtures";

const ROOT = path.resolve(__dirname, "../..");
const HARDENED = {
  init: true,
  read_only: true,
  cap_drop: ["ALL"],
  security_opt: ["no-new-privileges:true"],
  restart: "unless-stopped",
  logging: { driver: "json-file", options: { "max-file": "3", "max-size": "10m" } },
};
const PASSWORDS = ["postgres-password", "redis-password", "graph-password"].map((n) => mockPassword(n));

/** Nothing of a generated password anywhere: the file, its config files, the document. */
function expectNoPassword(output: ComposeOutput): void {
  const everything = [
    output.text,
    JSON.stringify(output.document),
    ...Object.values(output.configFiles),
  ].join("\n");
  for (const password of PASSWORDS) expect(everything).not.toContain(password);
}

describe("npm run compose -- dev", () => {
  let dev: ComposeOutput;
  let builtApi: unknown;
  let prometheusYml: string;
  beforeAll(async () => {
    dev = await composeStack("dev", { baseDir: ROOT });
    builtApi = child(BUILT_IMAGE, "api-dev-build").inputs.imageName;
    const uploads = unwrapSecret(child(CONTAINER, "monitoring-files").inputs.uploads).value as {
      content: string;
    }[];
    prometheusYml = uploads[0]!.content;
  });

  it("has one service per shipyard.service, and no file carrier among them", () => {
    expect(Object.keys(dev.document.services)).toEqual([
      "api",
      "graph",
      "monitoring",
      "postgres",
      "redis",
      "web",
    ]);
  });

  it("renders the api in full: the dev build with hot reload, its secrets and health-gated dependencies", () => {
    expect(dev.document.services.api).toEqual({
      image: builtApi,
      build: { context: "./apps/api", target: "dev" },
      command: [
        "node_modules/.bin/tsx",
        "watch",
        "--clear-screen=false",
        "--inspect=0.0.0.0:9229",
        "src/server.ts",
      ],
      user: "10001:10001",
      ...HARDENED,
      tmpfs: ["/tmp:rw,noexec,nosuid,size=64m"],
      mem_limit: "512m",
      memswap_limit: "512m",
      cpus: 1,
      healthcheck: {
        test: [
          "CMD",
          "node",
          "-e",
          "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
        ],
        interval: "10s",
        timeout: "5s",
        retries: 3,
        start_period: "30s",
      },
      stop_grace_period: "10s",
      labels: {
        "shipyard.role": "app",
        "shipyard.service": "api",
        "shipyard.stack": "dev",
        "shipyard.stateful": "false",
      },
      environment: {
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
      },
      ports: [{ target: 9229, published: 9229, host_ip: "127.0.0.1", protocol: "tcp" }],
      // The replica alias api-0 is gone: Compose cannot give one replica its own name.
      networks: { data: { aliases: ["api"] }, edge: { aliases: ["api"] } },
      volumes: [{ type: "bind", source: "./apps/api/src", target: "/app/src", read_only: true }],
      secrets: ["graph-password", "postgres-password", "redis-password"],
      depends_on: {
        graph: { condition: "service_healthy" },
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      },
      deploy: { replicas: 1 },
    });
  });

  it("renders postgres in full: its named volume, the secret file, loopback port and host-access network", () => {
    expect(dev.document.services.postgres).toEqual({
      image: "postgres:16.15-alpine",
      user: "70:70",
      ...HARDENED,
      tmpfs: ["/tmp:rw,noexec,nosuid,size=64m", "/var/run/postgresql:rw,noexec,nosuid,size=1m,uid=70,gid=70"],
      mem_limit: "512m",
      memswap_limit: "512m",
      cpus: 1,
      healthcheck: {
        test: ["CMD", "pg_isready", "-U", "app", "-d", "app", "-h", "127.0.0.1"],
        interval: "5s",
        timeout: "3s",
        retries: 10,
        start_period: "30s",
      },
      stop_grace_period: "30s",
      labels: {
        "shipyard.role": "database",
        "shipyard.service": "postgres",
        "shipyard.stack": "dev",
        "shipyard.stateful": "true",
      },
      environment: {
        PGDATA: "/var/lib/postgresql/data/pgdata",
        POSTGRES_DB: "app",
        POSTGRES_PASSWORD_FILE: "/run/secrets/postgres-password",
        POSTGRES_USER: "app",
      },
      ports: [{ target: 5432, published: 5432, host_ip: "127.0.0.1", protocol: "tcp" }],
      networks: { data: { aliases: ["postgres"] }, "host-access": { aliases: ["postgres"] } },
      volumes: [{ type: "volume", source: "pgdata", target: "/var/lib/postgresql/data" }],
      secrets: ["postgres-password"],
      deploy: { replicas: 1 },
    });
  });

  it("declares secrets as files the user creates, and says who reads each", () => {
    expect(dev.document.secrets).toEqual({
      "graph-auth": { file: "./secrets/graph-auth" },
      "graph-password": { file: "./secrets/graph-password" },
      "postgres-password": { file: "./secrets/postgres-password" },
      "redis-conf": { file: "./secrets/redis-conf" },
      "redis-password": { file: "./secrets/redis-password" },
    });
    expect(dev.secretFiles).toEqual([
      { file: "./secrets/graph-auth", readers: ["graph (uid 7474)"] },
      { file: "./secrets/graph-password", readers: ["api (uid 10001)"] },
      { file: "./secrets/postgres-password", readers: ["api (uid 10001)", "postgres (uid 70)"] },
      { file: "./secrets/redis-conf", readers: ["redis (uid 999)"] },
      { file: "./secrets/redis-password", readers: ["api (uid 10001)", "redis (uid 999)"] },
    ]);
    expect(dev.text).toContain(
      "#   ./secrets/postgres-password  read by api (uid 10001), postgres (uid 70)\n",
    );
  });

  it("delivers Prometheus's config as a file beside the compose file (read-only services take no inline content)", () => {
    expect(dev.document.configs).toEqual({
      "monitoring-prometheus.yml": { file: "./configs/monitoring-prometheus.yml" },
    });
    expect(dev.document.services.monitoring!.configs).toEqual([
      { source: "monitoring-prometheus.yml", target: "/run/config/prometheus.yml" },
    ]);
    expect(dev.configFiles).toEqual({ "configs/monitoring-prometheus.yml": prometheusYml });
    expect(prometheusYml).toMatch(/^global:\n/);
  });

  it("keeps the networks' Docker names and the data network internal", () => {
    expect(
      Object.fromEntries(
        Object.entries(dev.document.networks).map(([key, n]) => [key, [n.name, n.driver, n.internal]]),
      ),
    ).toEqual({
      data: ["shipyard-dev-data", "bridge", true],
      edge: ["shipyard-dev-edge", "bridge", false],
      "host-access": ["shipyard-dev-host-access", "bridge", false],
    });
  });

  it("keeps the volumes' fixed Docker names; files and working directories need none", () => {
    expect(Object.fromEntries(Object.entries(dev.document.volumes).map(([key, v]) => [key, v.name]))).toEqual(
      {
        "graph-data": "shipyard-dev-graph-data",
        pgdata: "shipyard-dev-pgdata",
        "prometheus-data": "shipyard-dev-prometheus-data",
      },
    );
    // The graph's conf/ and debug log: anonymous volumes, one per container, as in Pulumi.
    expect(dev.document.services.graph!.volumes).toEqual([
      { type: "volume", source: "graph-data", target: "/data" },
      { type: "volume", target: "/var/lib/neo4j/conf" },
      { type: "volume", target: "/logs" },
    ]);
  });

  it("starts each service after the ones it depends on are healthy", () => {
    expect(
      Object.fromEntries(Object.entries(dev.document.services).map(([key, s]) => [key, s.depends_on ?? {}])),
    ).toEqual({
      api: {
        graph: { condition: "service_healthy" },
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      },
      graph: {},
      monitoring: { api: { condition: "service_healthy" } },
      postgres: {},
      redis: {},
      web: { api: { condition: "service_healthy" } },
    });
  });

  it("writes no generated password anywhere", () => {
    expectNoPassword(dev);
  });

  it("escapes `$` so Compose does not interpolate the healthchecks, and reads back as the document", () => {
    expect(dev.text).toContain(
      `- REDISCLI_AUTH="$$(cat /run/secrets/redis-password)" redis-cli ping | grep -q PONG`,
    );
    const unescaped = JSON.parse(JSON.stringify(parse(dev.text)).replace(/\$\$/g, "$")) as unknown;
    expect(unescaped).toEqual(dev.document);
  });

  it("starts with a header naming the stack and listing what Compose cannot express", () => {
    expect(dev.text.split("\n")[0]).toBe(
      '# Generated by `npm run compose -- dev` from the shipyard stack "dev",',
    );
    expect(dev.text).toContain(
      "# What Compose cannot express, and this file therefore lacks:\n#   - Secret files' owner",
    );
    for (const limit of COMPOSE_LIMITS)
      expect(dev.text).toContain(`#   - ${limit.split(" ").slice(0, 4).join(" ")}`);
  });

  it("is the same file on every run", async () => {
    expect((await composeStack("dev", { baseDir: ROOT })).text).toBe(dev.text);
  });

  it("writes paths relative to where the file goes", async () => {
    const elsewhere = await composeStack("dev", { baseDir: path.join(ROOT, "deploy") });
    expect(elsewhere.document.services.api!.build).toEqual({ context: "../apps/api", target: "dev" });
  });

  it("takes config overrides: another web port and name prefix", async () => {
    const moved = await composeStack("dev", { baseDir: ROOT, sets: { webPort: 18080, namePrefix: "side" } });
    expect(moved.document.services.web!.ports).toEqual([
      { target: 8080, published: 18080, host_ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect(moved.document.networks.edge!.name).toBe("side-edge");
  });
});

describe("npm run compose -- prod (always on the container target)", () => {
  let prod: ComposeOutput;
  beforeAll(async () => {
    // The committed third-party digests, and the app images as after `npm run promote`.
    const committed = JSON.parse(readStackFile("prod").images!.value) as Record<string, string>;
    prod = await composeStack("prod", { baseDir: ROOT, sets: { images: { ...committed, ...PROMOTED } } });
  });

  it("runs the promoted images by reference, three API replicas, and only the web published", () => {
    const services = prod.document.services;
    expect(Object.keys(services)).toEqual([
      "api",
      "backup",
      "graph",
      "graph-backup",
      "monitoring",
      "postgres",
      "redis",
      "web",
    ]);
    expect([services.api!.image, services.api!.build, services.api!.deploy]).toEqual([
      PROMOTED.api,
      undefined,
      { replicas: 3 },
    ]);
    expect(services.postgres!.image).toBe(
      "postgres:16.15-alpine@sha256:721873c34ceb9f8d8fc265984940dc982404c105f19ad51be9fdc5970a6080ea",
    );
    expect(
      Object.fromEntries(Object.entries(services).flatMap(([k, s]) => (s.ports ? [[k, s.ports]] : []))),
    ).toEqual({ web: [{ target: 8080, published: 8080, host_ip: "127.0.0.1", protocol: "tcp" }] });
  });

  it("gives the backups their scripts as config files and their database's secret", () => {
    expect(prod.document.services.backup!.configs).toEqual([
      { source: "backup-backup.sh", target: "/run/config/backup.sh" },
      { source: "backup-restore.sh", target: "/run/config/restore.sh" },
    ]);
    expect(prod.document.services.backup!.secrets).toEqual(["postgres-password"]);
    expect(prod.document.services.backup!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(prod.document.services["graph-backup"]!.depends_on).toEqual({
      graph: { condition: "service_healthy" },
    });
    expect(Object.keys(prod.configFiles)).toEqual([
      "configs/backup-backup.sh",
      "configs/backup-restore.sh",
      "configs/monitoring-prometheus.yml",
    ]);
  });

  it("keeps prod's fixed volume names and writes no generated password", () => {
    expect(Object.values(prod.document.volumes).map((v) => v.name)).toContain("shipyard-prod-pgdata");
    expectNoPassword(prod);
  });

  it("says so in the header when the app images were never promoted", async () => {
    const unpromoted = await composeStack("prod", { baseDir: ROOT });
    expect(unpromoted.text.split("\n")[3]).toBe(
      "# Note: not promoted yet: images.api, images.web run placeholder image ids; promote before using it",
    );
  });
});

describe("renderCompose", () => {
  const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
  const image: ComposeResource = {
    type: "docker:index/remoteImage:RemoteImage",
    name: "app",
    urn: "urn:app",
    inputs: { name: "sha256:1" },
    options: { dependencies: [] },
  };
  const container = (name: string, inputs: Record<string, unknown>, replica = "0"): ComposeResource => ({
    type: CONTAINER,
    name,
    urn: `urn:${name}`,
    inputs: {
      image: "sha256:1",
      labels: [
        { label: "shipyard.replica", value: replica },
        { label: "shipyard.service", value: "svc" },
      ],
      ...inputs,
    },
    options: { dependencies: [] },
  });
  const carrier = (service: string, uploads: object[]): ComposeResource => ({
    type: CONTAINER,
    name: `${service}-files`,
    urn: `urn:${service}-files`,
    inputs: {
      start: false,
      labels: [
        { label: "shipyard.files-for", value: service },
        { label: "shipyard.role", value: "files" },
      ],
      uploads: { ...SECRET, value: uploads },
    },
    options: { dependencies: [] },
  });
  const options = { stack: "t", baseDir: "/" };

  it("rejects Swarm services: Compose gets the container target", () => {
    expectThrowsExactly(
      () => renderCompose([{ ...image, type: "docker:index/service:Service" }], options),
      "the stack registers Swarm services; evaluate it on the container target",
    );
  });

  it("rejects replicas that differ", () => {
    expectThrowsExactly(
      () =>
        renderCompose(
          [image, container("svc-0", { user: "1:1" }), container("svc-1", { user: "2:2" }, "1")],
          options,
        ),
      "replica 1 of svc differs from replica 0; Compose runs identical replicas",
    );
  });

  it("rejects a volumes entry that is not a file carrier's", () => {
    expectThrowsExactly(
      () =>
        renderCompose(
          [image, container("svc-0", { volumes: [{ hostPath: "/srv", containerPath: "/srv" }] })],
          options,
        ),
      "container svc-0 has a volumes entry that is neither a file carrier's nor an anonymous volume, which this renderer does not map",
    );
  });

  it("rejects a secret input where a plain value would be written", () => {
    expectThrowsExactly(
      () => renderCompose([image, container("svc-0", { envs: { ...SECRET, value: ["TOKEN=x"] } })], options),
      "envs of svc-0 is secret; it cannot be written into a compose file",
    );
  });

  it("rejects a config file that holds a secret's value", () => {
    const uploads = [
      { file: "/run/secrets/token", content: "s3cr3t-value", owner: "1", permissions: "0400" },
      { file: "/etc/app.conf", content: "token = s3cr3t-value", owner: "1", permissions: "0444" },
    ];
    expectThrowsExactly(
      () => renderCompose([image, carrier("svc", uploads), container("svc-0", {})], options),
      "config file svc-app.conf holds the value of secret token; deliver it as a Secret",
    );
  });

  it("rejects output that would carry a secret's value, whatever input brought it", () => {
    const uploads = [
      { file: "/run/secrets/token", content: "s3cr3t-value", owner: "1", permissions: "0400" },
    ];
    const leaky = container("svc-0", {
      labels: [
        { label: "shipyard.service", value: "svc" },
        { label: "note", value: "s3cr3t-value" },
      ],
    });
    expectThrowsExactly(
      () => renderCompose([image, carrier("svc", uploads), leaky], options),
      "the value of secret token would be written; refusing",
    );
  });

  it("rejects two different secrets under one file name", () => {
    const upload = (content: string) => [
      { file: "/run/secrets/token", content, owner: "1", permissions: "0400" },
    ];
    expectThrowsExactly(
      () => renderCompose([image, carrier("a", upload("one")), carrier("b", upload("two"))], options),
      "two different secrets are named token; Compose has one namespace for secrets",
    );
  });
});

describe("parseArgs", () => {
  it.each<[string[], ReturnType<typeof parseArgs>]>([
    [["dev"], { stack: "dev", out: undefined, sets: {} }],
    [["prod", "--out", "compose.yaml"], { stack: "prod", out: "compose.yaml", sets: {} }],
    [
      ["dev", "--set", "webPort=18080", "--set", "namePrefix=side", "--set", 'services={"api":{"ports":[]}}'],
      {
        stack: "dev",
        out: undefined,
        sets: { webPort: 18080, namePrefix: "side", services: { api: { ports: [] } } },
      },
    ],
    [[], undefined],
    [["dev", "prod"], undefined],
    [["dev", "--out"], undefined],
    [["dev", "--set", "=1"], undefined],
    [["dev", "--target", "swarm"], undefined],
  ])("%j", (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });
});
