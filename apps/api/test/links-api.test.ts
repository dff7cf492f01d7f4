import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryGraphStore } from "../src/memory-graph-store.js";
import { FIXED_TIME, call, startTestApp, type TestApp } from "./harness.js";

let graph: MemoryGraphStore;
let app: TestApp;

/** What the Neo4j driver rejects with when the server cannot be reached. */
const GRAPH_DOWN = Object.assign(
  new Error("Failed to connect to server. Caused by: connect ECONNREFUSED 10.0.0.9:7687"),
  { code: "ServiceUnavailable" },
);

beforeEach(async () => {
  graph = new MemoryGraphStore();
  app = await startTestApp({ graph });
  for (const title of ["design", "build", "test", "ship"]) {
    await call(app, "POST", "/api/todos", { title });
  }
  app.logs.length = 0;
});

afterEach(async () => {
  await app.close();
});

const todo = (id: number, title: string) => ({
  id,
  title,
  done: false,
  createdAt: FIXED_TIME,
  updatedAt: FIXED_TIME,
});

const link = (id: number, type: string, target: number) =>
  call(app, "POST", `/api/todos/${id}/links`, { type, target });

describe("GET /api/todos/:id/links", () => {
  it("answers empty lists for a todo without links", async () => {
    expect(await call(app, "GET", "/api/todos/1/links")).toMatchObject({
      status: 200,
      body: { blocks: [], blockedBy: [], relatesTo: [] },
    });
  });

  it("answers the direct links from this todo's side, ids ascending", async () => {
    await link(2, "blocks", 4);
    await link(2, "blocks", 3);
    await link(1, "blocks", 2);
    await link(4, "relates_to", 2);
    await link(3, "blocks", 4);
    expect(await call(app, "GET", "/api/todos/2/links")).toMatchObject({
      status: 200,
      body: { blocks: [3, 4], blockedBy: [1], relatesTo: [4] },
    });
  });

  it("leaves out todos that no longer exist in PostgreSQL", async () => {
    await link(1, "blocks", 2);
    await link(1, "relates_to", 3);
    // Deleted behind the API's back, as when the graph was down during the delete.
    await app.store.delete(2);
    expect(await call(app, "GET", "/api/todos/1/links")).toMatchObject({
      status: 200,
      body: { blocks: [], blockedBy: [], relatesTo: [3] },
    });
    expect(graph.relationships()).toEqual(["1-BLOCKS->2", "1-RELATES_TO->3"]);
  });

  it("rejects an unknown todo with 404", async () => {
    expect(await call(app, "GET", "/api/todos/99/links")).toMatchObject({
      status: 404,
      body: { error: "todo 99 not found" },
    });
  });

  it("rejects a malformed id with 400", async () => {
    expect(await call(app, "GET", "/api/todos/x/links")).toMatchObject({
      status: 400,
      body: { error: "id must be a positive integer" },
    });
  });
});

