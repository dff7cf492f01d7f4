import * as docker from "@pulumi/docker";
import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { HealthGateProvider } from "../../components/health-gate";
import { Service } from "../../components/service";
import { HEALTH_GATE_TYPE } from "../../scripts/review/resources";
import { CONTAINER, child, freshRegistrations, ofType, promiseOf, settle, type Registration } from "../mocks";

// One health gate per replica where the Docker host is a unix socket (components/health-gate.ts),
// registered under the type the change summary knows (scripts/review/resources.ts).
const GATE = HEALTH_GATE_TYPE;
const REF = `ghcr.io/acme/api:1.4.2@sha256:${"cd".repeat(32)}`;
const TEST = ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health"];

function service(prefix: string, host: string | undefined, replicas = 2): Service {
  const provider = host === undefined ? undefined : new docker.Provider(`${prefix}-docker`, { host });
  return new Service(
    `${prefix}`,
    {
      image: new Image(`${prefix}-img`, { ref: REF }),
      networks: [new Network(`${prefix}-net`)],
      healthcheck: { test: TEST, timeout: "3s" },
      replicas,
    },
    provider === undefined ? {} : { providers: [provider] },
  );
}

const gateInputs = (r: Registration) => {
  const { __provider, ...inputs } = r.inputs;
  return { serialized: typeof __provider === "string" && __provider.length > 0, ...inputs };
};

describe("HealthGate", () => {
  beforeEach(freshRegistrations);

  it("gates each replica on a unix-socket host, and the containers leave the waiting to it", async () => {
    service("gated", "unix:///var/run/docker.sock");
    await settle();
    const gates = ofType(GATE).filter((r) => r.name.startsWith("gated-"));
    expect(gates.map((g) => g.name)).toEqual(["gated-0-healthy", "gated-1-healthy"]);
    expect(gateInputs(gates[0]!)).toEqual({
      serialized: true,
      socketPath: "/var/run/docker.sock",
      containerId: "gated-0-id",
      name: "gated-0",
      test: TEST,
      probeTimeoutMs: 3000,
      // startPeriod 30 s + interval 10 s × retries 5 + 30 s margin
      timeoutMs: 110_000,
    });
    expect(gates[0]!.parent).toBe(child("shipyard:components:Service", "gated").urn);
    expect([child(CONTAINER, "gated-0").inputs.wait, child(CONTAINER, "gated-1").inputs.wait]).toEqual([
      false,
      false,
    ]);
  });

  it("starts the next replica of a rollout when the previous one's gate passed", async () => {
    service("roll", "unix:///var/run/docker.sock");
    await settle();
    expect(child(CONTAINER, "roll-1").options.dependencies).toContain(child(GATE, "roll-0-healthy").urn);
    expect(child(CONTAINER, "roll-1").options.dependencies).not.toContain(child(CONTAINER, "roll-0").urn);
  });

  it("leaves the waiting to the provider on a host without a socket", async () => {
    service("remote", "ssh://deploy@prod", 1);
    await settle();
    expect(child(CONTAINER, "remote-0").inputs.wait).toBe(true);
    expect(child(GATE, "remote-0-healthy").inputs.socketPath).toBe("");
  });

  it("runs the gates on the provider the program registered, not on a default one", async () => {
    const gates = new HealthGateProvider("gates-provider");
    const provider = new docker.Provider("own-docker", { host: "unix:///var/run/docker.sock" });
    new Service(
      "own",
      {
        image: new Image("own-img", { ref: REF }),
        networks: [new Network("own-net")],
        healthcheck: { test: TEST },
      },
      { providers: [provider, gates] },
    );
    await settle();
    const gate = child(GATE, "own-0-healthy");
    expect(gate.options.provider).toBe(
      `${child("pulumi:providers:pulumi-nodejs", "gates-provider").urn}::gates-provider-id`,
    );
  });

  it("registers no gate without a docker provider to read the host from", async () => {
    const svc = service("plain", undefined, 1);
    await settle();
    expect(ofType(GATE).filter((r) => r.name.startsWith("plain-"))).toEqual([]);
    expect(child(CONTAINER, "plain-0").inputs.wait).toBe(true);
    expect(await promiseOf(svc.containerIds)).toEqual(["plain-0-id"]);
  });
});
