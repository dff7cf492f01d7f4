import { beforeAll, describe, expect, it } from "vitest";
import { evaluateStack, type Evaluation } from "../../infra/evaluate";
import { labelsOf, unwrapSecret, type Registration } from "../mocks";
import { promotedProd } from "./fixtures";

type SwarmInputs = {
  name: string;
  mode: { replicated: { replicas: number } };
  updateConfig: Record<string, unknown>;
  rollbackConfig: Record<string, unknown>;
  convergeConfig: Record<string, unknown>;
  endpointSpec: { ports: Record<string, unknown>[] };
  taskSpec: {
    containerSpec: {
      user: string;
      readOnly: boolean;
      capDrops: string[];
      secrets: { fileName: string; fileMode: number; fileUid: string; secretName: string }[];
      configs: { fileName: string; fileMode: number }[];
      env: Record<string, string>;
    };
    resources: { limits: { memoryBytes: number; nanoCpus: number } };
    restartPolicy: Record<string, unknown>;
    placement?: { constraints: string[] };
    logDriver: Record<string, unknown>;
  };
};

function swarmServices(e: Evaluation): Record<string, SwarmInputs> {
  const result: Record<string, SwarmInputs> = {};
  for (const r of e.registrations)
    if (r.type === "docker:index/service:Service") result[r.name] = r.inputs as SwarmInputs;
  return result;
}