describe("POST /api/todos/:id/links", () => {
  it("creates a link with 201 and answers the todo's links", async () => {
    await link(3, "relates_to", 1);
    expect(await link(1, "blocks", 2)).toMatchObject({
      status: 201,
      body: { blocks: [2], blockedBy: [], relatesTo: [3] },
    });
    expect(graph.relationships()).toEqual(["3-RELATES_TO->1", "1-BLOCKS->2"]);
  });

  it("is idempotent: the same link again answers the same 201 and stores nothing new", async () => {
    await link(1, "blocks", 2);
    await link(1, "relates_to", 2);
    expect(await link(1, "blocks", 2)).toMatchObject({
      status: 201,
      body: { blocks: [2], blockedBy: [], relatesTo: [2] },
    });
    expect(await link(2, "relates_to", 1)).toMatchObject({
      status: 201,
      body: { blocks: [], blockedBy: [1], relatesTo: [1] },
    });
    expect(graph.relationships()).toEqual(["1-BLOCKS->2", "1-RELATES_TO->2"]);
  });

  it("rejects a blocks link that would close a cycle with 409 and stores nothing", async () => {
    await link(1, "blocks", 2);
    await link(2, "blocks", 3);
    expect(await link(3, "blocks", 1)).toMatchObject({
      status: 409,
      body: { error: "todo 1 already blocks todo 3; linking would create a cycle" },
    });
    expect(await link(2, "blocks", 1)).toMatchObject({ status: 409 });
    expect(graph.relationships()).toEqual(["1-BLOCKS->2", "2-BLOCKS->3"]);
  });

  it.each<[string, unknown, string]>([
    ["a link to itself", { type: "blocks", target: 1 }, "a todo cannot be linked to itself"],
    ["an unknown type", { type: "depends_on", target: 2 }, 'type must be "blocks" or "relates_to"'],
    ["a missing target", { type: "blocks" }, "target is required"],
    ["a string target", { type: "blocks", target: "2" }, "target must be a positive integer"],
    ["malformed JSON", "{", "request body is not valid JSON"],
  ])("rejects %s with 400", async (_case, body, error) => {
    expect(await call(app, "POST", "/api/todos/1/links", body)).toMatchObject({
      status: 400,
      body: { error },
    });
    expect(graph.relationships()).toEqual([]);
  });

  it.each([
    ["the todo", 99, 1, "todo 99 not found"],
    ["the target", 1, 99, "todo 99 not found"],
  ])("rejects a link when %s does not exist with 404", async (_case, id, target, error) => {
    expect(await link(id, "relates_to", target)).toMatchObject({ status: 404, body: { error } });
    expect(graph.relationships()).toEqual([]);
  });

  it("rejects a body that is not JSON by media type with 415", async () => {
    const response = await call(app, "POST", "/api/todos/1/links", "type=blocks", {
      "content-type": "text/plain",
    });
    expect(response).toMatchObject({ status: 415, body: { error: "Content-Type must be application/json" } });
  });
});

describe("DELETE /api/todos/:id/links/:type/:target", () => {
  it("removes a blocks link with 204", async () => {
    await link(1, "blocks", 2);
    expect(await call(app, "DELETE", "/api/todos/1/links/blocks/2")).toMatchObject({
      status: 204,
      body: undefined,
    });
    expect(graph.relationships()).toEqual([]);
  });

  it("removes a relates_to link from either end", async () => {
    await link(1, "relates_to", 2);
    expect(await call(app, "DELETE", "/api/todos/2/links/relates_to/1")).toMatchObject({ status: 204 });
    expect(graph.relationships()).toEqual([]);
  });

  it("rejects a link that does not exist, including blocks the other way round, with 404", async () => {
    await link(1, "blocks", 2);
    expect(await call(app, "DELETE", "/api/todos/2/links/blocks/1")).toMatchObject({
      status: 404,
      body: { error: "todo 2 has no blocks link to todo 1" },
    });
    expect(await call(app, "DELETE", "/api/todos/1/links/relates_to/2")).toMatchObject({
      status: 404,
      body: { error: "todo 1 has no relates_to link to todo 2" },
    });
    expect(graph.relationships()).toEqual(["1-BLOCKS->2"]);
  });

  it.each([
    ["/api/todos/1/links/blocked_by/2", 'link type must be "blocks" or "relates_to"'],
    ["/api/todos/1/links/blocks/0", "target must be a positive integer"],
    ["/api/todos/0/links/blocks/2", "id must be a positive integer"],
  ])("rejects the malformed path %s with 400", async (path, error) => {
    expect(await call(app, "DELETE", path)).toMatchObject({ status: 400, body: { error } });
  });

  it("answers 405 with an Allow header for a GET", async () => {
    const response = await call(app, "GET", "/api/todos/1/links/blocks/2");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("DELETE");
  });
});

