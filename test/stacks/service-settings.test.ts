import { beforeEach, describe, expect, it } from "vitest";
import { ConfigError, type RawConfig } from "../../infra/config";
import { evaluateStack, withConfig, type Evaluation } from "../../infra/evaluate";
import { readStackFile, registered, settle } from "../../infra/offline";
import { envOf, freshRegistrations } from "../mocks";
import { promotedProd } from "./fixtures";
import { containers } from "./view";

/**
 * Every `services.<name>` setting (and the stack settings they meet) is honoured or refused in the
 * config phase: a refused config names each problem with its path, value and fix, and the program
 * registers nothing.
 */

const dev = (entries: Record<string, unknown>): ["dev", RawConfig] => [
  "dev",
  withConfig(readStackFile("dev"), entries),
];
const prod = (entries: Record<string, unknown>): ["prod", RawConfig] => ["prod", promotedProd(entries)];

const SECRET_FIX =
  'secrets never go in env or plain config: deliver it as a secret file read through a *_FILE variable (README, "Secrets")';
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

/** Runs the program as `pulumi preview` does; returns the config errors and what was registered. */
async function rejected([stack, raw]: ["dev" | "prod", RawConfig]): Promise<{
  errors: readonly string[];
  registered: number;
}> {
  let thrown: unknown;
  try {
    await evaluateStack(stack, raw);
  } catch (error) {
    thrown = error;
  }
  await settle();
  expect(thrown, "expected a ConfigError").toBeInstanceOf(ConfigError);
  return { errors: (thrown as ConfigError).errors, registered: registered().length };
}