describe("prod on swarm (the default target)", () => {
  let prod: Evaluation;
  let services: Record<string, SwarmInputs>;
  beforeAll(async () => {
    prod = await evaluateStack("prod", promotedProd());
    services = swarmServices(prod);
  });

  it("registers one swarm service per service, overlay networks and content-named secrets, and no containers", () => {
    const kinds = (type: string) => prod.registrations.filter((r) => r.type === type).map((r) => r.name);
    expect(kinds("docker:index/container:Container")).toEqual([]);
    expect(Object.keys(services).sort()).toEqual([
      "api",
      "backup",
      "graph",
      "graph-backup",
      "monitoring",
      "postgres",
      "redis",
      "web",
    ]);
    expect(kinds("docker:index/secret:Secret").sort()).toEqual([
      "graph-auth",
      "graph-password",
      "postgres-password",
      "redis-conf",
      "redis-password",
    ]);
    expect(kinds("docker:index/serviceConfig:ServiceConfig").sort()).toEqual([
      "backup-config-0",
      "backup-config-1",
      "monitoring-config-0",
    ]);
    const networks = prod.registrations.filter((r) => r.type === "docker:index/network:Network");
    expect(
      networks.map((n) => [n.inputs.name, n.inputs.driver, n.inputs.attachable, n.inputs.internal]),
    ).toEqual([
      ["shipyard-prod-edge", "overlay", true, false],
      ["shipyard-prod-data", "overlay", true, true],
    ]);
  });

  it("rolls every service one task at a time, rolls back on failure and converges before `up` returns", () => {
    const rollout = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [
        name,
        [s.mode.replicated.replicas, s.updateConfig.order, s.updateConfig.monitor, s.convergeConfig.timeout],
      ]),
    );
    expect(rollout).toEqual({
      postgres: [1, "stop-first", "1m20s", "180s"],
      graph: [1, "stop-first", "3m", "280s"],
      redis: [1, "stop-first", "35s", "135s"],
      backup: [1, "stop-first", "2m30s", "250s"],
      api: [3, "start-first", "1m", "360s"],
      web: [1, "stop-first", "40s", "140s"],
      monitoring: [1, "stop-first", "1m5s", "165s"],
      "graph-backup": [1, "stop-first", "2m30s", "250s"],
    });
    for (const s of Object.values(services)) {
      expect(s.updateConfig).toMatchObject({
        parallelism: 1,
        delay: "10s",
        failureAction: "rollback",
        maxFailureRatio: "0",
      });
      expect(s.rollbackConfig).toMatchObject({
        parallelism: 1,
        delay: "0s",
        failureAction: "pause",
        order: s.updateConfig.order,
      });
      expect(s.convergeConfig.delay).toBe("7s");
      expect(s.taskSpec.restartPolicy).toEqual({
        condition: "any",
        delay: "5s",
        window: "2m",
      });
      expect(s.taskSpec.logDriver).toEqual({
        name: "json-file",
        options: { "max-size": "10m", "max-file": "3" },
      });
    }
  });

  it("sets resources in bytes and nano-CPUs from the same strings as the container target", () => {
    const limits = Object.fromEntries(
      Object.entries(services).map(([n, s]) => [n, s.taskSpec.resources.limits]),
    );
    expect(limits).toEqual({
      postgres: { memoryBytes: 1073741824, nanoCpus: 1_000_000_000 },
      graph: { memoryBytes: 2147483648, nanoCpus: 1_000_000_000 },
      redis: { memoryBytes: 268435456, nanoCpus: 500_000_000 },
      backup: { memoryBytes: 134217728, nanoCpus: 250_000_000 },
      api: { memoryBytes: 268435456, nanoCpus: 500_000_000 },
      web: { memoryBytes: 67108864, nanoCpus: 250_000_000 },
      monitoring: { memoryBytes: 536870912, nanoCpus: 500_000_000 },
      "graph-backup": { memoryBytes: 268435456, nanoCpus: 250_000_000 },
    });
  });

  it("mounts secrets read-only for the service's user and configs world-readable", () => {
    const api = services.api!.taskSpec.containerSpec;
    expect(
      api.secrets.map((s) => [
        s.fileName,
        s.fileMode,
        s.fileUid,
        s.secretName.replace(/[a-f0-9]{12}$/, "<hash>"),
      ]),
    ).toEqual([
      ["/run/secrets/postgres-password", 0o400, "10001", "shipyard-prod-postgres-password-<hash>"],
      ["/run/secrets/redis-password", 0o400, "10001", "shipyard-prod-redis-password-<hash>"],
      ["/run/secrets/graph-password", 0o400, "10001", "shipyard-prod-graph-password-<hash>"],
    ]);
    expect(services.backup!.taskSpec.containerSpec.configs.map((c) => [c.fileName, c.fileMode])).toEqual([
      ["/run/config/backup.sh", 0o444],
      ["/run/config/restore.sh", 0o444],
    ]);
    const secret = prod.registrations.find(
      (r) => r.type === "docker:index/secret:Secret" && r.name === "postgres-password",
    )!;
    expect(unwrapSecret(secret.inputs.data).secret).toBe(true);
    expect(api.env).toMatchObject({
      DATABASE_PASSWORD_FILE: "/run/secrets/postgres-password",
      REDIS_PASSWORD_FILE: "/run/secrets/redis-password",
    });
  });

  it("pins stateful services to the labelled data node and publishes only the web, on its node's port", () => {
    const placement = Object.fromEntries(
      Object.entries(services).map(([n, s]) => [n, s.taskSpec.placement?.constraints ?? []]),
    );
    const pinned = ["node.labels.shipyard.data == true"];
    expect(placement).toEqual({
      postgres: pinned,
      graph: pinned,
      redis: pinned,
      backup: pinned,
      api: [],
      web: [],
      monitoring: pinned,
      "graph-backup": pinned,
    });
    const published = Object.entries(services).filter(([, s]) => s.endpointSpec.ports.length > 0);
    expect(published.map(([n, s]) => [n, s.endpointSpec.ports])).toEqual([
      ["web", [{ targetPort: 8080, publishedPort: 8080, protocol: "tcp", publishMode: "host" }]],
    ]);
  });

  it("keeps every service hardened: non-root, read-only root, ALL capabilities dropped", () => {
    const hardening = Object.fromEntries(
      Object.entries(services).map(([n, s]) => [
        n,
        [s.taskSpec.containerSpec.user, s.taskSpec.containerSpec.readOnly, s.taskSpec.containerSpec.capDrops],
      ]),
    );
    expect(hardening).toEqual({
      postgres: ["70:70", true, ["ALL"]],
      graph: ["7474:7474", true, ["ALL"]],
      redis: ["999:1000", true, ["ALL"]],
      backup: ["70:70", true, ["ALL"]],
      api: ["10001:10001", true, ["ALL"]],
      web: ["101:101", true, ["ALL"]],
      monitoring: ["65534:65534", true, ["ALL"]],
      "graph-backup": ["1000:1000", true, ["ALL"]],
    });
  });

  it("creates a dependent swarm service only after its dependencies (health-gated through convergence)", () => {
    const byName = (name: string): Registration =>
      prod.registrations.find((r) => r.type === "docker:index/service:Service" && r.name === name)!;
    const dependsOnServices = (name: string) =>
      byName(name)
        .options.dependencies.filter((urn) => urn.includes("docker:index/service:Service"))
        .map((urn) => urn.split("::").pop());
    expect(dependsOnServices("api")).toEqual(["postgres", "redis", "graph"]);
    expect(dependsOnServices("graph-backup")).toEqual(["graph"]);
    expect(dependsOnServices("web")).toEqual(["api"]);
    expect(dependsOnServices("backup")).toEqual(["postgres"]);
    expect(dependsOnServices("postgres")).toEqual([]);
    expect(labelsOf(byName("api"))["shipyard.service"]).toBe("api");
  });
});

describe("secret rotation on swarm", () => {
  async function postgresSecretName(password: string): Promise<{ secret: string; mounted: string[] }> {
    const raw = promotedProd();
    const e = await evaluateStack("prod", { ...raw, postgresPassword: { value: password, secret: true } });
    const secret = e.registrations.find(
      (r) => r.type === "docker:index/secret:Secret" && r.name === "postgres-password",
    )!;
    const services = swarmServices(e);
    return {
      secret: String(secret.inputs.name),
      mounted: ["postgres", "api", "backup"].map(
        (s) =>
          services[s]!.taskSpec.containerSpec.secrets.find(
            (x) => x.fileName === "/run/secrets/postgres-password",
          )!.secretName,
      ),
    };
  }

  it("gives a changed value a new secret name, and every consuming service is updated to mount it", async () => {
    const before = await postgresSecretName("first-value-0123456789");
    const after = await postgresSecretName("second-value-0123456789");
    expect(before.secret).toMatch(/^shipyard-prod-postgres-password-[a-f0-9]{12}$/);
    expect(after.secret).not.toBe(before.secret);
    expect(before.mounted).toEqual([before.secret, before.secret, before.secret]);
    expect(after.mounted).toEqual([after.secret, after.secret, after.secret]);
  });
});