describe("GET /api/todos/:id/blocks", () => {
  it("answers the todos blocked transitively, nearest first, then by id", async () => {
    await link(1, "blocks", 4);
    await link(1, "blocks", 3);
    await link(3, "blocks", 2);
    await link(4, "blocks", 2);
    await link(1, "relates_to", 2);
    expect(await call(app, "GET", "/api/todos/1/blocks")).toMatchObject({
      status: 200,
      body: [todo(3, "test"), todo(4, "ship"), todo(2, "build")],
    });
    expect(await call(app, "GET", "/api/todos/2/blocks")).toMatchObject({ status: 200, body: [] });
  });

  it("leaves out todos that no longer exist but follows the chain through them", async () => {
    await link(1, "blocks", 2);
    await link(2, "blocks", 3);
    await app.store.delete(2);
    expect(await call(app, "GET", "/api/todos/1/blocks")).toMatchObject({
      status: 200,
      body: [todo(3, "test")],
    });
  });

  it("rejects an unknown todo with 404", async () => {
    expect(await call(app, "GET", "/api/todos/99/blocks")).toMatchObject({
      status: 404,
      body: { error: "todo 99 not found" },
    });
  });
});

describe("DELETE /api/todos/:id with links", () => {
  it("removes the todo's node and every link it had", async () => {
    await link(1, "blocks", 2);
    await link(3, "blocks", 1);
    await link(4, "relates_to", 1);
    await link(2, "blocks", 4);
    expect(await call(app, "DELETE", "/api/todos/1")).toMatchObject({ status: 204 });
    expect(graph.relationships()).toEqual(["2-BLOCKS->4"]);
  });

  it("still deletes the todo when the graph is down, logging a warning and counting the failure", async () => {
    await link(1, "blocks", 2);
    graph.failure = GRAPH_DOWN;
    expect(await call(app, "DELETE", "/api/todos/1")).toMatchObject({ status: 204 });
    expect(await call(app, "GET", "/api/todos/1")).toMatchObject({ status: 404 });
    expect(app.logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "graph node of a deleted todo not removed; stale ids are filtered on read",
        id: 1,
        error: { name: "Error", message: GRAPH_DOWN.message },
      }),
    );
    expect(app.metrics.registry.render()).toContain("\ngraph_errors_total 1\n");

    graph.failure = undefined;
    expect(graph.relationships()).toEqual(["1-BLOCKS->2"]);
    expect(await call(app, "GET", "/api/todos/2/links")).toMatchObject({
      body: { blocks: [], blockedBy: [], relatesTo: [] },
    });
  });
});

describe("when the graph is down", () => {
  beforeEach(() => {
    graph.failure = GRAPH_DOWN;
  });

  it.each([
    ["GET", "/api/todos/1/links", undefined],
    ["POST", "/api/todos/1/links", { type: "blocks", target: 2 }],
    ["DELETE", "/api/todos/1/links/blocks/2", undefined],
    ["GET", "/api/todos/1/blocks", undefined],
  ])("answers %s %s with 503 and the driver's code, not its message", async (method, path, body) => {
    expect(await call(app, method, path, body)).toMatchObject({
      status: 503,
      body: { error: "graph unavailable: ServiceUnavailable" },
    });
  });

  it("counts each failure and logs it at warn with the full error", async () => {
    await call(app, "GET", "/api/todos/1/links");
    await call(app, "GET", "/api/todos/1/blocks");
    expect(app.metrics.registry.render()).toContain("\ngraph_errors_total 2\n");
    expect(app.logs).toContainEqual({
      time: FIXED_TIME,
      level: "warn",
      msg: "graph operation failed",
      operation: "links",
      error: { name: "Error", message: GRAPH_DOWN.message },
    });
  });

  it("keeps serving every endpoint that does not need links", async () => {
    expect(await call(app, "GET", "/api/todos/1")).toMatchObject({ status: 200, body: todo(1, "design") });
    expect(await call(app, "POST", "/api/todos", { title: "more" })).toMatchObject({ status: 201 });
    expect(await call(app, "PATCH", "/api/todos/1", { done: true })).toMatchObject({ status: 200 });
    expect((await call(app, "GET", "/api/todos")).status).toBe(200);
  });

  it("still answers 404 for an unknown todo, which PostgreSQL decides", async () => {
    expect(await call(app, "GET", "/api/todos/99/links")).toMatchObject({ status: 404 });
  });
});

