import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { REDIS_UID, RedisCache, redisMaxMemory } from "../../components/redis-cache";
import { Secret } from "../../components/secret";
import { Service } from "../../components/service";
import { registered } from "../../infra/offline";
import {
  CONTAINER,
  RANDOM_PASSWORD,
  child,
  envOf,
  expectThrowsExactly,
  labelsOf,
  promiseOf,
  settle,
  unwrapSecret,
  freshRegistrations,
  mockPassword,
  carrierOf,
  filesVolumes,
} from "../mocks";

const REF = `redis:7.4-alpine@sha256:${"34".repeat(32)}`;
const conf = (password: string, maxmemory: string): string =>
  `requirepass ${password}\nmaxmemory ${maxmemory}\nmaxmemory-policy allkeys-lru\nsave ""\nappendonly no\nprotected-mode yes\n`;

function fixture(prefix: string): { image: Image; network: Network } {
  return { image: new Image(`${prefix}-img`, { ref: REF }), network: new Network(`${prefix}-net`) };
}

describe("redisMaxMemory", () => {
  it.each([
    ["128m", "96m"],
    ["256m", "192m"],
    ["100m", "75m"],
    ["1g", "768m"],
    ["2g", "1536m"],
    ["4g", "3g"],
    ["6m", "4m"],
  ])("gives Redis 75%% of %s: %s", (memory, maxmemory) => {
    expect(redisMaxMemory(memory)).toBe(maxmemory);
  });

  it("rejects a memory limit without a unit", () => {
    expectThrowsExactly(
      () => redisMaxMemory("128"),
      'RedisCache: `memory` must be a size with a unit such as "512m" or "1g", got "128"',
    );
  });
});

describe("RedisCache", () => {
  beforeEach(freshRegistrations);

  it("runs redis with a password-protected config file, no persistence and an LRU limit at 75% of memory", async () => {
    const cache = new RedisCache("cache-min", fixture("cache-min"));
    await settle();

    const password = mockPassword("cache-min-password");
    expect(child(RANDOM_PASSWORD, "cache-min-password").inputs).toEqual({ length: 32, special: false });
    const container = child(CONTAINER, "cache-min-0");
    expect(unwrapSecret(carrierOf("cache-min").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/cache-min-conf",
          content: conf(password, "96m"),
          owner: "999",
          group: "1000",
          permissions: "0400",
        },
        {
          file: "/run/secrets/cache-min-password",
          content: password,
          owner: "999",
          group: "1000",
          permissions: "0400",
        },
      ],
    });
    const {
      command,
      envs,
      user,
      readOnly,
      tmpfs,
      memory,
      memorySwap,
      cpus,
      healthcheck,
      mounts,
      volumes,
      networksAdvanced,
    } = container.inputs;
    expect({
      command,
      envs,
      user,
      readOnly,
      tmpfs,
      memory,
      memorySwap,
      cpus,
      healthcheck,
      mounts,
      volumes,
      networksAdvanced,
    }).toEqual({
      command: ["redis-server", "/run/secrets/cache-min-conf"],
      envs: [],
      user: "999:1000",
      readOnly: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m", "/data": "rw,noexec,nosuid,size=16m" },
      memory: 128,
      memorySwap: 128,
      cpus: "0.25",
      healthcheck: {
        tests: [
          "CMD-SHELL",
          'REDISCLI_AUTH="$(cat /run/secrets/cache-min-password)" redis-cli ping | grep -q PONG',
        ],
        interval: "5s",
        timeout: "3s",
        retries: 5,
        startPeriod: "10s",
      },
      mounts: [],
      volumes: filesVolumes("cache-min"),
      networksAdvanced: [{ name: "cache-min-net", aliases: ["cache-min", "cache-min-0"] }],
    });
    expect(labelsOf(container)).toEqual({
      "shipyard.replica": "0",
      "shipyard.role": "cache",
      "shipyard.service": "cache-min",
      "shipyard.stateful": "true",
    });
    expect(REDIS_UID).toBe("999:1000");
    expect(await promiseOf(cache.password.value)).toBe(password);
  });

  it("keeps the password out of env, command and healthcheck", async () => {
    new RedisCache("cache-leak", fixture("cache-leak"));
    await settle();
    const plain = Object.entries(child(CONTAINER, "cache-leak-0").inputs);
    expect(plain.map(([key]) => key)).toContain("envs");
    expect(JSON.stringify(plain).includes(mockPassword("cache-leak-password"))).toBe(false);
  });

  it("sizes maxmemory from the given memory and uses a given password", async () => {
    const password = new Secret("cache-big-pw", { value: "given-redis-pw" });
    new RedisCache("cache-big", { ...fixture("cache-big"), password, memory: "256m", cpus: "0.5" });
    await settle();

    expect(unwrapSecret(carrierOf("cache-big").inputs.uploads).value).toEqual([
      {
        file: "/run/secrets/cache-big-conf",
        content: conf("given-redis-pw", "192m"),
        owner: "999",
        group: "1000",
        permissions: "0400",
      },
      {
        file: "/run/secrets/cache-big-pw",
        content: "given-redis-pw",
        owner: "999",
        group: "1000",
        permissions: "0400",
      },
    ]);
    const container = child(CONTAINER, "cache-big-0");
    expect([container.inputs.memory, container.inputs.cpus]).toEqual([256, "0.5"]);
    expect(registered().filter((r) => r.type === RANDOM_PASSWORD)).toEqual([]);
  });

  it("offers consumers the host, port and the password file", async () => {
    const parts = fixture("cache-conn");
    const cache = new RedisCache("cache-conn", parts);
    const { connection } = cache;
    expect(connection.service).toBe(cache.service);
    expect(connection.network).toBe(parts.network);
    expect(connection.env).toEqual({ REDIS_HOST: "cache-conn", REDIS_PORT: "6379" });
    expect(connection.secrets.map((s) => [s.secret, s.env])).toEqual([
      [cache.password, "REDIS_PASSWORD_FILE"],
    ]);
    expect(await pulumi.isSecret(cache.password.value)).toBe(true);
  });

  it("gives a connected service the redis env and password file", async () => {
    const parts = fixture("cache-use");
    const cache = new RedisCache("cache-use", parts);
    new Service("cache-use-api", {
      image: parts.image,
      networks: [parts.network],
      connections: [cache],
      healthcheck: { test: ["CMD", "true"] },
    });
    await settle();

    const api = child(CONTAINER, "cache-use-api-0");
    expect(envOf(api).env).toEqual({
      REDIS_HOST: "cache-use",
      REDIS_PASSWORD_FILE: "/run/secrets/cache-use-password",
      REDIS_PORT: "6379",
    });
    expect(unwrapSecret(carrierOf("cache-use-api").inputs.uploads).value).toEqual([
      {
        file: "/run/secrets/cache-use-password",
        content: mockPassword("cache-use-password"),
        owner: "10001",
        group: "10001",
        permissions: "0400",
      },
    ]);
    expect(api.options.dependencies).toContain(child(CONTAINER, "cache-use-0").urn);
  });

  it("rejects a memory limit without a unit", () => {
    expectThrowsExactly(
      () => new RedisCache("cache-bad", { ...fixture("cache-bad"), memory: "128" }),
      'RedisCache: `memory` must be a size with a unit such as "512m" or "1g", got "128"',
    );
  });
});
