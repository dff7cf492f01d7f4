import { createClient } from "redis";

type RedisClient = ReturnType<typeof createClient>;
import { backoff, withTimeout } from "./async.js";
import type { Cache } from "./cache.js";
import type { Logger } from "./logger.js";

export interface RedisCacheSettings {
  readonly host: string;
  readonly port: number;
  readonly password: string | undefined;
  /** Per-command bound; a slow cache must not slow reads down. @default 250 */
  readonly commandTimeoutMs?: number;
}

/**
 * Cache backed by node-redis. The client connects and reconnects in the background; while it is
 * not ready every command rejects at once (offline queue disabled), so callers fall through to
 * the database instead of waiting for Redis to come back.
 */
export class RedisCache implements Cache {
  private readonly client: RedisClient;
  private readonly commandTimeoutMs: number;
  private connected = false;

  constructor(settings: RedisCacheSettings, logger: Logger) {
    this.commandTimeoutMs = settings.commandTimeoutMs ?? 250;
    this.client = createClient({
      socket: {
        host: settings.host,
        port: settings.port,
        connectTimeout: 2_000,
        reconnectStrategy: backoff(100, 5_000),
      },
      ...(settings.password === undefined ? {} : { password: settings.password }),
      disableOfflineQueue: true,
    });
    // node-redis emits an error for every failed reconnect; log transitions, not each retry.
    this.client.on("error", (error: Error) => {
      if (this.connected) logger.warn("redis connection lost", { error });
      this.connected = false;
    });
    this.client.on("ready", () => {
      this.connected = true;
      logger.info("redis connected", { host: settings.host, port: settings.port });
    });
  }

  /** Starts connecting without waiting: the API serves (degraded) while Redis is unreachable. */
  start(): void {
    this.client.connect().catch(() => {
      // Reconnection failures were already reported through the "error" event.
    });
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.run("GET", this.client.get(key));
    return value ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run("SET", this.client.set(key, value, { expiration: { type: "EX", value: ttlSeconds } }));
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run("DEL", this.client.del([...keys]));
  }

  async ping(): Promise<void> {
    await this.run("PING", this.client.ping());
  }

  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    // close() waits for pending commands; a client still (re)connecting has none worth waiting for.
    if (this.client.isReady) await this.client.close();
    else this.client.destroy();
  }

  private run<T>(command: string, promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.commandTimeoutMs, `redis ${command}`);
  }
}
