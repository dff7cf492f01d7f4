import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { cacheKeys, type Cache } from "./cache.js";
import { checkHealth, healthHttpStatus, type HealthReport, type HealthTimeouts } from "./health.js";
import { HttpError, readJsonBody, sendEmpty, sendJson, sendText } from "./http.js";
import {
  graphFailureReason,
  linkedIds,
  parseLinkPath,
  validateNewLink,
  withoutStaleIds,
  type GraphStore,
  type Links,
} from "./links.js";
import type { Logger } from "./logger.js";
import { METRICS_CONTENT_TYPE, type ApiMetrics } from "./metrics.js";
import { parseId, validateNewTodo, validateTodoPatch, type Todo, type TodoStore } from "./todos.js";

export interface AppOptions {
  readonly store: TodoStore;
  readonly cache: Cache;
  readonly logger: Logger;
  readonly metrics: ApiMetrics;
  /** Links between todos. @default - links are off: their endpoints answer 503 */
  readonly graph?: GraphStore;
  /** Lifetime of cached reads. @default 30 */
  readonly cacheTtlSeconds?: number;
  /** Bounds for the /health probes. @default - see checkHealth */
  readonly healthTimeouts?: HealthTimeouts;
  /** Monotonic clock in milliseconds, for request durations. @default - performance.now */
  readonly monotonicMs?: () => number;
  /** Generates ids for requests that arrive without a usable X-Request-Id. @default - randomUUID */
  readonly requestId?: () => string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: readonly string[]) => Promise<void>;

interface Route {
  readonly pattern: RegExp;
  /** Low-cardinality label for metrics and logs. */
  readonly name: string;
  readonly methods: Readonly<Record<string, Handler>>;
  /** Probe endpoints log at debug level so healthchecks and scrapes do not flood the logs. */
  readonly quiet?: boolean;
}

/** How a read was served, reported in the X-Cache response header. */
type CacheOutcome = "HIT" | "MISS" | "BYPASS";

const REQUEST_ID_PATTERN = /^[\w.-]{1,128}$/;
const UNMATCHED_ROUTE = "unmatched";

