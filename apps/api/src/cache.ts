/** A string key/value cache with expiry. Implementations: RedisCache (runtime), MemoryCache (tests). */
export interface Cache {
  /** The cached value, or undefined on a miss or after expiry. */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** Resolves when the cache can serve requests; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Cache keys for todo reads; writes delete the keys they make stale. */
export const cacheKeys = {
  list: "todos:list",
  todo: (id: number): string => `todos:${id}`,
};

export interface MemoryCacheOptions {
  /** Clock in milliseconds, for expiry. @default - Date.now */
  readonly nowMs?: () => number;
}

/** An in-process Cache for tests; honours TTLs against the injected clock. */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, { value: string; expiresAtMs: number }>();
  private readonly nowMs: () => number;
  /** Set to an error to make every call reject with it, simulating an unreachable cache. */
  failure: Error | undefined;

  constructor(options: MemoryCacheOptions = {}) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  async get(key: string): Promise<string | undefined> {
    this.check();
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.check();
    this.entries.set(key, { value, expiresAtMs: this.nowMs() + ttlSeconds * 1000 });
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.check();
    for (const key of keys) this.entries.delete(key);
  }

  async ping(): Promise<void> {
    this.check();
  }

  async close(): Promise<void> {}

  /** Keys currently held, expired or not; for assertions. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