describe("service settings the config phase refuses", () => {
  beforeEach(freshRegistrations);

  it.each<[string, ["dev" | "prod", RawConfig], string[]]>([
    [
      "rejects replicas of the cache, with the reason",
      dev({ services: { redis: { replicas: 3 } } }),
      [
        "shipyard:services.redis.replicas must be 1 for a stateful service (each replica would be a separate cache with its own memory and no replication, so clients would see misses and stale keys), got 3",
      ],
    ],
    [
      "rejects replicas of the database",
      dev({ services: { postgres: { replicas: 2 } } }),
      [
        "shipyard:services.postgres.replicas must be 1 for a stateful service (two servers would share one data directory (pgdata) and corrupt it), got 2",
      ],
    ],
    [
      "rejects replicas of the graph, monitoring and a backup",
      prod({ services: { graph: { replicas: 2 }, monitoring: { replicas: 2 }, backup: { replicas: 2 } } }),
      [
        "shipyard:services.graph.replicas must be 1 for a stateful service (two Neo4j servers would share one store (/data); Community has no clustering), got 2",
        "shipyard:services.monitoring.replicas must be 1 for a stateful service (two Prometheus servers would share one TSDB volume, which it locks), got 2",
        "shipyard:services.backup.replicas must be 1 for a stateful service (two schedulers would dump at the same time and prune each other's dumps), got 2",
      ],
    ],
    [
      "rejects 20000 replicas on the container target, which hung evaluation",
      dev({ services: { api: { replicas: 20000 } } }),
      [
        "shipyard:services.api.replicas must be at most 10 on the container target (one host starts container replicas one after the other; use target swarm for more), got 20000",
      ],
    ],
    [
      "rejects a million replicas on swarm",
      prod({ services: { api: { replicas: 1000000 } } }),
      [
        "shipyard:services.api.replicas must be at most 100 on the swarm target (more tasks than a Swarm of a few nodes can place; raise MAX_REPLICAS if yours is that big), got 1000000",
      ],
    ],
    [
      "rejects a dependency on the graph while the graph is off",
      dev({ features: { graph: false }, services: { web: { dependsOn: ["graph"] } } }),
      [
        'shipyard:services.web.dependsOn names graph, which does not run (shipyard:features.graph is off); turn it on or remove "graph"',
      ],
    ],
    [
      "rejects hot reload on the swarm target, naming both settings",
      dev({ target: "swarm" }),
      [
        'shipyard:hotReload cannot be honoured with shipyard:target "swarm": hot reload bind-mounts the API\'s source from this machine and a Swarm task may run on any node; set shipyard:hotReload to false, or shipyard:target to "container"',
      ],
    ],
    [
      "rejects memory below what each image starts with",
      dev({ services: { api: { memory: "6m" }, postgres: { memory: "6m" }, graph: { memory: "256m" } } }),
      [
        'shipyard:services.api.memory must be at least "64m" for the api image to start, got "6m"',
        'shipyard:services.postgres.memory must be at least "64m" for the postgres image to start, got "6m"',
        'shipyard:services.graph.memory must be at least "512m" for the graph image to start, got "256m"',
      ],
    ],
    [
      "rejects every invalid env key of a map at once",
      dev({ services: { api: { env: { "FOO BAR": "x", "1X": "y", "A=B": "z", OK: "fine" } } } }),
      [
        `shipyard:services.api.env.FOO BAR is not a valid variable name (letters, digits and '_', not starting with a digit), got "FOO BAR"; rename it`,
        `shipyard:services.api.env.1X is not a valid variable name (letters, digits and '_', not starting with a digit), got "1X"; rename it`,
        `shipyard:services.api.env.A=B is not a valid variable name (letters, digits and '_', not starting with a digit), got "A=B"; rename it`,
      ],
    ],
    [
      "rejects each port entry's every problem",
      dev({ services: { api: { ports: [{ host: 70000 }, { host: 9000 }] } } }),
      [
        "shipyard:services.api.ports.0.container is required: the port the process listens on inside the container",
        "shipyard:services.api.ports.0.host must be an integer from 1 to 65535, got 70000",
        "shipyard:services.api.ports.1.container is required: the port the process listens on inside the container",
      ],
    ],
    [
      "rejects prod publishing the database (SHIP-5), on either target",
      prod({ target: "container", services: { postgres: { ports: [{ host: 5432, container: 5432 }] } } }),
      [
        'shipyard:services.postgres.ports must not publish the database in prod (SHIP-5, CIS 5.9: data-tier ports stay on internal networks), got [{"host":5432,"container":5432}]; remove it and reach postgres through the API, or `docker exec`',
      ],
    ],
    [
      "rejects credentials inside env values, without echoing them",
      dev({
        services: {
          api: {
            env: {
              DATABASE_URL: "postgres://app:hunter2@db/app",
              DSN: "host=db password=hunter2",
              GH: `ghp_${"a".repeat(36)}`,
              AWS: "AKIAABCDEFGHIJKLMNOP",
              SLACK: "xoxb-123456789012-abc",
              SESSION: JWT,
            },
          },
        },
      }),
      [
        `shipyard:services.api.env.DATABASE_URL holds what looks like a URL with a password (value not shown); ${SECRET_FIX}`,
        `shipyard:services.api.env.DSN holds what looks like a password= setting (value not shown); ${SECRET_FIX}`,
        `shipyard:services.api.env.GH holds what looks like a GitHub token (value not shown); ${SECRET_FIX}`,
        `shipyard:services.api.env.AWS holds what looks like an AWS access key (value not shown); ${SECRET_FIX}`,
        `shipyard:services.api.env.SLACK holds what looks like a Slack token (value not shown); ${SECRET_FIX}`,
        `shipyard:services.api.env.SESSION holds what looks like a JSON Web Token (value not shown); ${SECRET_FIX}`,
      ],
    ],
    [
      "rejects env that would weaken a service",
      dev({
        services: {
          postgres: { env: { POSTGRES_HOST_AUTH_METHOD: "trust" } },
          redis: { env: { EXTRA: "--protected-mode no" } },
          graph: { env: { NEO4J_AUTH: "none", NEO4J_dbms_security_auth__enabled: "false" } },
        },
      }),
      [
        "shipyard:services.postgres.env.POSTGRES_HOST_AUTH_METHOD would weaken the service: `trust` lets any client in without the password; remove it",
        "shipyard:services.redis.env.EXTRA would weaken the service: `protected-mode no` lets clients in without authentication; remove it",
        "shipyard:services.graph.env.NEO4J_AUTH would weaken the service: `none` turns authentication off (the credentials come from NEO4J_AUTH_FILE); remove it",
        "shipyard:services.graph.env.NEO4J_dbms_security_auth__enabled would weaken the service: `false` turns authentication off; remove it",
      ],
    ],
    [
      "rejects env keys a service sets itself, naming them",
      dev({ services: { postgres: { env: { PGDATA: "/tmp" } }, web: { env: { API_UPSTREAM: "evil:80" } } } }),
      [
        "shipyard:services.postgres.env.PGDATA is set by the postgres service itself and its wiring relies on it; remove it",
        "shipyard:services.web.env.API_UPSTREAM is set by the web service itself and its wiring relies on it; remove it",
      ],
    ],
    [
      "rejects ports for a job that listens on none",
      prod({ services: { backup: { ports: [{ host: 9000, container: 9000 }] } } }),
      ["shipyard:services.backup.ports cannot be set: backup listens on no port; remove it"],
    ],
    [
      "rejects a port inside another service's per-replica range, naming both settings",
      dev({ services: { web: { replicas: 2 }, api: { ports: [{ host: 8081, container: 9229 }] } } }),
      [
        "shipyard:services.api.ports publishes host port 8081, already used by shipyard:webPort (replica 1 under shipyard:services.web.replicas)",
      ],
    ],
    [
      "rejects a missing third-party image in prod without calling it promoted",
      [
        "prod",
        promotedProd({ images: { api: "sha256:" + "a".repeat(64), web: "sha256:" + "b".repeat(64) } }),
      ],
      [
        "shipyard:images.postgres is required in prod: every image is pinned by digest there; set it to the upstream image by digest (<repo>:<tag>@sha256:<64 hex>), or promote dev's with `npm run promote -- --from dev --to <stack>`",
        "shipyard:images.redis is required in prod: every image is pinned by digest there; set it to the upstream image by digest (<repo>:<tag>@sha256:<64 hex>), or promote dev's with `npm run promote -- --from dev --to <stack>`",
        "shipyard:images.graph is required in prod: every image is pinned by digest there; set it to the upstream image by digest (<repo>:<tag>@sha256:<64 hex>), or promote dev's with `npm run promote -- --from dev --to <stack>`",
        "shipyard:images.monitoring is required in prod: every image is pinned by digest there; set it to the upstream image by digest (<repo>:<tag>@sha256:<64 hex>), or promote dev's with `npm run promote -- --from dev --to <stack>`",
      ],
    ],
  ])("%s", async (_name, config, errors) => {
    expect(await rejected(config)).toEqual({ errors, registered: 0 });
  });
});