/** Builds the API's request listener; all I/O goes through the injected store and cache. */
export function createApp(options: AppOptions): RequestListener {
  const { store, cache, logger, metrics, graph } = options;
  const ttlSeconds = options.cacheTtlSeconds ?? 30;
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const newRequestId = options.requestId ?? randomUUID;

  /** Reads through the cache; any cache failure falls through to the loader. */
  async function readThrough<T>(
    key: string,
    load: () => Promise<T | undefined>,
  ): Promise<[T | undefined, CacheOutcome]> {
    let cached: string | undefined;
    try {
      cached = await cache.get(key);
    } catch (error) {
      cacheFailed("get", error);
      return [await load(), "BYPASS"];
    }
    const hit = cached === undefined ? undefined : parseCached<T>(cached);
    if (hit !== undefined) {
      metrics.cacheHits.inc({});
      return [hit, "HIT"];
    }
    metrics.cacheMisses.inc({});
    const value = await load();
    if (value !== undefined) {
      try {
        await cache.set(key, JSON.stringify(value), ttlSeconds);
      } catch (error) {
        cacheFailed("set", error);
      }
    }
    return [value, "MISS"];
  }

  /** A failed invalidation leaves a stale entry for at most the TTL; the write itself stands. */
  async function invalidate(keys: readonly string[]): Promise<void> {
    try {
      await cache.delete(keys);
    } catch (error) {
      cacheFailed("delete", error);
    }
  }

  function cacheFailed(operation: string, error: unknown): void {
    metrics.cacheErrors.inc({});
    logger.debug("cache operation failed", { operation, error });
  }

  function requireId(params: readonly string[]): number {
    const id = parseId(params[0] ?? "");
    if (id === undefined) throw new HttpError(400, "id must be a positive integer");
    return id;
  }

  function notFound(id: number): HttpError {
    return new HttpError(404, `todo ${id} not found`);
  }

  function health(): Promise<HealthReport> {
    return checkHealth(
      {
        database: () => store.ping(),
        cache: () => cache.ping(),
        ...(graph === undefined ? {} : { graph: () => graph.ping() }),
      },
      options.healthTimeouts,
    );
  }

  async function requireTodo(id: number): Promise<Todo> {
    const todo = await store.get(id);
    if (todo === undefined) throw notFound(id);
    return todo;
  }

  /** Checked first by every links endpoint: with links off, nothing else about the request matters. */
  function requireGraph(): GraphStore {
    if (graph === undefined) throw new HttpError(503, "graph not configured");
    return graph;
  }

  /**
   * Runs a graph operation; a failure becomes a 503 for this request only, so every endpoint
   * that does not need links keeps working.
   */
  async function inGraph<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      metrics.graphErrors.inc({});
      logger.warn("graph operation failed", { operation, error });
      throw new HttpError(503, `graph unavailable: ${graphFailureReason(error)}`);
    }
  }

  /** The todo's links, without ids of todos PostgreSQL no longer has. */
  async function currentLinks(links: GraphStore, id: number): Promise<Links> {
    const direct = await inGraph("links", () => links.links(id));
    const existing = await store.getMany(linkedIds(direct));
    return withoutStaleIds(direct, new Set(existing.map((todo) => todo.id)));
  }

  /** A deleted todo's links go with it; a graph outage must not fail the delete itself. */
  async function forgetLinks(id: number): Promise<void> {
    if (graph === undefined) return;
    try {
      await graph.remove(id);
    } catch (error) {
      metrics.graphErrors.inc({});
      logger.warn("graph node of a deleted todo not removed; stale ids are filtered on read", { id, error });
    }
  }

  const routes: readonly Route[] = [
    {
      pattern: /^\/health$/,
      name: "/health",
      quiet: true,
      methods: {
        GET: async (_req, res) => {
          const report = await health();
          sendJson(res, healthHttpStatus(report), report, { "Cache-Control": "no-store" });
        },
      },
    },
    {
      // Public through nginx (/api/ is proxied): the status only, since probe errors name
      // internal hosts and addresses.
      pattern: /^\/api\/health$/,
      name: "/api/health",
      quiet: true,
      methods: {
        GET: async (_req, res) => {
          const report = await health();
          sendJson(res, healthHttpStatus(report), { status: report.status }, { "Cache-Control": "no-store" });
        },
      },
    },
    {
      pattern: /^\/metrics$/,
      name: "/metrics",
      quiet: true,
      methods: {
        GET: async (_req, res) => {
          sendText(res, 200, metrics.registry.render(), METRICS_CONTENT_TYPE, {
            "Cache-Control": "no-store",
          });
        },
      },
    },
    {
      pattern: /^\/api\/todos$/,
      name: "/api/todos",
      methods: {
        GET: async (_req, res) => {
          const [todos, outcome] = await readThrough(cacheKeys.list, () => store.list());
          sendJson(res, 200, todos ?? [], { "X-Cache": outcome });
        },
        POST: async (req, res) => {
          const input = validateNewTodo(await readJsonBody(req));
          if (!input.ok) throw new HttpError(400, input.error);
          const todo = await store.create(input.value);
          await invalidate([cacheKeys.list]);
          sendJson(res, 201, todo, { Location: `/api/todos/${todo.id}` });
        },
      },
    },
    {
      pattern: /^\/api\/todos\/([^/]+)$/,
      name: "/api/todos/:id",
      methods: {
        GET: async (_req, res, params) => {
          const id = requireId(params);
          const [todo, outcome] = await readThrough<Todo>(cacheKeys.todo(id), () => store.get(id));
          if (todo === undefined) throw notFound(id);
          sendJson(res, 200, todo, { "X-Cache": outcome });
        },
        PATCH: async (req, res, params) => {
          const id = requireId(params);
          const patch = validateTodoPatch(await readJsonBody(req));
          if (!patch.ok) throw new HttpError(400, patch.error);
          const todo = await store.update(id, patch.value);
          if (todo === undefined) throw notFound(id);
          await invalidate([cacheKeys.list, cacheKeys.todo(id)]);
          sendJson(res, 200, todo);
        },
        DELETE: async (_req, res, params) => {
          const id = requireId(params);
          if (!(await store.delete(id))) throw notFound(id);
          await invalidate([cacheKeys.list, cacheKeys.todo(id)]);
          await forgetLinks(id);
          sendEmpty(res, 204);
        },
      },
    },
    {
      pattern: /^\/api\/todos\/([^/]+)\/links$/,
      name: "/api/todos/:id/links",
      methods: {
        GET: async (_req, res, params) => {
          const links = requireGraph();
          const id = requireId(params);
          await requireTodo(id);
          sendJson(res, 200, await currentLinks(links, id));
        },
        POST: async (req, res, params) => {
          const links = requireGraph();
          const id = requireId(params);
          const link = validateNewLink(await readJsonBody(req), id);
          if (!link.ok) throw new HttpError(400, link.error);
          const { type, target } = link.value;
          await requireTodo(id);
          await requireTodo(target);
          const outcome = await inGraph("link", () => links.link(type, id, target));
          if (outcome === "cycle") {
            throw new HttpError(
              409,
              `todo ${target} already blocks todo ${id}; linking would create a cycle`,
            );
          }
          // 201 for a link that already existed too: the request is idempotent, its answer the same.
          sendJson(res, 201, await currentLinks(links, id));
        },
      },
    },
    {
      pattern: /^\/api\/todos\/([^/]+)\/links\/([^/]+)\/([^/]+)$/,
      name: "/api/todos/:id/links/:type/:target",
      methods: {
        DELETE: async (_req, res, params) => {
          const links = requireGraph();
          const id = requireId(params);
          const link = parseLinkPath(params[1] ?? "", params[2] ?? "");
          if (!link.ok) throw new HttpError(400, link.error);
          const { type, target } = link.value;
          // No PostgreSQL check: a link left behind by a deleted todo can still be removed.
          if (!(await inGraph("unlink", () => links.unlink(type, id, target)))) {
            throw new HttpError(404, `todo ${id} has no ${type} link to todo ${target}`);
          }
          sendEmpty(res, 204);
        },
      },
    },
    {
      pattern: /^\/api\/todos\/([^/]+)\/blocks$/,
      name: "/api/todos/:id/blocks",
      methods: {
        GET: async (_req, res, params) => {
          const links = requireGraph();
          const id = requireId(params);
          await requireTodo(id);
          const blocked = await inGraph("blocked", () => links.blocked(id));
          const todos = new Map((await store.getMany(blocked)).map((todo) => [todo.id, todo]));
          // Keeps the graph's order (nearest first, then id); ids of deleted todos drop out.
          sendJson(
            res,
            200,
            blocked.flatMap((blockedId) => todos.get(blockedId) ?? []),
          );
        },
      },
    },
  ];

  return (req, res) => {
    const startMs = monotonicMs();
    const method = req.method ?? "GET";
    const path = pathOf(req.url);
    const incomingId = req.headers["x-request-id"];
    const requestId =
      typeof incomingId === "string" && REQUEST_ID_PATTERN.test(incomingId) ? incomingId : newRequestId();
    res.setHeader("X-Request-Id", requestId);

    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of routes) {
      const match = candidate.pattern.exec(path);
      if (match !== null) {
        route = candidate;
        params = match.slice(1);
        break;
      }
    }
    const routeName = route?.name ?? UNMATCHED_ROUTE;

    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      // A response that never finished was cut short by the client (nginx's 499 convention).
      const status = res.writableFinished ? res.statusCode : 499;
      const durationMs = monotonicMs() - startMs;
      metrics.httpRequests.inc({ method, route: routeName, status: String(status) });
      metrics.httpDuration.observe({ method, route: routeName }, durationMs / 1000);
      const level = route?.quiet === true && status < 500 ? "debug" : "info";
      logger[level]("request", {
        requestId,
        method,
        path,
        route: routeName,
        status,
        durationMs: Math.round(durationMs * 1000) / 1000,
      });
    };
    res.once("finish", record).once("close", record);

    const handler = route?.methods[method];
    const run = async (): Promise<void> => {
      if (route === undefined) throw new HttpError(404, `no route for ${path}`);
      if (handler === undefined) {
        const allow = Object.keys(route.methods).join(", ");
        throw new HttpError(405, `method ${method} not allowed on ${route.name}; allowed: ${allow}`, {
          Allow: allow,
        });
      }
      await handler(req, res, params);
    };

    run().catch((error: unknown) => {
      if (res.headersSent) {
        logger.error("request failed after response started", { requestId, error });
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message }, error.headers);
        return;
      }
      logger.error("request failed", { requestId, method, path, error });
      sendJson(res, 500, { error: "internal server error" });
    });
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const queryStart = raw.search(/[?#]/);
  return queryStart === -1 ? raw : raw.slice(0, queryStart);
}

/** An unreadable entry (e.g. written by another version) counts as a miss and is overwritten. */
function parseCached<T>(raw: string): T | undefined {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}
