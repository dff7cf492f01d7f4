import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach } from "vitest";

/**
 * A Docker Engine API on a unix socket that answers from a script and records each request: what
 * the health probe (components/health-probe.ts) talks to in tests. Closed after each test.
 */
export interface FakeEngine {
  /** The container it knows (`c1` unless set); `gone` answers 404. */
  containerId?: string;
  /** State.* per container inspect, in order; the last one repeats. */
  states: object[];
  /** Exit codes of successive probes; the last one repeats. */
  exits: (number | null)[];
  /** HTTP statuses of successive exec creations (201 when unset or used up). */
  execStatuses?: number[];
  requests: string[];
  execBodies: unknown[];
}

let server: http.Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

/** Starts the fake engine; its socket path. */
export async function fakeEngine(engine: FakeEngine): Promise<string> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-probe-"));
  const socketPath = path.join(dir, "docker.sock");
  const id = engine.containerId ?? "c1";
  let inspects = 0;
  let probes = 0;
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      engine.requests.push(`${req.method} ${req.url}`);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.url === `/containers/${id}/json`) {
        const state = engine.states[Math.min(inspects++, engine.states.length - 1)];
        return json(200, { State: state });
      }
      if (req.url === "/containers/gone/json") return json(404, { message: "No such container: gone" });
      if (req.url === `/containers/${id}/exec`) {
        engine.execBodies.push(JSON.parse(body));
        const status = engine.execStatuses?.shift() ?? 201;
        if (status !== 201) return json(status, { message: `exec refused (${status})` });
        return json(201, { Id: `e${probes}` });
      }
      if (req.url?.startsWith("/exec/") && req.url.endsWith("/start")) return json(200, {});
      if (req.url?.startsWith("/exec/") && req.url.endsWith("/json")) {
        const exit = engine.exits[Math.min(probes++, engine.exits.length - 1)];
        return json(200, exit === null ? { Running: true } : { Running: false, ExitCode: exit });
      }
      json(500, { message: `unexpected ${req.method} ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
  return socketPath;
}

/** A running container whose healthcheck Docker has not run yet. */
export const RUNNING = { Status: "running", Running: true, Health: { Status: "starting" } };
