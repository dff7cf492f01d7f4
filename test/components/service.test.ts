import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { PostgresDatabase } from "../../components/postgres-database";
import { Secret } from "../../components/secret";
import {
  Service,
  isSecretEnvKey,
  resolveServiceSpec,
  type RestartPolicy,
  type ServiceArgs,
} from "../../components/service";
import { Volume } from "../../components/volume";
import { registered } from "../../infra/offline";
import {
  CONTAINER,
  NETWORK,
  RANDOM_PASSWORD,
  REMOTE_IMAGE,
  VOLUME,
  child,
  envOf,
  expectThrowsExactly,
  labelsOf,
  ofType,
  promiseOf,
  resetRegistrations,
  settle,
  unwrapSecret,
  type Registration,
  freshRegistrations,
  mockPassword,
  mockImageId,
  carrierOf,
  filesVolumes,
  RANDOM_ID,
  BUILT_IMAGE,
} from "../mocks";

const REF = `ghcr.io/acme/api:1.4.2@sha256:${"cd".repeat(32)}`;
const IMAGE_ID = mockImageId(REF);
const HEALTHCHECK = { test: ["CMD", "/app/healthcheck"] };
/** The password the mock provider generates for a RandomPassword named `name`. */

/** An image and a network named after the test, and the smallest valid args that use them. */
function fixture(prefix: string): { image: Image; network: Network; args: ServiceArgs } {
  const image = new Image(`${prefix}-img`, { ref: REF });
  const network = new Network(`${prefix}-net`);
  return { image, network, args: { image, networks: [network], healthcheck: HEALTHCHECK } };
}

const urnOf = (type: string, name: string): string => child(type, name).urn;
const containerDeps = (container: Registration): string[] =>
  container.options.dependencies.filter((d) => d.includes("docker:index/container:Container::"));

/** The labels every container carries. */
const baseLabels = (
  service: string,
  role: string,
  stateful: boolean,
  replica: number,
): { label: string; value: string }[] => [
  { label: "shipyard.replica", value: String(replica) },
  { label: "shipyard.role", value: role },
  { label: "shipyard.service", value: service },
  { label: "shipyard.stateful", value: String(stateful) },
];