/** A container's name, published ports and networks, as `containers()` shows them. */
function published(e: Evaluation, prefix: string): [string, string[], string[]][] {
  return Object.entries(containers(e.registrations))
    .filter(([name]) => name.startsWith(`${prefix}-`) && /-\d+$/.test(name))
    .map(([name, v]) => [name, v.ports, v.networks]);
}

const envIn = (e: Evaluation, container: string): Record<string, string> =>
  envOf(e.registrations.find((r) => r.name === container)!).env;

describe("service settings the stack honours", () => {
  beforeEach(freshRegistrations);

  it.each<[string, ["dev" | "prod", RawConfig], string, [string, string[], string[]][]]>([
    [
      "web replicas in dev, one host port per replica",
      dev({ services: { web: { replicas: 2 } } }),
      "web",
      [
        ["web-0", ["127.0.0.1:8080->8080"], ["shipyard-dev-edge as web,web-0"]],
        ["web-1", ["127.0.0.1:8081->8080"], ["shipyard-dev-edge as web,web-1"]],
      ],
    ],
    [
      "web replicas in prod on the container target",
      prod({ target: "container", services: { web: { replicas: 2 } } }),
      "web",
      [
        ["web-0", ["127.0.0.1:8080->8080"], ["shipyard-prod-edge as web,web-0"]],
        ["web-1", ["127.0.0.1:8081->8080"], ["shipyard-prod-edge as web,web-1"]],
      ],
    ],
    [
      "monitoring ports, as README suggests",
      dev({ services: { monitoring: { ports: [{ host: 9090, container: 9090 }] } } }),
      "monitoring",
      [["monitoring-0", ["127.0.0.1:9090->9090"], ["shipyard-dev-edge as monitoring,monitoring-0"]]],
    ],
    [
      "redis ports in dev, through the host-access network as postgres does",
      dev({ services: { redis: { ports: [{ host: 16379, container: 6379 }] } } }),
      "redis",
      [
        [
          "redis-0",
          ["127.0.0.1:16379->6379"],
          ["shipyard-dev-data as redis,redis-0", "shipyard-dev-host-access as redis,redis-0"],
        ],
      ],
    ],
    [
      "::1 as the publish address",
      dev({ publishAddress: "::1" }),
      "web",
      [["web-0", ["::1:8080->8080"], ["shipyard-dev-edge as web,web-0"]]],
    ],
  ])("honours %s", async (_name, [stack, raw], service, expected) => {
    const e = await evaluateStack(stack, raw);
    expect(published(e, service)).toEqual(expected);
  });

  it("honours ::1 in the stack's URL, in brackets", async () => {
    const e = await evaluateStack(...dev({ publishAddress: "::1" }));
    expect(e.outputs.url).toBe("http://[::1]:8080");
  });

  it("honours env on every service, merged into what the service sets", async () => {
    const extra = { EXTRA_SETTING: "on" };
    const all = Object.fromEntries(
      ["postgres", "redis", "graph", "api", "web", "monitoring", "backup", "graph-backup"].map((k) => [
        k,
        { env: extra },
      ]),
    );
    const e = await evaluateStack(
      ...prod({ target: "container", services: { ...all, api: { env: { ...extra, LOG_LEVEL: "debug" } } } }),
    );
    expect(envIn(e, "postgres-0")).toEqual({
      EXTRA_SETTING: "on",
      PGDATA: "/var/lib/postgresql/data/pgdata",
      POSTGRES_DB: "app",
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres-password",
      POSTGRES_USER: "app",
    });
    expect(envIn(e, "web-0")).toEqual({ API_UPSTREAM: "api:8080", EXTRA_SETTING: "on" });
    // The API's defaults are config's to override.
    expect([envIn(e, "api-0").LOG_LEVEL, envIn(e, "api-0").CACHE_TTL_SECONDS]).toEqual(["debug", "30"]);
    for (const c of ["redis-0", "graph-0", "api-0", "monitoring-0", "backup-0", "graph-backup-0"])
      expect(envIn(e, c).EXTRA_SETTING, c).toBe("on");
  });

  it("honours dependsOn on every service: its containers wait for the named service's", async () => {
    const e = await evaluateStack(
      ...dev({ services: { redis: { dependsOn: ["postgres"] }, monitoring: { dependsOn: ["redis"] } } }),
    );
    const urn = (name: string) => e.registrations.find((r) => r.name === name)!.urn;
    const deps = (name: string) => e.registrations.find((r) => r.name === name)!.options.dependencies;
    expect([
      deps("redis-0").includes(urn("postgres-0")),
      deps("monitoring-0").includes(urn("redis-0")),
    ]).toEqual([true, true]);
    expect(deps("postgres-0").includes(urn("redis-0"))).toBe(false);
  });

  it("honours prod without the graph, demanding no graph image", async () => {
    const raw = promotedProd({ features: { graph: false } });
    const images = JSON.parse(raw.images!.value) as Record<string, string>;
    delete images.graph;
    const e = await evaluateStack("prod", withConfig(raw, { images }));
    expect(Object.keys(e.images).sort()).toEqual(["api", "monitoring", "postgres", "redis", "web"]);
  });
});
