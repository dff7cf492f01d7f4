import { createServer, type Server } from "node:http";
import { createApp, type AppOptions } from "../src/app.js";
import { MemoryCache } from "../src/cache.js";
import { listen } from "../src/lifecycle.js";
import { createLogger } from "../src/logger.js";
import type { GraphStore } from "../src/links.js";
import { createApiMetrics, type ApiMetrics } from "../src/metrics.js";
import { MemoryTodoStore } from "../src/memory-store.js";
import type { TodoStore } from "../src/todos.js";

export const FIXED_TIME = "2025-01-02T03:04:05.000Z";

export interface TestApp {
  readonly url: string;
  readonly server: Server;
  readonly store: MemoryTodoStore;
  readonly cache: MemoryCache;
  readonly metrics: ApiMetrics;
  /** Parsed log lines, in order. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Replaces the in-memory store, e.g. with one that blocks. */
  readonly store?: TodoStore;
  readonly cacheTtlSeconds?: number;
  readonly nowMs?: () => number;
  readonly healthTimeouts?: AppOptions["healthTimeouts"];
  /** Turns links on. @default - links off, as without GRAPH_URL */
  readonly graph?: GraphStore;
}

/** The real HTTP server with in-memory dependencies, on an ephemeral 127.0.0.1 port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const memoryStore = new MemoryTodoStore({ now: () => new Date(FIXED_TIME) });
  const cache = new MemoryCache({ nowMs: options.nowMs ?? (() => Date.parse(FIXED_TIME)) });
  const metrics = createApiMetrics({ uptimeSeconds: () => 42 });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    now: () => new Date(FIXED_TIME),
  });
  let nextId = 0;
  // Each request reads the clock twice, so sequential requests each take exactly 5 ms.
  let tickMs = 0;
  const server = createServer(
    createApp({
      store: options.store ?? memoryStore,
      cache,
      logger,
      metrics,
      ...(options.cacheTtlSeconds === undefined ? {} : { cacheTtlSeconds: options.cacheTtlSeconds }),
      ...(options.healthTimeouts === undefined ? {} : { healthTimeouts: options.healthTimeouts }),
      ...(options.graph === undefined ? {} : { graph: options.graph }),
      requestId: () => `req-${++nextId}`,
      monotonicMs: () => (tickMs += 5),
    }),
  );
  const address = await listen(server, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    store: memoryStore,
    cache,
    metrics,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON request; returns status, selected headers and the parsed body (undefined when empty). */
export async function call(
  app: TestApp,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json", ...headers };
  }
  const response = await fetch(`${app.url}${path}`, init);
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.startsWith("application/json") === true;
  return {
    status: response.status,
    headers: response.headers,
    body: isJson ? (JSON.parse(text) as unknown) : text || undefined,
  };
}