describe("Service on the container target", () => {
  beforeEach(freshRegistrations);

  it("registers one container with every secure default", async () => {
    const { args } = fixture("svc-min");
    const service = new Service("svc-min", args);
    await settle();

    const container = child(CONTAINER, "svc-min-0");
    expect(container.inputs).toEqual({
      image: IMAGE_ID,
      envs: [],
      user: "10001:10001",
      readOnly: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
      capabilities: { drops: ["ALL"], adds: [] },
      securityOpts: ["no-new-privileges:true"],
      init: true,
      memory: 256,
      memorySwap: 256,
      cpus: "0.5",
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      healthcheck: {
        tests: ["CMD", "/app/healthcheck"],
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "30s",
      },
      wait: true,
      // startPeriod 30 s + interval 10 s × retries 5 + 30 s margin
      waitTimeout: 110,
      destroyGraceSeconds: 10,
      stopTimeout: 10,
      mustRun: true,
      networksAdvanced: [{ name: "svc-min-net", aliases: ["svc-min", "svc-min-0"] }],
      ports: [],
      mounts: [],
      labels: baseLabels("svc-min", "app", false, 0),
    });
    expect(container.parent).toBe(urnOf("shipyard:components:Service", "svc-min"));
    expect({ ...container.options, dependencies: [...container.options.dependencies].sort() }).toEqual({
      protect: false,
      retainOnDelete: false,
      deleteBeforeReplace: false,
      dependencies: [urnOf(REMOTE_IMAGE, "svc-min-img"), urnOf(NETWORK, "svc-min-net")].sort(),
      // Docker cannot change a container's mounts, healthcheck or tmpfs in place; the provider
      // would pretend it did.
      replaceOnChanges: ["mounts", "healthcheck", "tmpfs"],
    });
    expect(ofType(CONTAINER)).toHaveLength(1);

    expect([service.serviceName, service.role, service.replicas, service.stateful]).toEqual([
      "svc-min",
      "app",
      1,
      false,
    ]);
    expect(await promiseOf(service.imageReference)).toBe(REF);
    expect(await promiseOf(service.containerIds)).toEqual(["svc-min-0-id"]);
  });

  it("resolves every default into the spec", () => {
    const { network, args } = fixture("svc-spec");
    const { networks, ...spec } = resolveServiceSpec("svc-spec", args);
    expect(spec).toEqual({
      name: "svc-spec",
      role: "app",
      stateful: false,
      target: "container",
      replicas: 1,
      user: { spec: "10001:10001", uid: "10001", gid: "10001" },
      readOnlyRootFilesystem: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
      anonymousVolumes: [],
      capAdd: [],
      memoryBytes: 268_435_456,
      nanoCpus: 500_000_000,
      cpus: "0.5",
      restart: "unless-stopped",
      maxRetries: 5,
      logging: { maxSize: "10m", maxFiles: 3 },
      healthcheck: {
        test: ["CMD", "/app/healthcheck"],
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "30s",
      },
      waitTimeoutSeconds: 110,
      stopGraceSeconds: 10,
      ports: [],
      env: {},
      secrets: [],
      dependencies: [],
      securityOpts: ["no-new-privileges:true"],
      placement: [],
      updateOrder: "start-first",
      dockerName: "svc-spec",
    });
    expect(networks.map((n) => [n.network === network, n.aliases])).toEqual([[true, ["svc-spec"]]]);
  });

  it("passes explicit settings through", async () => {
    const { args } = fixture("svc-custom");
    new Service("svc-custom", {
      ...args,
      role: "proxy",
      command: ["node", "server.js"],
      entrypoint: ["/sbin/tini", "--"],
      env: { NODE_ENV: "production", LOG_LEVEL: pulumi.output("info") },
      user: "1000",
      memory: "1g",
      cpus: "2",
      restart: "unless-stopped",
      logging: { maxSize: "50m", maxFiles: 5 },
      stopGracePeriod: "1m",
      tmpfs: { "/var/cache/nginx": "rw,noexec,nosuid,size=8m" },
      capAdd: ["NET_BIND_SERVICE"],
      deviations: [{ setting: "capAdd", reason: "binds port 80 inside the container" }],
      healthcheck: {
        test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/"],
        interval: "15s",
        timeout: "2s",
        retries: 4,
        startPeriod: "1m",
      },
      labels: { team: "edge" },
    });
    await settle();

    const inputs = child(CONTAINER, "svc-custom-0").inputs;
    const picked = Object.fromEntries(
      Object.entries(inputs).filter(([key]) =>
        [
          "command",
          "entrypoints",
          "envs",
          "user",
          "tmpfs",
          "capabilities",
          "memory",
          "memorySwap",
          "cpus",
          "restart",
          "maxRetryCount",
          "logOpts",
          "healthcheck",
          "waitTimeout",
          "destroyGraceSeconds",
          "stopTimeout",
          "labels",
        ].includes(key),
      ),
    );
    expect(picked).toEqual({
      command: ["node", "server.js"],
      entrypoints: ["/sbin/tini", "--"],
      envs: ["LOG_LEVEL=info", "NODE_ENV=production"],
      user: "1000:1000",
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/var/cache/nginx": "rw,noexec,nosuid,size=8m" },
      capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] },
      memory: 1024,
      memorySwap: 1024,
      cpus: "2.0",
      restart: "unless-stopped",
      logOpts: { "max-size": "50m", "max-file": "5" },
      healthcheck: {
        tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/"],
        interval: "15s",
        timeout: "2s",
        retries: 4,
        startPeriod: "1m0s",
      },
      // startPeriod 60 s + interval 15 s × retries 4 + 30 s margin
      waitTimeout: 150,
      destroyGraceSeconds: 60,
      stopTimeout: 60,
      labels: [...baseLabels("svc-custom", "proxy", false, 0), { label: "team", value: "edge" }],
    });
    expect("maxRetryCount" in inputs).toBe(false);
  });

  it("runs as root and with a writable root filesystem only with reasoned deviations", async () => {
    const { args } = fixture("svc-dev");
    new Service("svc-dev", {
      ...args,
      user: "0:0",
      readOnlyRootFilesystem: false,
      deviations: [
        { setting: "user", reason: "the vendor image drops privileges itself" },
        { setting: "readOnlyRootFilesystem", reason: "the vendor image writes its config at start" },
      ],
    });
    await settle();
    const inputs = child(CONTAINER, "svc-dev-0").inputs;
    expect([inputs.user, inputs.readOnly]).toEqual(["0:0", false]);
  });

  it("adds extra security options after no-new-privileges", async () => {
    const { args } = fixture("svc-secopt");
    new Service("svc-secopt", { ...args, securityOpts: ["apparmor=docker-default"] });
    await settle();
    expect(child(CONTAINER, "svc-secopt-0").inputs.securityOpts).toEqual([
      "no-new-privileges:true",
      "apparmor=docker-default",
    ]);
  });

  it("publishes ports on 127.0.0.1 by default and is then replaced delete-first", async () => {
    const { args } = fixture("svc-ports");
    new Service("svc-ports", {
      ...args,
      ports: [
        { containerPort: 8080, hostPort: 18080 },
        { containerPort: 5353, hostPort: 15353, hostAddress: "192.168.1.10", protocol: "udp" },
      ],
    });
    await settle();

    const container = child(CONTAINER, "svc-ports-0");
    expect(container.inputs.ports).toEqual([
      { internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 5353, external: 15353, ip: "192.168.1.10", protocol: "udp" },
    ]);
    expect(container.options.deleteBeforeReplace).toBe(true);
  });

  it("publishes one host port per replica, as Compose does with a port range", async () => {
    const { args } = fixture("svc-rep-ports");
    new Service("svc-rep-ports", { ...args, replicas: 2, ports: [{ containerPort: 8080, hostPort: 18080 }] });
    await settle();

    expect(ofType(CONTAINER).map((c) => [c.name, c.inputs.ports])).toEqual([
      ["svc-rep-ports-0", [{ internal: 8080, external: 18080, ip: "127.0.0.1", protocol: "tcp" }]],
      ["svc-rep-ports-1", [{ internal: 8080, external: 18081, ip: "127.0.0.1", protocol: "tcp" }]],
    ]);
  });

  it("runs replicas as <name>-0 … <name>-N-1 under one alias, each after the one before", async () => {
    const { args } = fixture("svc-rep");
    const service = new Service("svc-rep", { ...args, replicas: 3 });
    await settle();

    expect(ofType(CONTAINER).map((c) => c.name)).toEqual(["svc-rep-0", "svc-rep-1", "svc-rep-2"]);
    for (const i of [0, 1, 2]) {
      const container = child(CONTAINER, `svc-rep-${i}`);
      expect(container.inputs.networksAdvanced).toEqual([
        { name: "svc-rep-net", aliases: ["svc-rep", `svc-rep-${i}`] },
      ]);
      expect(container.inputs.labels).toEqual(baseLabels("svc-rep", "app", false, i));
      expect(container.options.deleteBeforeReplace).toBe(false);
    }
    expect(containerDeps(child(CONTAINER, "svc-rep-0"))).toEqual([]);
    expect(containerDeps(child(CONTAINER, "svc-rep-1"))).toEqual([urnOf(CONTAINER, "svc-rep-0")]);
    expect(containerDeps(child(CONTAINER, "svc-rep-2"))).toEqual([urnOf(CONTAINER, "svc-rep-1")]);
    expect(service.replicas).toBe(3);
    expect(await promiseOf(service.containerIds)).toEqual(["svc-rep-0-id", "svc-rep-1-id", "svc-rep-2-id"]);
  });

  it("joins each network once with the service name first among its aliases", async () => {
    const { network, args } = fixture("svc-alias");
    const other = new Network("svc-alias-edge");
    new Service("svc-alias", {
      ...args,
      networks: [
        network,
        { network: other, aliases: ["svc-alias", "api"] },
        { network, aliases: ["internal-api"] },
      ],
    });
    await settle();

    expect(child(CONTAINER, "svc-alias-0").inputs.networksAdvanced).toEqual([
      { name: "svc-alias-net", aliases: ["svc-alias", "internal-api", "svc-alias-0"] },
      { name: "svc-alias-edge", aliases: ["svc-alias", "api", "svc-alias-0"] },
    ]);
  });

  it("delivers secrets as 0400 files owned by the service's user, never as env", async () => {
    const { args } = fixture("svc-sec");
    const token = new Secret("svc-sec-token");
    const given = new Secret("svc-sec-given", { value: "given-s3cr3t" });
    new Service("svc-sec", {
      ...args,
      user: "1234:5678",
      env: { API_URL: "https://api.example.com" },
      secrets: [{ secret: token, env: "API_TOKEN_FILE" }, { secret: given }],
    });
    await settle();

    const container = child(CONTAINER, "svc-sec-0");
    const uploads = unwrapSecret(carrierOf("svc-sec").inputs.uploads);
    expect(uploads).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/svc-sec-token",
          content: mockPassword("svc-sec-token"),
          owner: "1234",
          group: "5678",
          permissions: "0400",
        },
        {
          file: "/run/secrets/svc-sec-given",
          content: "given-s3cr3t",
          owner: "1234",
          group: "5678",
          permissions: "0400",
        },
      ],
    });
    expect(container.inputs.mounts).toEqual([]);
    expect(container.inputs.volumes).toEqual(filesVolumes("svc-sec"));
    expect(container.inputs.uploads).toBeUndefined();
    expect(envOf(container)).toEqual({
      secret: false,
      env: { API_TOKEN_FILE: "/run/secrets/svc-sec-token", API_URL: "https://api.example.com" },
    });

    const plain = JSON.stringify(container.inputs);
    expect(plain.includes(mockPassword("svc-sec-token"))).toBe(false);
    expect(plain.includes("given-s3cr3t")).toBe(false);
    expect(container.options.dependencies).toContain(carrierOf("svc-sec").urn);
    expect(carrierOf("svc-sec").options.dependencies).toContain(urnOf(RANDOM_PASSWORD, "svc-sec-token"));
  });

  it("uploads files as 0444 into a carrier volume at each file's directory", async () => {
    const { args } = fixture("svc-files");
    new Service("svc-files", {
      ...args,
      files: [
        { path: "/etc/app/app.conf", content: "a = 1\n" },
        { path: "/etc/app/extra.conf", content: "b = 2\n" },
        { path: "/opt/config/rules.json", content: "{}" },
      ],
      secrets: [{ secret: new Secret("svc-files-key") }],
    });
    await settle();

    const container = child(CONTAINER, "svc-files-0");
    expect(unwrapSecret(carrierOf("svc-files").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/svc-files-key",
          content: mockPassword("svc-files-key"),
          owner: "10001",
          group: "10001",
          permissions: "0400",
        },
        {
          file: "/etc/app/app.conf",
          content: "a = 1\n",
          owner: "10001",
          group: "10001",
          permissions: "0444",
        },
        {
          file: "/etc/app/extra.conf",
          content: "b = 2\n",
          owner: "10001",
          group: "10001",
          permissions: "0444",
        },
        {
          file: "/opt/config/rules.json",
          content: "{}",
          owner: "10001",
          group: "10001",
          permissions: "0444",
        },
      ],
    });
    expect(carrierOf("svc-files").inputs.volumes).toEqual([
      { containerPath: "/etc/app" },
      { containerPath: "/opt/config" },
      { containerPath: "/run/secrets" },
    ]);
    expect(container.inputs.volumes).toEqual(filesVolumes("svc-files"));
  });

  // A real dev run: Docker refuses any upload into a container with a read-only root, so files go
  // into volumes through a carrier that is created and never started (file-carrier.ts).
  it("uploads files through a never-started carrier into anonymous volumes of its own", async () => {
    const { args } = fixture("svc-carry");
    new Service("svc-carry", {
      ...args,
      user: "1234:5678",
      files: [{ path: "/etc/app/app.conf", content: "a = 1\n" }],
      secrets: [{ secret: new Secret("svc-carry-key", { value: "k1" }) }],
      labels: { "shipyard.stack": "t" },
    });
    await settle();

    const { uploads, ...carrier } = carrierOf("svc-carry").inputs;
    expect(unwrapSecret(uploads).secret).toBe(true);
    expect(carrier).toEqual({
      image: mockImageId(String(child(BUILT_IMAGE, "svc-carry-files-carrier-build").inputs.imageName)),
      start: false,
      mustRun: false,
      networkMode: "none",
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      restart: "no",
      // One anonymous volume per directory, which Docker removes with the carrier.
      volumes: [{ containerPath: "/etc/app" }, { containerPath: "/run/secrets" }],
      removeVolumes: true,
      labels: [
        { label: "shipyard.files-for", value: "svc-carry" },
        { label: "shipyard.role", value: "files" },
        { label: "shipyard.stack", value: "t" },
      ],
    });
    // Never the service's user: Docker 20.10 cannot copy files in as a numeric uid:gid.
    expect(carrier.user).toBeUndefined();
    // A new carrier takes the new files before the old one goes: the containers use its volumes.
    expect(carrierOf("svc-carry").options.deleteBeforeReplace).toBe(false);
    // No volume or revision of their own: the volumes live and die with the carrier.
    expect([...ofType(VOLUME), ...ofType(RANDOM_ID)].map((r) => r.name)).toEqual([]);

    // The containers mount every carrier volume read-only, and wait for the carrier's uploads.
    const container = child(CONTAINER, "svc-carry-0");
    expect(container.inputs.volumes).toEqual([{ fromContainer: "svc-carry-files-id:ro" }]);
    expect(container.options.dependencies).toContain(carrierOf("svc-carry").urn);
  });

  it("rotates: a changed secret changes only the carrier's uploads, which the provider replaces it for", async () => {
    const build = async (name: string, value: string) => {
      const { args } = fixture(name);
      const secret = new Secret(`${name}-key`, { value, fileName: "key" });
      new Service(name, { ...args, secrets: [{ secret }] });
      await settle();
      const { uploads, volumes } = carrierOf(name).inputs;
      return { uploads: unwrapSecret(uploads).value, volumes };
    };
    // The same file with two values: only the content differs. `uploads` is a replace-only input
    // of docker.Container, so the carrier is replaced (new volumes, new id), and the containers,
    // whose `volumes` name that id, with it.
    const [before, after] = [await build("svc-rot-a", "one"), await build("svc-rot-b", "two")];
    const upload = { file: "/run/secrets/key", owner: "10001", group: "10001", permissions: "0400" };
    const volumes = [{ containerPath: "/run/secrets" }];
    expect([before, after]).toEqual([
      { uploads: [{ ...upload, content: "one" }], volumes },
      { uploads: [{ ...upload, content: "two" }], volumes },
    ]);
  });

  it("gives each container its own anonymous volumes, after its files' carrier volumes", async () => {
    const { args } = fixture("svc-anon");
    new Service("svc-anon", {
      ...args,
      replicas: 2,
      anonymousVolumes: ["/var/lib/app/conf", "/var/log/app"],
      secrets: [{ secret: new Secret("svc-anon-key") }],
    });
    await settle();
    const own = [{ containerPath: "/var/lib/app/conf" }, { containerPath: "/var/log/app" }];
    expect(["svc-anon-0", "svc-anon-1"].map((name) => child(CONTAINER, name).inputs.volumes)).toEqual([
      [...filesVolumes("svc-anon"), ...own],
      [...filesVolumes("svc-anon"), ...own],
    ]);
    // Docker makes them at the container's creation: no Volume resource of their own.
    expect(ofType(VOLUME)).toEqual([]);
  });

  it("records plain file uploads as plain", async () => {
    const { args } = fixture("svc-plain");
    new Service("svc-plain", { ...args, files: [{ path: "/etc/app/app.conf", content: "a = 1\n" }] });
    await settle();
    expect(unwrapSecret(carrierOf("svc-plain").inputs.uploads)).toEqual({
      secret: false,
      value: [
        {
          file: "/etc/app/app.conf",
          content: "a = 1\n",
          owner: "10001",
          group: "10001",
          permissions: "0444",
        },
      ],
    });
  });

  it("mounts volumes read-write and bind mounts read-only by default, and is stateful with a data volume", async () => {
    const { args } = fixture("svc-vol");
    const data = new Volume("svc-vol-data");
    const scratch = new Volume("svc-vol-scratch", { holdsData: false, retainData: false });
    const service = new Service("svc-vol", {
      ...args,
      volumes: [
        { volume: data, path: "/var/lib/app" },
        { volume: scratch, path: "/var/cache/app", readOnly: true },
      ],
      bindMounts: [
        { source: "/home/dev/shipyard/apps/api/src", target: "/app/src" },
        { source: "/home/dev/shipyard/apps/api/public", target: "/app/public", readOnly: false },
      ],
    });
    await settle();

    const container = child(CONTAINER, "svc-vol-0");
    expect(container.inputs.mounts).toEqual([
      { type: "volume", source: "svc-vol-data", target: "/var/lib/app", readOnly: false },
      { type: "volume", source: "svc-vol-scratch", target: "/var/cache/app", readOnly: true },
      { type: "bind", source: "/home/dev/shipyard/apps/api/src", target: "/app/src", readOnly: true },
      { type: "bind", source: "/home/dev/shipyard/apps/api/public", target: "/app/public", readOnly: false },
    ]);
    expect(service.stateful).toBe(true);
    expect(labelsOf(container)["shipyard.stateful"]).toBe("true");
    expect(container.options.dependencies).toEqual(
      expect.arrayContaining([urnOf(VOLUME, "svc-vol-data"), urnOf(VOLUME, "svc-vol-scratch")]),
    );
  });

  it("is not stateful with only a read-only or data-less volume", () => {
    const { args } = fixture("svc-nostate");
    const data = new Volume("svc-nostate-data");
    const scratch = new Volume("svc-nostate-scratch", { holdsData: false });
    const spec = resolveServiceSpec("svc-nostate", {
      ...args,
      volumes: [
        { volume: data, path: "/seed", readOnly: true },
        { volume: scratch, path: "/scratch" },
      ],
    });
    expect(spec.stateful).toBe(false);
  });

  it.each([
    ["database", true],
    ["cache", true],
    ["graph", true],
    ["monitoring", true],
    ["app", false],
    ["proxy", false],
    // Backups write dumps to a local volume: pinned to the data node, never two at once.
    ["backup", true],
  ] as const)("treats role %s as stateful: %s", (role, stateful) => {
    const { args } = fixture(`svc-role-${role}`);
    expect(resolveServiceSpec(`svc-role-${role}`, { ...args, role }).stateful).toBe(stateful);
  });

  it("wires a connection: joins the network once, gets env and the password file, starts after the database", async () => {
    const { image, network, args } = fixture("svc-conn");
    const db = new PostgresDatabase("svc-conn-db", { image, network, volume: new Volume("svc-conn-pgdata") });
    const service = new Service("svc-conn", { ...args, env: { PORT: "8080" }, connections: [db] });
    await settle();

    const container = child(CONTAINER, "svc-conn-0");
    expect(container.inputs.networksAdvanced).toEqual([
      { name: "svc-conn-net", aliases: ["svc-conn", "svc-conn-0"] },
    ]);
    expect(envOf(container)).toEqual({
      secret: false,
      env: {
        DATABASE_HOST: "svc-conn-db",
        DATABASE_NAME: "app",
        DATABASE_PASSWORD_FILE: "/run/secrets/svc-conn-db-password",
        DATABASE_PORT: "5432",
        DATABASE_USER: "app",
        PORT: "8080",
      },
    });
    expect(unwrapSecret(carrierOf("svc-conn").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/svc-conn-db-password",
          content: mockPassword("svc-conn-db-password"),
          owner: "10001",
          group: "10001",
          permissions: "0400",
        },
      ],
    });
    expect(container.inputs.mounts).toEqual([]);
    expect(container.inputs.volumes).toEqual(filesVolumes("svc-conn"));
    expect(container.options.dependencies).toContain(urnOf(CONTAINER, "svc-conn-db-0"));
    expect(service.spec.dependencies).toEqual(["svc-conn-db"]);
  });

  it("joins a connection's network besides its own", async () => {
    const { image, args } = fixture("svc-conn2");
    const data = new Network("svc-conn2-data", { internal: true, tier: "data" });
    const db = new PostgresDatabase("svc-conn2-db", {
      image,
      network: data,
      volume: new Volume("svc-conn2-pgdata"),
    });
    new Service("svc-conn2", { ...args, connections: [db] });
    await settle();

    expect(child(CONTAINER, "svc-conn2-0").inputs.networksAdvanced).toEqual([
      { name: "svc-conn2-net", aliases: ["svc-conn2", "svc-conn2-0"] },
      { name: "svc-conn2-data", aliases: ["svc-conn2", "svc-conn2-0"] },
    ]);
  });

  it("sets a connection's password env even when the same secret is also listed in secrets", async () => {
    const { image, network, args } = fixture("svc-both");
    const db = new PostgresDatabase("svc-both-db", { image, network, volume: new Volume("svc-both-pgdata") });
    new Service("svc-both", { ...args, secrets: [{ secret: db.password }], connections: [db] });
    await settle();

    const container = child(CONTAINER, "svc-both-0");
    expect(envOf(container).env.DATABASE_PASSWORD_FILE).toBe("/run/secrets/svc-both-db-password");
    const uploads = unwrapSecret(carrierOf("svc-both").inputs.uploads).value as { file: string }[];
    expect(uploads.map((u) => u.file)).toEqual(["/run/secrets/svc-both-db-password"]);
  });

  it("starts after the services it depends on", async () => {
    const { args } = fixture("svc-deps");
    const worker = new Service("svc-deps-worker", args);
    const api = new Service("svc-deps-api", { ...args, replicas: 2, dependsOn: [worker, worker] });
    await settle();

    const workerUrn = urnOf(CONTAINER, "svc-deps-worker-0");
    expect(containerDeps(child(CONTAINER, "svc-deps-api-0"))).toEqual([workerUrn]);
    expect([...containerDeps(child(CONTAINER, "svc-deps-api-1"))].sort()).toEqual(
      [urnOf(CONTAINER, "svc-deps-api-0"), workerUrn].sort(),
    );
    expect(api.spec.dependencies).toEqual(["svc-deps-worker"]);
  });
});

