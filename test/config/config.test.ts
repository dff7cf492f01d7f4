import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultPlatform, parseConfig, type RawConfig } from "../../infra/config";
import { readStackFile } from "../../infra/offline";
import { resolveStack } from "../../infra/program";
import { findCycle } from "../../stacks/catalog";

const DIGEST = `sha256:${"a".repeat(64)}`;

/** Raw config as Pulumi hands it over: scalars as strings, objects as JSON. */
function raw(entries: Record<string, unknown>, secretKeys: string[] = []): RawConfig {
  const result: Record<string, { value: string; secret: boolean }> = {};
  for (const [key, value] of Object.entries(entries)) {
    result[key] = {
      value: typeof value === "string" ? value : JSON.stringify(value),
      secret: secretKeys.includes(key),
    };
  }
  return result;
}

const PROD_IMAGES = {
  api: `api@${DIGEST}`,
  web: DIGEST,
  postgres: `postgres:16.15-alpine@${DIGEST}`,
  redis: `redis:7.4.11-alpine@${DIGEST}`,
  graph: `neo4j:5.26.30-community@${DIGEST}`,
  monitoring: `prom/prometheus:v3.5.0@${DIGEST}`,
};

describe("parseConfig accepts", () => {
  it("a minimal dev config and fills every default", () => {
    expect(parseConfig(raw({ environment: "dev" }), "dev")).toEqual({
      ok: true,
      config: {
        environment: "dev",
        target: undefined,
        dockerHost: "unix:///var/run/docker.sock",
        namePrefix: "shipyard-dev",
        publishAddress: "127.0.0.1",
        webPort: 8080,
        // This machine's architecture: the default local engine's.
        platform: defaultPlatform(process.arch),
        features: {},
        images: {},
        services: {},
        backup: { intervalMinutes: 1440, retention: 7 },
        suppliedSecrets: [],
      },
    });
  });

  it.each([
    [
      "a full dev config",
      raw({
        environment: "dev",
        target: "container",
        webPort: "9090",
        publishAddress: "10.0.0.5",
        features: { graph: true },
        services: { api: { replicas: 2, memory: "1g", cpus: "1.5", env: { FEATURE_X: "on" } } },
      }),
    ],
    ["prod with every image pinned by digest", raw({ environment: "prod", images: PROD_IMAGES })],
    [
      "a supplied secret stored encrypted",
      raw({ environment: "dev", postgresPassword: "ciphertext" }, ["postgresPassword"]),
    ],
    [
      "a project-level default scalar (webPort as the CLI passes it)",
      raw({ environment: "dev", webPort: "8081" }),
    ],
  ])("%s", (_name, config) => {
    const result = parseConfig(config, "s");
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});

describe("parseConfig rejects", () => {
  it.each<[string, RawConfig, string[]]>([
    ["a missing environment", raw({}), ["shipyard:environment is required"]],
    [
      "an unknown environment",
      raw({ environment: "staging" }),
      ['shipyard:environment must be one of "dev", "prod", got "staging"'],
    ],
    [
      "a platform Docker does not build for",
      raw({ environment: "dev", platform: "darwin/arm64" }),
      [
        'shipyard:platform must be the Docker host\'s OS/architecture such as "linux/amd64" or "linux/arm64", got "darwin/arm64"',
      ],
    ],
    [
      "a backup interval past a week, which the graph's export tool cannot wait",
      raw({ environment: "dev", backup: { intervalMinutes: 10_081 } }),
      ["shipyard:backup.intervalMinutes must be from 5 to 10080 (a week), got 10081"],
    ],
    [
      "an image for the graph backup, which runs the api image",
      raw({ environment: "dev", images: { "graph-backup": "shipyard-api:1" } }),
      [
        "shipyard:images.graph-backup cannot be set: graph-backup runs the api image, so both run the same version; remove it and set shipyard:images.api",
      ],
    ],
    [
      "an image for the backup, which runs the postgres image",
      raw({ environment: "dev", images: { backup: "postgres:15-alpine" } }),
      [
        "shipyard:images.backup cannot be set: backup runs the postgres image, so both run the same version; remove it and set shipyard:images.postgres",
      ],
    ],
    [
      "unknown keys at every level",
      raw({ environment: "dev", replica: 2, features: { grpah: true }, services: { api: { memroy: "1g" } } }),
      [
        "shipyard:features.grpah is not a known setting; remove it (check the spelling against Pulumi.yaml)",
        "shipyard:services.api.memroy is not a known setting; remove it (check the spelling against Pulumi.yaml)",
        "shipyard:replica is not a known setting; remove it (check the spelling against Pulumi.yaml)",
      ],
    ],
    [
      "malformed memory and CPU strings",
      raw({
        environment: "dev",
        services: { api: { memory: "512", cpus: "half" }, redis: { memory: "1.5GiBs" } },
      }),
      [
        'shipyard:services.api.memory must be a size with a unit such as "512m" or "1g", got "512"',
        'shipyard:services.api.cpus must be a decimal number of CPUs such as "0.5" or "2", got "half"',
        'shipyard:services.redis.memory must be a size with a unit such as "512m" or "1g", got "1.5GiBs"',
      ],
    ],
    [
      "ports out of range and privileged host ports",
      raw({
        environment: "dev",
        webPort: "80",
        services: { postgres: { ports: [{ host: 70000, container: 5432 }] } },
      }),
      [
        "shipyard:webPort must be 1025 or above (CIS 5.8: no privileged host ports), got 80; publish a high port and let a proxy or firewall map it",
        "shipyard:services.postgres.ports.0.host must be an integer from 1 to 65535, got 70000",
      ],
    ],
    [
      "duplicate host ports",
      raw({ environment: "dev", webPort: "5432" }),
      ["shipyard:services.postgres.ports publishes host port 5432, already used by shipyard:webPort"],
    ],
    [
      "an unknown service referenced",
      raw({
        environment: "dev",
        services: { worker: { replicas: 1 }, api: { dependsOn: ["queue"] } },
        images: { cron: "cron:1" },
      }),
      [
        'shipyard:services.worker names an unknown service "worker"; known services: postgres, redis, graph, api, web, monitoring, backup, graph-backup',
        'shipyard:services.api.dependsOn names an unknown service "queue"; known services: postgres, redis, graph, api, web, monitoring, backup, graph-backup',
        'shipyard:images.cron names an unknown service "cron"; known services: postgres, redis, graph, api, web, monitoring, backup, graph-backup',
      ],
    ],
    [
      "a dependency cycle, with its path",
      raw({ environment: "dev", services: { postgres: { dependsOn: ["web"] } } }),
      [
        "shipyard:services dependencies form a cycle: api → postgres → web → api; remove one of these dependsOn entries",
      ],
    ],
    [
      "names that are not DNS labels",
      raw({ environment: "dev", namePrefix: "Shipyard_Dev", services: { API: { replicas: 1 } } }),
      [
        `shipyard:namePrefix must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-'), got "Shipyard_Dev"`,
        `shipyard:services.API: service name must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-'), got "API"`,
        'shipyard:services.API names an unknown service "API"; known services: postgres, redis, graph, api, web, monitoring, backup, graph-backup',
      ],
    ],
    [
      "a secret given as plain config, and a secret-looking env value",
      raw({
        environment: "dev",
        redisPassword: "hunter2",
        services: { api: { env: { STRIPE_API_KEY: "sk_live" } } },
      }),
      [
        "shipyard:redisPassword is a secret but is stored in plain text; run `pulumi config set --secret redisPassword <value>`",
        'shipyard:services.api.env.STRIPE_API_KEY looks like a secret; secrets never go in env or plain config: deliver it as a secret file read through a *_FILE variable (README, "Secrets")',
      ],
    ],
    [
      "latest, untagged and tag-only images in prod, and missing promoted images",
      raw({
        environment: "prod",
        images: {
          ...PROD_IMAGES,
          api: undefined,
          postgres: "postgres:latest",
          redis: "redis",
          graph: "neo4j:5.26.30-community",
        },
      }),
      [
        "shipyard:images.api is required in prod: it runs images promoted from dev; run `npm run promote -- --from dev --to <stack>`",
        'shipyard:images.postgres must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got "postgres:latest"; promote a tested image with `npm run promote`',
        'shipyard:images.redis must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got "redis"; promote a tested image with `npm run promote`',
        'shipyard:images.graph must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got "neo4j:5.26.30-community"; promote a tested image with `npm run promote`',
      ],
    ],
    [
      "a name prefix too long for the Docker names built from it",
      raw({ environment: "dev", namePrefix: "a-very-long-name-prefix-for-docker" }),
      [
        'shipyard:namePrefix "a-very-long-name-prefix-for-docker" is 34 characters; Docker names built from it (the longest: a-very-long-name-prefix-for-docker-monitoring-config-0-<12 hex>) must fit in 63, so use at most 30: set shipyard:namePrefix to a shorter DNS label',
      ],
    ],
    [
      "a malformed image reference in dev",
      raw({ environment: "dev", images: { redis: "Redis::7" } }),
      [
        'shipyard:images.redis is not an image reference (repo[:tag][@sha256:<64 hex>] or sha256:<64 hex>), got "Redis::7"',
      ],
    ],
    [
      "wrong types, a bad address, host and backup settings",
      raw({
        environment: "dev",
        webPort: "eighty",
        publishAddress: "0.0.0.0",
        dockerHost: "/var/run/docker.sock",
        backup: { intervalMinutes: 1, retention: 0 },
        target: "k8s",
      }),
      [
        'shipyard:target must be one of "container", "swarm", got "k8s"',
        'shipyard:webPort must be a number, got "eighty"',
        'shipyard:publishAddress must name one interface (CIS 5.14), got "0.0.0.0"; use the host\'s public address or 127.0.0.1',
        'shipyard:dockerHost must be a Docker host URL (unix://, tcp://, ssh://), got "/var/run/docker.sock"',
        "shipyard:backup.intervalMinutes must be from 5 to 10080 (a week), got 1",
        "shipyard:backup.retention must be from 1 to 365 backups, got 0",
      ],
    ],
  ])("%s", (_name, config, errors) => {
    expect(parseConfig(config, "s")).toEqual({ ok: false, errors });
  });
});

describe("resolveStack", () => {
  it("rejects bad config with a ConfigError listing every problem, before any resource exists", () => {
    let thrown: unknown;
    try {
      resolveStack(raw({ environment: "dev", webPort: "80", services: { api: { replicas: 0 } } }), "dev");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toBe(
      [
        "Invalid stack config (2 problems); nothing was deployed:",
        "  - shipyard:webPort must be 1025 or above (CIS 5.8: no privileged host ports), got 80; publish a high port and let a proxy or firewall map it",
        "  - shipyard:services.api.replicas must be an integer ≥ 1, got 0",
      ].join("\n"),
    );
  });

  it("rejects a long stack name through the default prefix, naming the fix", () => {
    const result = parseConfig(raw({ environment: "dev" }), "feature-branch-with-a-long-name");
    expect(result.ok ? [] : result.errors).toEqual([
      'shipyard:namePrefix "shipyard-feature-branch-with-a-long-name" is 40 characters; Docker names built from it (the longest: shipyard-feature-branch-with-a-long-name-monitoring-config-0-<12 hex>) must fit in 63, so use at most 30: set shipyard:namePrefix to a shorter DNS label',
    ]);
  });

  it("selects the profile from `environment`, so any stack name works", () => {
    const { profile } = resolveStack(raw({ environment: "prod", images: PROD_IMAGES }), "prod-eu");
    expect([profile.environment, profile.namePrefix, profile.pinning, profile.services.api.replicas]).toEqual(
      ["prod", "shipyard-prod-eu", "digest", 3],
    );
  });
});

describe("findCycle", () => {
  it.each<[Record<string, string[]>, string[] | undefined]>([
    [{ a: ["b"], b: [] }, undefined],
    [{ a: ["a"] }, ["a", "a"]],
    [{ a: ["b"], b: ["c"], c: ["a"] }, ["a", "b", "c", "a"]],
    [{ x: [], a: ["b"], b: ["x", "a"] }, ["a", "b", "a"]],
  ])("%j → %j", (graph, cycle) => {
    expect(findCycle(graph)).toEqual(cycle);
  });
});

// The provider warned "Building your image for linux/amd64 architecture" on every run: images are
// built for a named platform, by default the machine's own (the local engine's).
describe("defaultPlatform", () => {
  it.each([
    ["x64", "linux/amd64"],
    ["arm64", "linux/arm64"],
    ["arm", "linux/arm/v7"],
    ["ppc64", "linux/ppc64le"],
  ])("builds for %s as %s", (arch, platform) => {
    expect(defaultPlatform(arch)).toBe(platform);
  });
});

describe("readStackFile", () => {
  it("rejects a stack file that is not YAML, naming the file", () => {
    const root = mkdtempSync(path.join(tmpdir(), "shipyard-yaml-"));
    const file = path.join(root, "Pulumi.broken.yaml");
    writeFileSync(file, "config:\n  shipyard:environment: dev\n    bad: indent\n");
    expect(() => readStackFile("broken", root)).toThrow(new RegExp(`^${file.replace(/\./g, "\\.")}: `));
  });
});
