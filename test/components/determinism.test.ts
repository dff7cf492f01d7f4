import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { PostgresBackup } from "../../components/postgres-backup";
import { PostgresDatabase } from "../../components/postgres-database";
import { Prometheus } from "../../components/prometheus";
import { RedisCache } from "../../components/redis-cache";
import { Secret } from "../../components/secret";
import { Service } from "../../components/service";
import { Volume } from "../../components/volume";
import { registered } from "../../infra/offline";
import { resetRegistrations, settle } from "../mocks";

const context = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-determinism-"));
fs.writeFileSync(path.join(context, "Dockerfile"), "FROM node:20-alpine\nCOPY . .\n");
fs.writeFileSync(path.join(context, "index.js"), "console.log('api');\n");
afterAll(() => {
  fs.rmSync(context, { recursive: true, force: true });
});

/** A small system using every component, registered from scratch; returns what was registered. */
async function build(): Promise<{ urn: string; custom: boolean }[]> {
  await settle();
  resetRegistrations();
  const postgresImage = new Image("det-postgres", { ref: `postgres:16.4-alpine@sha256:${"ef".repeat(32)}` });
  const redisImage = new Image("det-redis", { ref: "redis:7.4-alpine", pinning: "tag" });
  const apiImage = new Image("det-api", { build: { context, repository: "det-api" } });
  const data = new Network("det-data", { internal: true, tier: "data" });
  const edge = new Network("det-edge", { tier: "edge" });
  const db = new PostgresDatabase("det-db", {
    image: postgresImage,
    network: data,
    volume: new Volume("det-pgdata"),
  });
  const cache = new RedisCache("det-cache", { image: redisImage, network: data });
  const token = new Secret("det-token");
  const api = new Service("det-api", {
    image: apiImage,
    networks: [edge],
    replicas: 2,
    connections: [db, cache],
    secrets: [{ secret: token, env: "API_TOKEN_FILE" }],
    files: [{ path: "/etc/api/config.json", content: '{"level":"info"}' }],
    healthcheck: { test: ["CMD", "/app/healthcheck"] },
  });
  new Prometheus("det-prom", {
    image: redisImage,
    networks: [edge],
    volume: new Volume("det-tsdb"),
    targets: [{ service: api, port: 8080 }],
  });
  new PostgresBackup("det-backup", { database: db, image: postgresImage, volume: new Volume("det-dumps") });
  await settle();
  // Sorted by URN: the engine orders by dependencies, not by the order registrations arrive in.
  return [...registered()]
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0))
    .map((r) => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parent,
      custom: r.custom,
      inputs: r.inputs,
      options: r.options,
    }));
}

describe("determinism", () => {
  it("registers the same resources with the same inputs and options when built twice", async () => {
    const first = await build();
    const second = await build();

    // 26 components (presets and each service's file-carrier image included) and 33 provider
    // resources (the carriers and image builds among them), each URN once.
    expect([first.filter((r) => !r.custom).length, first.filter((r) => r.custom).length]).toEqual([26, 33]);
    expect(new Set(first.map((r) => r.urn)).size).toBe(first.length);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});