describe("Service.address", () => {
  it("gives the host:port a service on a shared network reaches it by", () => {
    const { args } = fixture("svc-addr");
    expect(new Service("svc-addr", args).address(8080)).toBe("svc-addr:8080");
  });

  it.each([0, 65536, 80.5])("rejects port %s", (port) => {
    const { args } = fixture(`svc-addr-bad-${String(port).replace(".", "-")}`);
    const service = new Service(`svc-addr-bad-${String(port).replace(".", "-")}`, args);
    expectThrowsExactly(
      () => service.address(port),
      `Service "svc-addr-bad-${String(port).replace(".", "-")}": address() needs a port from 1 to 65535, got ${port}`,
    );
  });
});

describe("isSecretEnvKey", () => {
  it.each([
    ["DB_PASSWORD", true],
    ["db_password", true],
    ["API_TOKEN", true],
    ["AWS_SECRET_ACCESS_KEY", true],
    ["STRIPE_API_KEY", true],
    ["GPG_PASSPHRASE", true],
    ["DB_PASSWORD_FILE", false],
    ["DATABASE_HOST", false],
    ["PORT", false],
  ])("%s → %s", (key, expected) => {
    expect(isSecretEnvKey(key)).toBe(expected);
  });
});

describe("resolveServiceSpec validation", () => {
  const { image, network, args: base } = fixture("svc-val");
  const db = new PostgresDatabase("svc-val-db", { image, network, volume: new Volume("svc-val-pgdata") });
  const token = new Secret("svc-val-token");
  const tokenAgain = new Secret("svc-val-token-again", { fileName: "svc-val-token" });
  const self = new Service("svc-bad-self", base);
  const DEVIATION = (setting: string): string =>
    `; add { setting: "${setting}", reason: "..." } to \`deviations\` if the image needs it`;
  const DURATION = (value: string): string =>
    `must be a duration with a unit such as "10s", "500ms" or "1m30s", got "${value}"`;
  const SENSITIVE = (source: string): string =>
    `\`bindMounts[0].source\` must not mount "${source}" (CIS 5.6/5.32: sensitive host path)`;

  it.each<[string, Partial<ServiceArgs>, string]>([
    ["replicas 0", { replicas: 0 }, "`replicas` must be an integer ≥ 1, got 0"],
    ["fractional replicas", { replicas: 1.5 }, "`replicas` must be an integer ≥ 1, got 1.5"],
    [
      "a non-numeric user",
      { user: "app" },
      '`user` must be a numeric "uid:gid" such as "10001:10001", got "app"',
    ],
    [
      "a user named root",
      { user: "root" },
      '`user` must be a numeric "uid:gid" such as "10001:10001", got "root"',
    ],
    [
      "a user with an empty gid",
      { user: "10001:" },
      '`user` must be a numeric "uid:gid" such as "10001:10001", got "10001:"',
    ],
    [
      "uid 0 without a deviation",
      { user: "0:0" },
      `\`user\` runs as root ("0:0"), CIS 4.1 wants a non-root user${DEVIATION("user")}`,
    ],
    [
      "uid 0 without a gid and without a deviation",
      { user: "0" },
      `\`user\` runs as root ("0"), CIS 4.1 wants a non-root user${DEVIATION("user")}`,
    ],
    [
      "a writable root filesystem without a deviation",
      { readOnlyRootFilesystem: false },
      `\`readOnlyRootFilesystem\` is false, CIS 5.13 wants a read-only root filesystem${DEVIATION("readOnlyRootFilesystem")}`,
    ],
    [
      "a deviation for another setting",
      { readOnlyRootFilesystem: false, deviations: [{ setting: "user", reason: "unrelated" }] },
      `\`readOnlyRootFilesystem\` is false, CIS 5.13 wants a read-only root filesystem${DEVIATION("readOnlyRootFilesystem")}`,
    ],
    [
      "a deviation without a reason",
      { deviations: [{ setting: "user", reason: "  " }] },
      "`deviations` entry for `user` needs a reason",
    ],
    [
      "capAdd without a deviation",
      { capAdd: ["CHOWN", "SETUID"] },
      `\`capAdd\` adds CHOWN, SETUID after dropping ALL (CIS 5.4)${DEVIATION("capAdd")}`,
    ],
    [
      "capAdd ALL",
      { capAdd: ["ALL"], deviations: [{ setting: "capAdd", reason: "r" }] },
      '`capAdd` cannot add "ALL"; name specific capabilities such as "CHOWN", never ALL or SYS_ADMIN',
    ],
    [
      "capAdd SYS_ADMIN",
      { capAdd: ["CHOWN", "SYS_ADMIN"], deviations: [{ setting: "capAdd", reason: "r" }] },
      '`capAdd` cannot add "SYS_ADMIN"; name specific capabilities such as "CHOWN", never ALL or SYS_ADMIN',
    ],
    [
      "a lower-case capability",
      { capAdd: ["cap_chown"], deviations: [{ setting: "capAdd", reason: "r" }] },
      '`capAdd` cannot add "cap_chown"; name specific capabilities such as "CHOWN", never ALL or SYS_ADMIN',
    ],
    [
      "memory without a unit",
      { memory: "512" },
      '`memory` must be a size with a unit such as "512m" or "1g", got "512"',
    ],
    ["memory below 6m", { memory: "4m" }, `\`memory\` must be at least 6m (Docker's minimum), got "4m"`],
    [
      "non-numeric cpus",
      { cpus: "half" },
      '`cpus` must be a decimal number of CPUs such as "0.5" or "2", got "half"',
    ],
    ["cpus 0", { cpus: "0" }, '`cpus` must be at least "0.01", got "0"'],
    [
      "an unknown restart policy",
      { restart: "no" as RestartPolicy },
      '`restart` must be "on-failure", "unless-stopped" or "always", got "no"',
    ],
    ["maxRetries 6", { maxRetries: 6 }, "`maxRetries` must be an integer from 1 to 5 (CIS 5.15), got 6"],
    ["maxRetries 0", { maxRetries: 0 }, "`maxRetries` must be an integer from 1 to 5 (CIS 5.15), got 0"],
    [
      "maxRetries with restart unless-stopped",
      { restart: "unless-stopped", maxRetries: 3 },
      '`maxRetries` applies only to restart "on-failure", not "unless-stopped"',
    ],
    [
      "maxRetries with restart always",
      { restart: "always", maxRetries: 5 },
      '`maxRetries` applies only to restart "on-failure", not "always"',
    ],
    [
      "a log size without a unit",
      { logging: { maxSize: "10" } },
      '`logging.maxSize` must be a size such as "10m", got "10"',
    ],
    [
      "a log size that is not a size",
      { logging: { maxSize: "big" } },
      '`logging.maxSize` must be a size such as "10m", got "big"',
    ],
    [
      "a log size of zero",
      { logging: { maxSize: "0m" } },
      '`logging.maxSize` must be a size such as "10m", got "0m"',
    ],
    ["maxFiles 0", { logging: { maxFiles: 0 } }, "`logging.maxFiles` must be an integer ≥ 1, got 0"],
    [
      "a missing healthcheck",
      { healthcheck: undefined },
      "`healthcheck` is required: start order and rollouts wait on it",
    ],
    [
      "a healthcheck test without a form",
      { healthcheck: { test: ["curl", "-f", "http://127.0.0.1/"] } },
      '`healthcheck.test` must be ["CMD", ...] or ["CMD-SHELL", "..."], got ["curl","-f","http://127.0.0.1/"]',
    ],
    [
      "a NONE healthcheck",
      { healthcheck: { test: ["NONE"] } },
      '`healthcheck.test` must be ["CMD", ...] or ["CMD-SHELL", "..."], got ["NONE"]',
    ],
    [
      "a CMD healthcheck without a command",
      { healthcheck: { test: ["CMD"] } },
      '`healthcheck.test` must be ["CMD", ...] or ["CMD-SHELL", "..."], got ["CMD"]',
    ],
    [
      "a healthcheck interval without a unit",
      { healthcheck: { ...HEALTHCHECK, interval: "10" } },
      `\`healthcheck.interval\` ${DURATION("10")}`,
    ],
    [
      "a healthcheck timeout in words",
      { healthcheck: { ...HEALTHCHECK, timeout: "5 sec" } },
      `\`healthcheck.timeout\` ${DURATION("5 sec")}`,
    ],
    [
      "a bad healthcheck startPeriod",
      { healthcheck: { ...HEALTHCHECK, startPeriod: "soon" } },
      `\`healthcheck.startPeriod\` ${DURATION("soon")}`,
    ],
    [
      "healthcheck retries 0",
      { healthcheck: { ...HEALTHCHECK, retries: 0 } },
      "`healthcheck.retries` must be an integer ≥ 1, got 0",
    ],
    [
      "a healthcheck timeout equal to the interval",
      { healthcheck: { ...HEALTHCHECK, timeout: "10s" } },
      "`healthcheck.timeout` (10s) must be shorter than `healthcheck.interval` (10s)",
    ],
    [
      "a healthcheck timeout longer than the interval",
      { healthcheck: { ...HEALTHCHECK, interval: "30s", timeout: "1m" } },
      "`healthcheck.timeout` (1m) must be shorter than `healthcheck.interval` (30s)",
    ],
    ["a bad stopGracePeriod", { stopGracePeriod: "10" }, `\`stopGracePeriod\` ${DURATION("10")}`],
    [
      "containerPort 0",
      { ports: [{ containerPort: 0, hostPort: 18080 }] },
      "`ports[0].containerPort` must be an integer from 1 to 65535, got 0",
    ],
    [
      "a hostPort above 65535",
      { ports: [{ containerPort: 80, hostPort: 70000 }] },
      "`ports[0].hostPort` must be an integer from 1 to 65535, got 70000",
    ],
    [
      "a privileged host port",
      {
        ports: [
          { containerPort: 8080, hostPort: 18080 },
          { containerPort: 80, hostPort: 80 },
        ],
      },
      "`ports[1].hostPort` must be 1025 or above (CIS 5.8: no privileged host ports), got 80; publish a high port and let a proxy or firewall map it",
    ],
    [
      "a host name as hostAddress",
      { ports: [{ containerPort: 80, hostPort: 18080, hostAddress: "localhost" }] },
      '`ports[0].hostAddress` must be an IP address, got "localhost"',
    ],
    [
      "hostAddress 0.0.0.0",
      { ports: [{ containerPort: 80, hostPort: 18080, hostAddress: "0.0.0.0" }] },
      `\`ports[0].hostAddress\` must name one interface (CIS 5.14), got "0.0.0.0"; use the host's public address or 127.0.0.1`,
    ],
    [
      "hostAddress ::",
      { ports: [{ containerPort: 80, hostPort: 18080, hostAddress: "::" }] },
      `\`ports[0].hostAddress\` must name one interface (CIS 5.14), got "::"; use the host's public address or 127.0.0.1`,
    ],
    [
      "a host port published twice",
      {
        ports: [
          { containerPort: 80, hostPort: 18080 },
          { containerPort: 81, hostPort: 18080, hostAddress: "127.0.0.1" },
        ],
      },
      "`ports` publishes 127.0.0.1:18080/tcp twice",
    ],
    [
      "replicas whose host port ranges overlap",
      {
        replicas: 2,
        ports: [
          { containerPort: 80, hostPort: 18080 },
          { containerPort: 81, hostPort: 18081 },
        ],
      },
      "`ports` publishes 127.0.0.1:18081/tcp twice",
    ],
    [
      "replicas whose host port range runs past 65535",
      { replicas: 3, ports: [{ containerPort: 80, hostPort: 65534 }] },
      "`ports[0].hostPort` with 3 replicas binds 65534-65536 (one host port per replica on the container target), past 65535; publish a lower port",
    ],
    [
      "more replicas than one host should start",
      { replicas: 11 },
      "`replicas` must be at most 10 on the container target (one host starts container replicas one after the other; use target swarm for more), got 11",
    ],
    ["a bind mount of /", { bindMounts: [{ source: "/", target: "/host" }] }, SENSITIVE("/")],
    ["a bind mount of /etc", { bindMounts: [{ source: "/etc", target: "/host/etc" }] }, SENSITIVE("/etc")],
    [
      "a bind mount of /etc/ with a trailing slash",
      { bindMounts: [{ source: "/etc/", target: "/host/etc" }] },
      SENSITIVE("/etc/"),
    ],
    [
      "a bind mount below /etc, as the policy's CIS 5.6 rule also refuses",
      { bindMounts: [{ source: "/etc/nginx", target: "/etc/nginx" }] },
      SENSITIVE("/etc/nginx"),
    ],
    [
      "a bind mount of /proc",
      { bindMounts: [{ source: "/proc", target: "/host/proc" }] },
      SENSITIVE("/proc"),
    ],
    [
      "a bind mount of the docker socket",
      { bindMounts: [{ source: "/var/run/docker.sock", target: "/var/run/docker.sock" }] },
      SENSITIVE("/var/run/docker.sock"),
    ],
    [
      "a bind mount of /run/docker.sock",
      { bindMounts: [{ source: "/run/docker.sock", target: "/docker.sock" }] },
      SENSITIVE("/run/docker.sock"),
    ],
    [
      "a bind mount of a rootless docker socket",
      { bindMounts: [{ source: "/run/user/1000/docker.sock", target: "/docker.sock" }] },
      SENSITIVE("/run/user/1000/docker.sock"),
    ],
    [
      "a bind mount of /var/run, which holds the docker socket",
      { bindMounts: [{ source: "/var/run", target: "/host-run" }] },
      SENSITIVE("/var/run"),
    ],
    [
      "a bind mount of /run, which holds the docker socket",
      { bindMounts: [{ source: "/run/", target: "/host-run" }] },
      SENSITIVE("/run/"),
    ],
    [
      "a bind mount of /var, which holds the docker socket",
      { bindMounts: [{ source: "/var", target: "/host-var" }] },
      SENSITIVE("/var"),
    ],
    [
      "a relative bind source",
      { bindMounts: [{ source: "src", target: "/app/src" }] },
      '`bindMounts[0]` needs absolute source and target paths, got {"source":"src","target":"/app/src"}',
    ],
    [
      "a relative bind target",
      { bindMounts: [{ source: "/home/dev/src", target: "app/src" }] },
      '`bindMounts[0]` needs absolute source and target paths, got {"source":"/home/dev/src","target":"app/src"}',
    ],
    [
      "a relative volume path",
      { volumes: [{ volume: new Volume("svc-val-vol"), path: "data" }] },
      '`volumes[0].path` must be an absolute path, got "data"',
    ],
    [
      "a relative file path",
      { files: [{ path: "app.conf", content: "" }] },
      '`files[0].path` must be an absolute file path, got "app.conf"',
    ],
    [
      "a file path that names a directory",
      { files: [{ path: "/etc/app/", content: "" }] },
      '`files[0].path` must be an absolute file path, got "/etc/app/"',
    ],
    [
      "a file in the root directory, which would become a volume over /",
      { files: [{ path: "/app.conf", content: "" }] },
      '`files[0].path` must be in a directory of its own, such as /run/config/<file>: "/" is already a mount, got "/app.conf"',
    ],
    [
      "a file inside a tmpfs mount",
      { files: [{ path: "/tmp/app.conf", content: "" }] },
      '`files[0].path` must be in a directory of its own, such as /run/config/<file>: /tmp is already a mount, got "/tmp/app.conf"',
    ],
    [
      "a file inside a volume mount",
      {
        volumes: [{ volume: new Volume("svc-val-vol2"), path: "/data" }],
        files: [{ path: "/data/conf/app.conf", content: "" }],
      },
      '`files[0].path` must be in a directory of its own, such as /run/config/<file>: /data is already a mount, got "/data/conf/app.conf"',
    ],
    [
      "a file inside an anonymous volume",
      { anonymousVolumes: ["/var/log/app"], files: [{ path: "/var/log/app/app.conf", content: "" }] },
      '`files[0].path` must be in a directory of its own, such as /run/config/<file>: /var/log/app is already a mount, got "/var/log/app/app.conf"',
    ],
    [
      "an anonymous volume at a relative path",
      { anonymousVolumes: ["logs"] },
      '`anonymousVolumes[0]` must be an absolute directory other than "/", got "logs"',
    ],
    [
      "an anonymous volume over /",
      { anonymousVolumes: ["/"] },
      '`anonymousVolumes[0]` must be an absolute directory other than "/", got "/"',
    ],
    [
      "an anonymous volume over a tmpfs mount",
      { anonymousVolumes: ["/tmp"] },
      '`anonymousVolumes[0]` "/tmp" is already a mount; give each directory one mount',
    ],
    [
      "the same anonymous volume twice",
      { anonymousVolumes: ["/logs", "/logs"] },
      '`anonymousVolumes[1]` "/logs" is already a mount; give each directory one mount',
    ],
    [
      "an unconfined seccomp profile",
      { securityOpts: ["seccomp=unconfined"] },
      '`securityOpts` must not disable a security profile (CIS 5.2/5.22), got "seccomp=unconfined"',
    ],
    [
      "an unconfined AppArmor profile",
      { securityOpts: ["apparmor:unconfined"] },
      '`securityOpts` must not disable a security profile (CIS 5.2/5.22), got "apparmor:unconfined"',
    ],
    [
      "disabled SELinux labels",
      { securityOpts: ["label=disable"] },
      '`securityOpts` must not disable a security profile (CIS 5.2/5.22), got "label=disable"',
    ],
    [
      "placement on the container target",
      { placement: ["node.role == worker"] },
      '`placement` cannot be honoured on the container target; containers run on the provider\'s one host: drop it, or use target "swarm"',
    ],
    [
      "updateOrder on the container target",
      { updateOrder: "stop-first" },
      '`updateOrder` cannot be honoured on the container target; containers are replaced one replica at a time, each new one healthy first: drop it, or use target "swarm"',
    ],
    [
      "dockerName on the container target",
      { dockerName: "api" },
      '`dockerName` cannot be honoured on the container target; containers are auto-named so a replacement can start before the old one stops: drop it, or use target "swarm"',
    ],
    [
      "replicas of a stateful service",
      { role: "database", replicas: 2 },
      "`replicas` must be 1 for a stateful service (two replicas would share one data volume), got 2",
    ],
    [
      "no networks",
      { networks: [] },
      "`networks` is empty; join at least one user-defined network (CIS 5.30: not the default bridge)",
    ],
    [
      "a secret-looking env key",
      { env: { DB_PASSWORD: "hunter2" } },
      '`env` key "DB_PASSWORD" looks like a secret; pass a Secret in `secrets` with env "DB_PASSWORD_FILE" so it arrives as a file',
    ],
    [
      "a token env key in lower case",
      { env: { github_token: "x" } },
      '`env` key "github_token" looks like a secret; pass a Secret in `secrets` with env "github_token_FILE" so it arrives as a file',
    ],
    [
      "an env key that is not a variable name",
      { env: { "MY-VAR": "x" } },
      `\`env\` key "MY-VAR" is not a valid variable name (letters, digits and '_', not starting with a digit), got "MY-VAR"; rename it`,
    ],
    [
      "an env key that a secret file also sets",
      { env: { TOKEN_FILE: "/elsewhere" }, secrets: [{ secret: token, env: "TOKEN_FILE" }] },
      '`env` key "TOKEN_FILE" is set twice (secrets)',
    ],
    [
      "a secret-looking env key for a secret file pointer",
      { secrets: [{ secret: token, env: "API_TOKEN" }] },
      '`env` key "API_TOKEN" looks like a secret; pass a Secret in `secrets` with env "API_TOKEN_FILE" so it arrives as a file',
    ],
    [
      "two secrets with the same file",
      { secrets: [{ secret: token }, { secret: tokenAgain }] },
      "`secrets` two secrets use the file /run/secrets/svc-val-token",
    ],
    [
      "an env key a connection also sets",
      { env: { DATABASE_HOST: "elsewhere" }, connections: [db] },
      '`env` key "DATABASE_HOST" is set twice (connection to "svc-val-db")',
    ],
    [
      "a connection made twice",
      { connections: [db, db] },
      '`env` key "DATABASE_HOST" is set twice (connection to "svc-val-db")',
    ],
  ])("rejects %s", (_case, overrides, problem) => {
    expectThrowsExactly(
      () => resolveServiceSpec("svc-bad", { ...base, ...overrides }),
      `Service "svc-bad": ${problem}`,
    );
  });

  it("rejects a name that is not a DNS label", () => {
    expectThrowsExactly(
      () => resolveServiceSpec("Svc_Bad", base),
      `Service "Svc_Bad": \`name\` must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-'), got "Svc_Bad"`,
    );
  });

  it("rejects depending on itself", () => {
    expectThrowsExactly(
      () => resolveServiceSpec("svc-bad-self", { ...base, dependsOn: [self] }),
      'Service "svc-bad-self": `dependsOn` cannot name the service itself',
    );
  });

  it("rejects invalid args in the constructor, before any container is registered", async () => {
    await settle();
    resetRegistrations();
    expectThrowsExactly(
      () => new Service("svc-bad-ctor", { ...base, replicas: 0 }),
      'Service "svc-bad-ctor": `replicas` must be an integer ≥ 1, got 0',
    );
    await settle();
    expect(registered().map((r) => `${r.type}::${r.name}`)).toEqual([
      "shipyard:components:Service::svc-bad-ctor",
    ]);
  });

  it.each<[string, Partial<ServiceArgs>]>([
    ["a log size below Docker's memory minimum", { logging: { maxSize: "1m" } }],
    ["a log size in kilobytes", { logging: { maxSize: "500k" } }],
    ["host port 1025", { ports: [{ containerPort: 80, hostPort: 1025 }] }],
    [
      "the same host port on tcp and udp",
      {
        ports: [
          { containerPort: 53, hostPort: 15353 },
          { containerPort: 53, hostPort: 15353, protocol: "udp" },
        ],
      },
    ],
    [
      "the same host port on two addresses",
      {
        ports: [
          { containerPort: 80, hostPort: 18080 },
          { containerPort: 80, hostPort: 18080, hostAddress: "10.0.0.5" },
        ],
      },
    ],
    ["an IPv6 loopback hostAddress", { ports: [{ containerPort: 80, hostPort: 18080, hostAddress: "::1" }] }],
    ["a bind mount under /home", { bindMounts: [{ source: "/home/dev/app", target: "/app" }] }],
    ["maxRetries 1 with restart on-failure", { restart: "on-failure", maxRetries: 1 }],
    ["root with a deviation", { user: "0:0", deviations: [{ setting: "user", reason: "vendor image" }] }],
    ["a *_FILE env key", { env: { DB_PASSWORD_FILE: "/run/secrets/db" } }],
    ["an AppArmor profile", { securityOpts: ["apparmor=docker-default"] }],
    ["a bind mount under /run/user", { bindMounts: [{ source: "/run/user/1000/app", target: "/app" }] }],
  ])("accepts %s", (_case, overrides) => {
    expect(() => resolveServiceSpec("svc-ok", { ...base, ...overrides })).not.toThrow();
  });
});
