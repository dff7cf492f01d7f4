import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { Secret } from "../../components/secret";
import { Service, type ServiceArgs } from "../../components/service";
import { swarmTmpfs } from "../../components/swarm-spec";
import { child, expectThrowsExactly, resetRegistrations, settle, SWARM_SERVICE } from "../mocks";

const DIGEST = `sha256:${"c".repeat(64)}`;
let n = 0;
function base(target: "container" | "swarm"): ServiceArgs {
  n += 1;
  return {
    image: new Image(`img-${n}`, { ref: `app@${DIGEST}` }),
    networks: [new Network(`net-${n}`, { target })],
    healthcheck: { test: ["CMD", "true"] },
    target,
  };
}

beforeEach(() => resetRegistrations());

describe("target capability check", () => {
  it.each<[string, "container" | "swarm", Partial<ServiceArgs>, string]>([
    [
      "securityOpts on swarm",
      "swarm",
      { securityOpts: ["apparmor=docker-default"] },
      'Service "svc": `securityOpts` cannot be honoured on the swarm target; docker.Service has no security options: set "no-new-privileges": true (and AppArmor/seccomp defaults) in /etc/docker/daemon.json on every node (README, "Production on Swarm")',
    ],
    [
      "a host address on swarm",
      "swarm",
      { ports: [{ containerPort: 8080, hostPort: 8080, hostAddress: "10.0.0.1" }] },
      'Service "svc": `ports[0].hostAddress` cannot be honoured on the swarm target; a host-mode port binds every interface of the node running the task; leave it unset and restrict access with the host firewall',
    ],
    [
      "bind mounts on swarm",
      "swarm",
      { bindMounts: [{ source: "/srv/app", target: "/app" }] },
      'Service "svc": `bindMounts` cannot be honoured on the swarm target; a task may run on any node: use a volume',
    ],
    [
      "placement on containers",
      "container",
      { placement: ["node.role == manager"] },
      'Service "svc": `placement` cannot be honoured on the container target; containers run on the provider\'s one host: drop it, or use target "swarm"',
    ],
    [
      "updateOrder on containers",
      "container",
      { updateOrder: "stop-first" },
      'Service "svc": `updateOrder` cannot be honoured on the container target; containers are replaced one replica at a time, each new one healthy first: drop it, or use target "swarm"',
    ],
    [
      "a swarm name on containers",
      "container",
      { dockerName: "svc-prod" },
      'Service "svc": `dockerName` cannot be honoured on the container target; containers are auto-named so a replacement can start before the old one stops: drop it, or use target "swarm"',
    ],
    [
      "an unconfined seccomp profile",
      "container",
      { securityOpts: ["seccomp=unconfined"] },
      'Service "svc": `securityOpts` must not disable a security profile (CIS 5.2/5.22), got "seccomp=unconfined"',
    ],
  ])("rejects %s", (_name, target, extra, message) => {
    const args = { ...base(target), ...extra };
    expectThrowsExactly(() => new Service("svc", args), message);
  });

  it("rejects a secret without a Swarm secret on the swarm target", () => {
    const secret = new Secret("plain-secret");
    expectThrowsExactly(
      () => new Service("svc", { ...base("swarm"), secrets: [{ secret, env: "TOKEN_FILE" }] }),
      'Service "svc": `secrets` file /run/secrets/plain-secret (secrets) has no Swarm secret; create its Secret with target "swarm"',
    );
  });
});

describe("Service on swarm", () => {
  it("registers one docker.Service with the secure defaults and in-place rolling updates", async () => {
    const secret = new Secret("token", { target: "swarm", dockerName: "prod-token" });
    new Service("svc", {
      ...base("swarm"),
      replicas: 2,
      secrets: [{ secret, env: "TOKEN_FILE" }],
      ports: [{ containerPort: 8080, hostPort: 18080 }],
    });
    await settle();
    const inputs = child(SWARM_SERVICE, "svc").inputs;
    const secretName = (inputs.taskSpec as { containerSpec: { secrets: { secretName: string }[] } })
      .containerSpec.secrets[0]!.secretName;
    expect(secretName).toMatch(/^prod-token-[a-f0-9]{12}$/);
    expect(inputs).toEqual({
      name: "svc",
      labels: [
        { label: "shipyard.role", value: "app" },
        { label: "shipyard.service", value: "svc" },
        { label: "shipyard.stateful", value: "false" },
      ],
      mode: { replicated: { replicas: 2 } },
      taskSpec: {
        containerSpec: {
          image: `app@${DIGEST}`,
          env: { TOKEN_FILE: "/run/secrets/token" },
          user: "10001:10001",
          readOnly: true,
          capDrops: ["ALL"],
          capAdds: [],
          init: true,
          stopGracePeriod: "10s",
          healthcheck: {
            tests: ["CMD", "true"],
            interval: "10s",
            timeout: "5s",
            retries: 5,
            startPeriod: "30s",
          },
          mounts: [{ type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 67108864, mode: 0o777 } }],
          secrets: [
            {
              secretId: "token-id",
              secretName,
              fileName: "/run/secrets/token",
              fileUid: "10001",
              fileGid: "10001",
              fileMode: 0o400,
            },
          ],
          configs: [],
          labels: [
            { label: "shipyard.role", value: "app" },
            { label: "shipyard.service", value: "svc" },
            { label: "shipyard.stateful", value: "false" },
          ],
        },
        resources: { limits: { memoryBytes: 268435456, nanoCpus: 500000000 } },
        restartPolicy: { condition: "any", delay: "5s", window: "2m" },
        logDriver: { name: "json-file", options: { "max-size": "10m", "max-file": "3" } },
        networksAdvanceds: [{ id: `net-${n}-id`, aliases: ["svc"] }],
      },
      updateConfig: {
        parallelism: 1,
        delay: "10s",
        // A host-mode port binds once per node: the old task goes first.
        order: "stop-first",
        failureAction: "rollback",
        monitor: "1m20s",
        maxFailureRatio: "0",
      },
      rollbackConfig: {
        parallelism: 1,
        delay: "0s",
        order: "stop-first",
        failureAction: "pause",
        monitor: "1m20s",
        maxFailureRatio: "0",
      },
      convergeConfig: { delay: "7s", timeout: "300s" },
      endpointSpec: {
        // No IPVS needed: DNS round robin, and the port bound on the node running the task.
        mode: "dnsrr",
        ports: [{ targetPort: 8080, publishedPort: 18080, protocol: "tcp", publishMode: "host" }],
      },
    });
  });

  it("gives each task its own anonymous volumes", async () => {
    new Service("svc-anon", { ...base("swarm"), anonymousVolumes: ["/var/lib/app/conf"] });
    await settle();
    const spec = child(SWARM_SERVICE, "svc-anon").inputs.taskSpec as { containerSpec: { mounts: unknown[] } };
    expect(spec.containerSpec.mounts).toEqual([
      { type: "volume", target: "/var/lib/app/conf", readOnly: false },
      { type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 67108864, mode: 0o777 } },
    ]);
  });

  it.each<[string, string, { sizeBytes?: number; mode: number }]>([
    ["/tmp", "rw,noexec,nosuid,size=64m", { sizeBytes: 67108864, mode: 0o777 }],
    ["/run/pg", "rw,size=1m,uid=70,gid=70", { sizeBytes: 1048576, mode: 0o777 }],
    ["/cache", "rw,noexec", { mode: 0o777 }],
  ])("maps tmpfs %s %s to swarm options", (target, options, tmpfsOptions) => {
    expect(swarmTmpfs(target, options)).toEqual({ type: "tmpfs", target, tmpfsOptions });
  });
});
