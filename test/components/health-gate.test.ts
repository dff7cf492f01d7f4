import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { healthGate } from "../../components/health-gate";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { Service } from "../../components/service";
import { fakeEngine, RUNNING, type FakeEngine } from "../fake-docker-engine";
import { registered } from "../../infra/offline";
import { CONTAINER, child, freshRegistrations, promiseOf, settle } from "../mocks";

// A health gate per replica where the Docker host is a unix socket (components/health-gate.ts): it
// probes in the program during an update and registers nothing.
const REF = `ghcr.io/acme/api:1.4.2@sha256:${"cd".repeat(32)}`;
const TEST = ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health"];

function service(prefix: string, host: string | undefined, replicas = 2, dependsOn: Service[] = []): Service {
  const provider = host === undefined ? undefined : new docker.Provider(`${prefix}-docker`, { host });
  return new Service(
    `${prefix}`,
    {
      image: new Image(`${prefix}-img`, { ref: REF }),
      networks: [new Network(`${prefix}-net`)],
      healthcheck: { test: TEST, timeout: "3s" },
      replicas,
      dependsOn,
    },
    provider === undefined ? {} : { providers: [provider] },
  );
}

describe("Service's health gates (offline, a preview)", () => {
  beforeEach(freshRegistrations);

  it("leave the waiting to the gates on a unix-socket host, with no resource for them", async () => {
    const svc = service("gated", "unix:///var/run/docker.sock");
    await settle();
    expect([child(CONTAINER, "gated-0").inputs.wait, child(CONTAINER, "gated-1").inputs.wait]).toEqual([
      false,
      false,
    ]);
    expect(registered().filter((r) => r.type.startsWith("pulumi-nodejs:"))).toEqual([]);
    expect(await promiseOf(pulumi.output(svc.healthy))).toBe(svc);
  });

  it("start the next replica of a rollout after the previous one's gate", async () => {
    service("roll", "unix:///var/run/docker.sock");
    await settle();
    expect(child(CONTAINER, "roll-1").options.dependencies).toContain(child(CONTAINER, "roll-0").urn);
  });

  it("hold a dependent service until its dependency's replicas passed", async () => {
    const db = service("db", "unix:///var/run/docker.sock");
    service("app", "unix:///var/run/docker.sock", 1, [db]);
    await settle();
    expect(child(CONTAINER, "app-0").options.dependencies).toEqual(
      expect.arrayContaining([child(CONTAINER, "db-0").urn, child(CONTAINER, "db-1").urn]),
    );
  });

  it("leave the waiting to the provider on a host without a socket", async () => {
    service("remote", "ssh://deploy@prod", 1);
    await settle();
    expect(child(CONTAINER, "remote-0").inputs.wait).toBe(true);
  });

  it("leave the waiting to the provider without a docker provider to read the host from", async () => {
    const svc = service("plain", undefined, 1);
    await settle();
    expect(child(CONTAINER, "plain-0").inputs.wait).toBe(true);
    expect(await promiseOf(svc.containerIds)).toEqual(["plain-0-id"]);
    // Nothing to wait for beyond the containers' creation: the service itself.
    expect(svc.healthy).toBe(svc);
  });
});

describe("healthGate", () => {
  beforeEach(freshRegistrations);
  afterEach(() => vi.restoreAllMocks());

  const probe = (socketPath: string | undefined) => ({
    socketPath,
    name: "api-0",
    test: TEST,
    probeTimeoutMs: 1000,
    timeoutMs: 600,
  });
  const container = (name: string) => new docker.Container(name, { image: REF });

  it("probes nothing in a preview", async () => {
    const engine: FakeEngine = {
      containerId: "p-0-id",
      states: [RUNNING],
      exits: [1],
      requests: [],
      execBodies: [],
    };
    const gate = healthGate(container("p-0"), probe(await fakeEngine(engine)));
    expect(await promiseOf(gate.failure)).toBeUndefined();
    expect(engine.requests).toEqual([]);
  });

  it("in an update, passes with the container once its healthcheck passes", async () => {
    vi.spyOn(pulumi.runtime, "isDryRun").mockReturnValue(false);
    const engine: FakeEngine = {
      containerId: "u-0-id",
      states: [RUNNING],
      exits: [0],
      requests: [],
      execBodies: [],
    };
    const replica = container("u-0");
    const gate = healthGate(replica, probe(await fakeEngine(engine)));
    expect(await promiseOf(gate.passed)).toBe(replica);
    expect(await promiseOf(gate.failure)).toBeUndefined();
    expect(engine.requests.slice(0, 2)).toEqual([
      "GET /containers/u-0-id/json",
      "POST /containers/u-0-id/exec",
    ]);
  });

  it("in an update, fails with an error on the container, its stack left out", async () => {
    vi.spyOn(pulumi.runtime, "isDryRun").mockReturnValue(false);
    const engine: FakeEngine = {
      containerId: "f-0-id",
      states: [RUNNING],
      exits: [7],
      requests: [],
      execBodies: [],
    };
    const replica = container("f-0");
    const gate = healthGate(replica, probe(await fakeEngine(engine)));
    const reason =
      "container api-0 was not healthy within 1 s (Docker's status: starting; the last healthcheck exited 7)";
    expect(await promiseOf(gate.failure)).toBe(reason);
    // An Output's promises (not in the SDK's typings): its value's, and the two beside it that
    // reject with it, which the SDK's uncaught-error handler would report in a real run.
    const passed = gate.passed as unknown as {
      promise(): Promise<unknown>;
      isKnown: Promise<unknown>;
      isSecret: Promise<unknown>;
    };
    void passed.isKnown.catch(() => undefined);
    void passed.isSecret.catch(() => undefined);
    const error = await passed.promise().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(pulumi.ResourceError);
    expect(error).toMatchObject({ message: reason, resource: replica, hideStack: true });
    // One line: Node 20's util.inspect, which the SDK runs on every uncaught error, loops for ~20 s
    // over a stack frame in node_modules/@pulumi/output.ts.
    expect((error as Error).stack).toBe(`ResourceError: ${reason}`);
  });

  it("in an update, passes at once where the host has no socket", async () => {
    vi.spyOn(pulumi.runtime, "isDryRun").mockReturnValue(false);
    const replica = container("n-0");
    expect(await promiseOf(healthGate(replica, probe(undefined)).passed)).toBe(replica);
  });
});