describe("when the graph is not configured", () => {
  let plain: TestApp;

  beforeEach(async () => {
    plain = await startTestApp();
    await call(plain, "POST", "/api/todos", { title: "a" });
  });

  afterEach(async () => {
    await plain.close();
  });

  it.each([
    ["GET", "/api/todos/1/links", undefined],
    ["GET", "/api/todos/99/links", undefined],
    ["POST", "/api/todos/1/links", { type: "blocks", target: 2 }],
    ["DELETE", "/api/todos/1/links/blocks/2", undefined],
    ["GET", "/api/todos/1/blocks", undefined],
  ])("answers %s %s with 503 graph not configured", async (method, path, body) => {
    expect(await call(plain, method, path, body)).toMatchObject({
      status: 503,
      body: { error: "graph not configured" },
    });
  });

  it("deletes todos without touching a graph and counts no graph error", async () => {
    expect(await call(plain, "DELETE", "/api/todos/1")).toMatchObject({ status: 204 });
    expect(plain.metrics.registry.render()).toContain("\ngraph_errors_total 0\n");
  });

  it("leaves the graph out of /health", async () => {
    expect(await call(plain, "GET", "/health")).toMatchObject({
      status: 200,
      body: { status: "ok", checks: { database: { status: "ok" }, cache: { status: "ok" } } },
    });
    expect(Object.keys((await call(plain, "GET", "/health")).body as object)).toEqual(["status", "checks"]);
  });
});

describe("GET /health with a graph", () => {
  it("is ok when database, cache and graph answer", async () => {
    expect(await call(app, "GET", "/health")).toMatchObject({
      status: 200,
      body: {
        status: "ok",
        checks: { database: { status: "ok" }, cache: { status: "ok" }, graph: { status: "ok" } },
      },
    });
  });

  it("is degraded but still 200 when only the graph is down", async () => {
    graph.failure = GRAPH_DOWN;
    const response = await call(app, "GET", "/health");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: "degraded",
      checks: {
        database: { status: "ok" },
        cache: { status: "ok" },
        graph: { status: "down", error: GRAPH_DOWN.message },
      },
    });
  });

  it("is down with 503 when the database is down, whatever the graph", async () => {
    app.store.failure = new Error("password authentication failed");
    expect(await call(app, "GET", "/health")).toMatchObject({ status: 503, body: { status: "down" } });
  });

  it("reports only the status on the public /api/health", async () => {
    graph.failure = GRAPH_DOWN;
    const response = await call(app, "GET", "/api/health");
    expect(response).toMatchObject({ status: 200 });
    expect(response.body).toEqual({ status: "degraded" });
  });

  it("reports a graph that does not answer in time as down", async () => {
    const slow = new MemoryGraphStore();
    slow.ping = () => new Promise<void>(() => {});
    const slowApp = await startTestApp({ graph: slow, healthTimeouts: { graphMs: 20 } });
    try {
      expect(await call(slowApp, "GET", "/health")).toMatchObject({
        status: 200,
        body: {
          status: "degraded",
          checks: { graph: { status: "down", error: "graph check timed out after 20 ms" } },
        },
      });
    } finally {
      await slowApp.close();
    }
  });
});

describe("metrics and logs of the links routes", () => {
  it("labels requests with the route pattern, not the ids", async () => {
    await link(1, "blocks", 2);
    await call(app, "DELETE", "/api/todos/1/links/blocks/2");
    await call(app, "GET", "/api/todos/3/blocks");
    const text = app.metrics.registry.render();
    expect(text).toContain('http_requests_total{method="POST",route="/api/todos/:id/links",status="201"} 1');
    expect(text).toContain(
      'http_requests_total{method="DELETE",route="/api/todos/:id/links/:type/:target",status="204"} 1',
    );
    expect(text).toContain('http_requests_total{method="GET",route="/api/todos/:id/blocks",status="200"} 1');
  });
});
