import { request } from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FIXED_TIME, call, startTestApp, type TestApp } from "./harness.js";

let app: TestApp;

beforeEach(async () => {
  app = await startTestApp();
});

afterEach(async () => {
  await app.close();
});

const todo = (id: number, title: string, done = false) => ({
  id,
  title,
  done,
  createdAt: FIXED_TIME,
  updatedAt: FIXED_TIME,
});

describe("todos CRUD", () => {
  it("lists no todos initially", async () => {
    expect(await call(app, "GET", "/api/todos")).toMatchObject({ status: 200, body: [] });
  });

  it("creates a todo with 201, a Location header and the stored representation", async () => {
    const created = await call(app, "POST", "/api/todos", { title: " write tests " });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/todos/1");
    expect(created.body).toEqual(todo(1, "write tests"));
    expect(await call(app, "GET", "/api/todos")).toMatchObject({
      status: 200,
      body: [todo(1, "write tests")],
    });
  });

  it("gets, updates and deletes a todo by id", async () => {
    await call(app, "POST", "/api/todos", { title: "a" });
    await call(app, "POST", "/api/todos", { title: "b" });

    expect(await call(app, "GET", "/api/todos/2")).toMatchObject({ status: 200, body: todo(2, "b") });
    expect(await call(app, "PATCH", "/api/todos/2", { done: true })).toMatchObject({
      status: 200,
      body: todo(2, "b", true),
    });
    expect(await call(app, "PATCH", "/api/todos/2", { title: "bee" })).toMatchObject({
      status: 200,
      body: todo(2, "bee", true),
    });

    const deleted = await call(app, "DELETE", "/api/todos/1");
    expect(deleted).toMatchObject({ status: 204, body: undefined });
    expect(await call(app, "GET", "/api/todos")).toMatchObject({ body: [todo(2, "bee", true)] });
  });

  it.each([
    ["GET", undefined],
    ["PATCH", { done: true }],
    ["DELETE", undefined],
  ])("rejects %s of an unknown id with 404", async (method, body) => {
    expect(await call(app, method, "/api/todos/99", body)).toMatchObject({
      status: 404,
      body: { error: "todo 99 not found" },
    });
  });

  it.each(["0", "abc", "1.5", "2147483648"])("rejects the malformed id %j with 400", async (id) => {
    expect(await call(app, "GET", `/api/todos/${id}`)).toMatchObject({
      status: 400,
      body: { error: "id must be a positive integer" },
    });
  });

  it.each<[string, unknown, string]>([
    ["a missing title", {}, "title is required"],
    ["a blank title", { title: " " }, "title must not be empty"],
    ["an array body", [], "request body must be a JSON object"],
    ["malformed JSON", "{not json", "request body is not valid JSON"],
    ["an empty body", "", "request body is not valid JSON"],
  ])("rejects a POST with %s with 400", async (_case, body, error) => {
    expect(await call(app, "POST", "/api/todos", body)).toMatchObject({ status: 400, body: { error } });
  });

  it("rejects a PATCH with an invalid field with 400 and leaves the todo unchanged", async () => {
    await call(app, "POST", "/api/todos", { title: "a" });
    expect(await call(app, "PATCH", "/api/todos/1", { done: "yes" })).toMatchObject({
      status: 400,
      body: { error: "done must be a boolean" },
    });
    expect(await call(app, "GET", "/api/todos/1")).toMatchObject({ body: todo(1, "a") });
  });

  it("rejects a body that is not JSON by media type with 415", async () => {
    expect(await call(app, "POST", "/api/todos", "title=a", { "content-type": "text/plain" })).toMatchObject({
      status: 415,
      body: { error: "Content-Type must be application/json" },
    });
  });

  it("rejects a declared oversize body with 413 before reading it", async () => {
    const response = await call(app, "POST", "/api/todos", { title: "x".repeat(20_000) });
    expect(response).toMatchObject({ status: 413, body: { error: "request body exceeds 16384 bytes" } });
    expect(response.headers.get("connection")).toBe("close");
    await expect(app.store.list()).resolves.toEqual([]);
  });

  it("rejects a chunked oversize body with 413 while streaming", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${app.url}/api/todos`, {
        method: "POST",
        headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      req.write(`{"title":"${"x".repeat(10_000)}`);
      req.write(`${"x".repeat(10_000)}"}`);
      req.end();
    });
    expect(status).toBe(413);
  });

  it("answers 405 with an Allow header for an unsupported method", async () => {
    const response = await call(app, "PUT", "/api/todos/1", { title: "x" });
    expect(response).toMatchObject({
      status: 405,
      body: { error: "method PUT not allowed on /api/todos/:id; allowed: GET, PATCH, DELETE" },
    });
    expect(response.headers.get("allow")).toBe("GET, PATCH, DELETE");
  });

  it("answers 404 for an unknown path, including the unprefixed /todos", async () => {
    expect(await call(app, "GET", "/todos")).toMatchObject({
      status: 404,
      body: { error: "no route for /todos" },
    });
  });

  it("ignores the query string when routing", async () => {
    expect(await call(app, "GET", "/api/todos?page=2")).toMatchObject({ status: 200, body: [] });
  });

  it("answers 500 without details when the store fails, and logs the cause", async () => {
    app.store.failure = new Error("connection refused");
    expect(await call(app, "GET", "/api/todos/1")).toMatchObject({
      status: 500,
      body: { error: "internal server error" },
    });
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "request failed",
        error: { name: "Error", message: "connection refused" },
      }),
    );
  });
});

