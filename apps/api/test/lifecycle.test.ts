import { request, type IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { shutdown } from "../src/lifecycle.js";
import { MemoryTodoStore } from "../src/memory-store.js";
import type { Todo } from "../src/todos.js";
import { startTestApp } from "./harness.js";

/** A store whose list() waits until the test releases it, to hold a request in flight. */
class GatedStore extends MemoryTodoStore {
  entered!: Promise<void>;
  private markEntered!: () => void;
  private gate!: Promise<void>;
  release!: () => void;

  constructor() {
    super();
    this.entered = new Promise((resolve) => (this.markEntered = resolve));
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  override async list(): Promise<Todo[]> {
    this.markEntered();
    await this.gate;
    return super.list();
  }
}

function get(url: string): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false gives a fresh connection, so the test controls exactly one socket.
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ res, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("shutdown", () => {
  it("lets an in-flight request complete, then closes the server", async () => {
    const store = new GatedStore();
    const app = await startTestApp({ store });
    const inFlight = get(`${app.url}/api/todos`);
    await store.entered;

    const stopped = shutdown(app.server, 2_000);
    // New connections are refused as soon as shutdown starts.
    await expect(get(`${app.url}/health`)).rejects.toThrow(/ECONNREFUSED/);

    store.release();
    const { res, body } = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(body).toBe("[]");
    expect(res.headers["connection"]).toBe("close");
    await expect(stopped).resolves.toEqual({ forced: false });
    expect(app.server.listening).toBe(false);
  });

  it("cuts connections still busy when the timeout expires", async () => {
    const store = new GatedStore();
    const app = await startTestApp({ store });
    const inFlight = get(`${app.url}/api/todos`);
    await store.entered;

    await expect(shutdown(app.server, 50)).resolves.toEqual({ forced: true });
    await expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/);
    store.release();
  });

  it("closes idle keep-alive connections instead of waiting for their timeout", async () => {
    const app = await startTestApp();
    const response = await fetch(`${app.url}/health`);
    await response.text();
    const started = Date.now();
    await expect(shutdown(app.server, 2_000)).resolves.toEqual({ forced: false });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("resolves at once for a server that is not listening", async () => {
    const app = await startTestApp();
    await app.close();
    await expect(shutdown(app.server, 1_000)).resolves.toEqual({ forced: false });
  });
});
