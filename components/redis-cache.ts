import * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import { Secret } from "./secret";
import { presetEnv, presetSecret, presetServiceArgs, type PresetArgs } from "./preset";
import { Service, type Connectable, type Connection } from "./service";
import { formatMemory, parseMemory } from "./units";

/** How a {@link RedisCache} runs. */
export interface RedisCacheArgs extends PresetArgs {
  /** A `redis:<version>-alpine` image. */
  readonly image: Image;
  /** The data-tier network consumers share with the cache. */
  readonly network: Network;
  /** @default - a generated 32-character secret */
  readonly password?: Secret;
  /**
   * Container memory limit; Redis' own `maxmemory` is set to 75% of it so eviction happens before
   * the kernel's OOM killer does.
   *
   * @default "128m"
   */
  readonly memory?: string;
  /** @default "0.25" */
  readonly cpus?: string;
}

/** Env that would weaken Redis: it takes its settings only from the generated redis.conf. */
export const REDIS_RULES = {
  weakening: {
    REDIS_ARGS: "extra server flags could override the generated redis.conf (requirepass, protected-mode)",
    REDIS_EXTRA_FLAGS:
      "extra server flags could override the generated redis.conf (requirepass, protected-mode)",
    ALLOW_EMPTY_PASSWORD: "it runs the cache without a password",
  },
  weakeningValues: [
    { pattern: /protected-mode\s+no/i, reason: "`protected-mode no` lets clients in without authentication" },
  ],
} as const;

/** The alpine redis image's redis user and group. */
export const REDIS_UID = "999:1000";

/** Redis' `maxmemory` for a container limit: 75%, in whole megabytes. */
export function redisMaxMemory(memory: string): string {
  const parsed = parseMemory(memory);
  if ("error" in parsed) throw new Error(`RedisCache: \`memory\` ${parsed.error}`);
  return formatMemory(Math.floor((parsed.bytes * 0.75) / (1024 * 1024)) * 1024 * 1024);
}

/**
 * Redis as a cache: password-protected, no persistence, LRU eviction within its memory limit.
 *
 * Creates: `Secret` (`<name>-password`, unless given), `Secret` (`<name>-conf`: redis.conf carrying
 * `requirepass`, so the password is in neither env nor argv) and `Service` (`<name>`). Consumers
 * receive `REDIS_HOST`, `REDIS_PORT` and the file `REDIS_PASSWORD_FILE`.
 *
 * @example
 * const cache = new RedisCache("cache", {
 *   image: new Image("redis", { ref: "redis:7.4.11-alpine", pinning: "tag" }),
 *   network: data,
 * });
 * new Service("api", { ...apiArgs, connections: [db, cache] });
 */
export class RedisCache extends pulumi.ComponentResource implements Connectable {
  /** The Pulumi type token of every RedisCache. */
  static readonly TYPE = "shipyard:components:RedisCache";
  /** The port Redis listens on. */
  static readonly PORT = 6379;

  /** The Redis service. */
  readonly service: Service;
  /** The password clients authenticate with (generated unless given). */
  readonly password: Secret;
  /** What a consumer receives from `connections: [cache]`. */
  readonly connection: Connection;

  constructor(name: string, args: RedisCacheArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(RedisCache.TYPE, name, {}, opts);
    const memory = args.memory ?? "128m";
    this.password = args.password ?? presetSecret(name, "password", args, this);
    const conf = presetSecret(name, "conf", args, this, {
      value: pulumi.interpolate`requirepass ${this.password.value}
maxmemory ${redisMaxMemory(memory)}
maxmemory-policy allkeys-lru
save ""
appendonly no
protected-mode yes
`,
    });

    this.service = new Service(
      name,
      {
        image: args.image,
        role: "cache",
        user: REDIS_UID,
        command: ["redis-server", conf.path],
        secrets: [{ secret: conf }, { secret: this.password }],
        env: presetEnv("RedisCache", name, {}, args, REDIS_RULES),
        networks: [args.network, ...(args.extraNetworks ?? [])],
        dependsOn: args.dependsOn,
        // The image declares VOLUME /data; a tmpfs keeps a cache from leaving anonymous volumes behind.
        tmpfs: { "/data": "rw,noexec,nosuid,size=16m" },
        healthcheck: {
          test: ["CMD-SHELL", `REDISCLI_AUTH="$(cat ${this.password.path})" redis-cli ping | grep -q PONG`],
          interval: "5s",
          timeout: "3s",
          retries: 5,
          startPeriod: "10s",
        },
        memory,
        cpus: args.cpus ?? "0.25",
        ...presetServiceArgs(name, args),
      },
      { parent: this },
    );
    this.connection = {
      service: this.service,
      network: args.network,
      env: { REDIS_HOST: name, REDIS_PORT: String(RedisCache.PORT) },
      secrets: [{ secret: this.password, env: "REDIS_PASSWORD_FILE" }],
    };
    this.registerOutputs({});
  }
}