describe("cache", () => {
  it("serves the list from the cache on the second read and invalidates it on create", async () => {
    const list = vi.spyOn(app.store, "list");
    expect((await call(app, "GET", "/api/todos")).headers.get("x-cache")).toBe("MISS");
    expect((await call(app, "GET", "/api/todos")).headers.get("x-cache")).toBe("HIT");
    expect(list).toHaveBeenCalledTimes(1);

    await call(app, "POST", "/api/todos", { title: "fresh" });
    const afterWrite = await call(app, "GET", "/api/todos");
    expect(afterWrite.headers.get("x-cache")).toBe("MISS");
    expect(afterWrite.body).toEqual([todo(1, "fresh")]);
    expect(list).toHaveBeenCalledTimes(2);
  });

  it("caches a todo by id and invalidates it and the list on update", async () => {
    await call(app, "POST", "/api/todos", { title: "a" });
    await call(app, "GET", "/api/todos");
    expect((await call(app, "GET", "/api/todos/1")).headers.get("x-cache")).toBe("MISS");
    expect((await call(app, "GET", "/api/todos/1")).headers.get("x-cache")).toBe("HIT");
    expect(app.cache.keys()).toEqual(["todos:list", "todos:1"]);

    await call(app, "PATCH", "/api/todos/1", { done: true });
    expect(app.cache.keys()).toEqual([]);
    const reread = await call(app, "GET", "/api/todos/1");
    expect(reread.headers.get("x-cache")).toBe("MISS");
    expect(reread.body).toEqual(todo(1, "a", true));
  });

  it("invalidates a deleted todo so it is not served from the cache", async () => {
    await call(app, "POST", "/api/todos", { title: "a" });
    await call(app, "GET", "/api/todos/1");
    await call(app, "DELETE", "/api/todos/1");
    expect(await call(app, "GET", "/api/todos/1")).toMatchObject({ status: 404 });
  });

  it("does not cache a todo that does not exist", async () => {
    await call(app, "GET", "/api/todos/7");
    expect(app.cache.keys()).toEqual([]);
  });

  it("expires entries after CACHE_TTL_SECONDS", async () => {
    let nowMs = Date.parse(FIXED_TIME);
    const ttlApp = await startTestApp({ cacheTtlSeconds: 10, nowMs: () => nowMs });
    try {
      await call(ttlApp, "GET", "/api/todos");
      nowMs += 9_999;
      expect((await call(ttlApp, "GET", "/api/todos")).headers.get("x-cache")).toBe("HIT");
      nowMs += 1;
      expect((await call(ttlApp, "GET", "/api/todos")).headers.get("x-cache")).toBe("MISS");
    } finally {
      await ttlApp.close();
    }
  });

  it("falls through to the store when the cache is down, for reads and writes", async () => {
    app.cache.failure = new Error("ECONNREFUSED");
    const created = await call(app, "POST", "/api/todos", { title: "still works" });
    expect(created.status).toBe(201);
    const listed = await call(app, "GET", "/api/todos");
    expect(listed).toMatchObject({ status: 200, body: [todo(1, "still works")] });
    expect(listed.headers.get("x-cache")).toBe("BYPASS");
    expect((await call(app, "GET", "/api/todos/1")).headers.get("x-cache")).toBe("BYPASS");
    expect(app.metrics.registry.render()).toContain("\ncache_errors_total 3\n");
  });

  it("treats an unreadable cache entry as a miss and replaces it", async () => {
    await app.cache.set("todos:list", "{corrupt", 30);
    const response = await call(app, "GET", "/api/todos");
    expect(response).toMatchObject({ status: 200, body: [] });
    expect(response.headers.get("x-cache")).toBe("MISS");
    expect(await app.cache.get("todos:list")).toBe("[]");
  });
});

