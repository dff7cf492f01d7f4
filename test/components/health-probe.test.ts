import { describe, expect, it } from "vitest";
import {
  dockerSocketPath,
  probeCommand,
  waitUntilHealthy,
  type ProbeTarget,
} from "../../components/health-probe";
import { fakeEngine, RUNNING, type FakeEngine } from "../fake-docker-engine";

describe("probeCommand", () => {
  it.each([
    [
      ["CMD", "pg_isready", "-U", "app"],
      ["pg_isready", "-U", "app"],
    ],
    [
      ["CMD-SHELL", "redis-cli ping | grep -q PONG"],
      ["/bin/sh", "-c", "redis-cli ping | grep -q PONG"],
    ],
  ])("runs %j as Docker does: %j", (test, command) => {
    expect(probeCommand(test)).toEqual(command);
  });

  it("rejects a test that is neither CMD nor CMD-SHELL", () => {
    expect(() => probeCommand(["NONE"])).toThrow(
      'healthcheck test must start with CMD or CMD-SHELL, got ["NONE"]',
    );
  });
});

describe("dockerSocketPath", () => {
  it.each([
    ["unix:///var/run/docker.sock", "/var/run/docker.sock"],
    ["unix:///run/user/1000/docker.sock", "/run/user/1000/docker.sock"],
    ["tcp://10.0.0.5:2376", undefined],
    ["ssh://deploy@prod", undefined],
    [undefined, undefined],
  ])("%s → %s", (host, socket) => {
    expect(dockerSocketPath(host)).toBe(socket);
  });
});

function target(socketPath: string, overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    socketPath,
    containerId: "c1",
    name: "api-0",
    test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health"],
    probeTimeoutMs: 1000,
    timeoutMs: 5000,
    ...overrides,
  };
}

describe("waitUntilHealthy", () => {
  it("runs the healthcheck in the container as soon as it runs, and is done at the first pass", async () => {
    const engine: FakeEngine = { states: [RUNNING], exits: [1, 0], requests: [], execBodies: [] };
    const socket = await fakeEngine(engine);
    await waitUntilHealthy(target(socket));
    expect(engine.requests).toEqual([
      "GET /containers/c1/json",
      "POST /containers/c1/exec",
      "POST /exec/e0/start",
      "GET /exec/e0/json",
      "GET /containers/c1/json",
      "POST /containers/c1/exec",
      "POST /exec/e1/start",
      "GET /exec/e1/json",
    ]);
    expect(engine.execBodies[0]).toEqual({
      Cmd: ["/bin/sh", "-c", "wget -q -O /dev/null http://127.0.0.1:8080/health"],
      AttachStdout: false,
      AttachStderr: false,
    });
  });

  it("is done when Docker already reports the container healthy", async () => {
    const engine: FakeEngine = {
      states: [{ ...RUNNING, Health: { Status: "healthy" } }],
      exits: [1],
      requests: [],
      execBodies: [],
    };
    await waitUntilHealthy(target(await fakeEngine(engine)));
    expect(engine.requests).toEqual(["GET /containers/c1/json"]);
  });

  it("waits while the container is restarting, without probing it", async () => {
    const restarting = { Status: "restarting", Running: true, Restarting: true };
    const engine: FakeEngine = { states: [restarting, RUNNING], exits: [0], requests: [], execBodies: [] };
    await waitUntilHealthy(target(await fakeEngine(engine)));
    expect(engine.requests.filter((r) => r.endsWith("/exec"))).toHaveLength(1);
    expect(engine.requests[0]).toBe("GET /containers/c1/json");
    expect(engine.requests[1]).toBe("GET /containers/c1/json");
  });

  it("probes again when the container stopped between inspect and exec (409)", async () => {
    const engine: FakeEngine = {
      states: [RUNNING],
      exits: [0],
      execStatuses: [409],
      requests: [],
      execBodies: [],
    };
    await waitUntilHealthy(target(await fakeEngine(engine)));
    expect(engine.requests).toEqual([
      "GET /containers/c1/json",
      "POST /containers/c1/exec",
      "GET /containers/c1/json",
      "POST /containers/c1/exec",
      "POST /exec/e0/start",
      "GET /exec/e0/json",
    ]);
  });

  it("rejects an exec the engine refuses otherwise, with its answer", async () => {
    const engine: FakeEngine = {
      states: [RUNNING],
      exits: [0],
      execStatuses: [500],
      requests: [],
      execBodies: [],
    };
    await expect(waitUntilHealthy(target(await fakeEngine(engine)))).rejects.toThrow(
      'could not run the healthcheck ({"message":"exec refused (500)"})',
    );
  });

  it("rejects a container that stopped, with its exit code", async () => {
    const engine: FakeEngine = {
      states: [{ Status: "exited", Running: false, ExitCode: 3 }],
      exits: [0],
      requests: [],
      execBodies: [],
    };
    await expect(waitUntilHealthy(target(await fakeEngine(engine)))).rejects.toThrow(
      "container api-0 stopped (exit code 3); `docker logs` on it says why",
    );
  });

  it("rejects a container that is gone", async () => {
    const engine: FakeEngine = { states: [RUNNING], exits: [0], requests: [], execBodies: [] };
    await expect(waitUntilHealthy(target(await fakeEngine(engine), { containerId: "gone" }))).rejects.toThrow(
      "container api-0 is gone",
    );
  });

  it("rejects a container not healthy in time, with Docker's status and the last probe", async () => {
    const engine: FakeEngine = { states: [RUNNING], exits: [7], requests: [], execBodies: [] };
    await expect(waitUntilHealthy(target(await fakeEngine(engine), { timeoutMs: 600 }))).rejects.toThrow(
      "container api-0 was not healthy within 1 s (Docker's status: starting; the last healthcheck exited 7)",
    );
  });

  it("counts a probe that outlives its timeout as failed", async () => {
    const engine: FakeEngine = { states: [RUNNING], exits: [null], requests: [], execBodies: [] };
    await expect(
      waitUntilHealthy(target(await fakeEngine(engine), { timeoutMs: 300, probeTimeoutMs: 200 })),
    ).rejects.toThrow("the last healthcheck did not finish");
  });
});