describe("GET /health", () => {
  it("is ok with 200 when database and cache answer", async () => {
    const response = await call(app, "GET", "/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.body).toEqual({
      status: "ok",
      checks: { database: { status: "ok" }, cache: { status: "ok" } },
    });
  });

  it("is degraded but still 200 when only the cache is down", async () => {
    app.cache.failure = new Error("connect ECONNREFUSED 10.0.0.3:6379");
    expect(await call(app, "GET", "/health")).toMatchObject({
      status: 200,
      body: {
        status: "degraded",
        checks: {
          database: { status: "ok" },
          cache: { status: "down", error: "connect ECONNREFUSED 10.0.0.3:6379" },
        },
      },
    });
  });

  it("is down with 503 when the database is down, whatever the cache", async () => {
    app.store.failure = new Error("password authentication failed");
    expect(await call(app, "GET", "/health")).toMatchObject({
      status: 503,
      body: {
        status: "down",
        checks: {
          database: { status: "down", error: "password authentication failed" },
          cache: { status: "ok" },
        },
      },
    });
  });

  it("is also served as /api/health with the status only, for the public UI", async () => {
    app.cache.failure = new Error("connect ECONNREFUSED 10.0.0.3:6379");
    expect(await call(app, "GET", "/api/health")).toMatchObject({
      status: 200,
      body: { status: "degraded" },
    });
    app.store.failure = new Error("down");
    expect(await call(app, "GET", "/api/health")).toMatchObject({ status: 503, body: { status: "down" } });
  });

  it("reports a database that does not answer in time as down", async () => {
    const slowApp = await startTestApp({ healthTimeouts: { databaseMs: 20 } });
    vi.spyOn(slowApp.store, "ping").mockReturnValue(new Promise<void>(() => {}));
    try {
      expect(await call(slowApp, "GET", "/health")).toMatchObject({
        status: 503,
        body: {
          status: "down",
          checks: { database: { status: "down", error: "database check timed out after 20 ms" } },
        },
      });
    } finally {
      await slowApp.close();
    }
  });
});

describe("GET /metrics", () => {
  it("exposes request, duration, cache and uptime metrics in the Prometheus text format", async () => {
    await call(app, "GET", "/api/todos");
    await call(app, "GET", "/api/todos");
    await call(app, "GET", "/api/todos/5");
    const response = await call(app, "GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const lines = String(response.body).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "# HELP http_requests_total HTTP requests handled, by method, route and status.",
        "# TYPE http_requests_total counter",
        'http_requests_total{method="GET",route="/api/todos",status="200"} 2',
        'http_requests_total{method="GET",route="/api/todos/:id",status="404"} 1',
        "# TYPE http_request_duration_seconds histogram",
        'http_request_duration_seconds_bucket{method="GET",route="/api/todos",le="0.005"} 2',
        'http_request_duration_seconds_bucket{method="GET",route="/api/todos",le="+Inf"} 2',
        'http_request_duration_seconds_sum{method="GET",route="/api/todos"} 0.01',
        'http_request_duration_seconds_count{method="GET",route="/api/todos"} 2',
        "# TYPE cache_hits_total counter",
        "cache_hits_total 1",
        "cache_misses_total 2",
        "cache_errors_total 0",
        "# TYPE process_uptime_seconds gauge",
        "process_uptime_seconds 42",
      ]),
    );
    expect(String(response.body).endsWith("\n")).toBe(true);
  });

  it("labels unknown paths as one unmatched route to bound cardinality", async () => {
    await call(app, "GET", "/wp-admin");
    await call(app, "GET", "/.env");
    expect(app.metrics.registry.render()).toContain(
      'http_requests_total{method="GET",route="unmatched",status="404"} 2',
    );
  });
});

describe("request logging and ids", () => {
  it("writes one JSON line per request with method, route, status and duration", async () => {
    await call(app, "POST", "/api/todos?x=1", { title: "a" });
    expect(app.logs).toEqual([
      {
        time: FIXED_TIME,
        level: "info",
        msg: "request",
        requestId: "req-1",
        method: "POST",
        path: "/api/todos",
        route: "/api/todos",
        status: 201,
        durationMs: 5,
      },
    ]);
  });

  it("logs probe endpoints at debug level", async () => {
    await call(app, "GET", "/health");
    expect(app.logs).toEqual([expect.objectContaining({ level: "debug", route: "/health", status: 200 })]);
  });

  it("echoes a well-formed X-Request-Id and replaces a malformed one", async () => {
    const echoed = await call(app, "GET", "/api/todos", undefined, { "x-request-id": "abc-123" });
    expect(echoed.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await call(app, "GET", "/api/todos", undefined, {
      "x-request-id": "bad id with spaces",
    });
    expect(replaced.headers.get("x-request-id")).toBe("req-1");
  });
});
