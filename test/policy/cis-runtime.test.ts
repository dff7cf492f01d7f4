import { describe, expect, it } from "vitest";
import { cpuLimit, healthcheck, memoryLimit, readOnlyRootFs, restartPolicy } from "../../policy/cis-runtime";
import { pidsLimit, swarmSecurityOptions } from "../../policy/gaps";
import { UNKNOWN } from "../../policy/types";
import { isFileCarrier } from "../../policy/inputs";
import { container, prod, prodSwarm, service, violation } from "./fixtures";

// A file carrier is created and never started (components/file-carrier.ts): rules on how a
// container runs do not apply to it, but only when it cannot run at all.
describe("file carriers", () => {
  const carrier = {
    start: false,
    networkMode: "none",
    readOnly: false,
    restart: "no",
    healthcheck: undefined,
  };

  it("are left out of the rules on how a container runs", () => {
    const files = container("api-files", carrier);
    expect(isFileCarrier(files)).toBe(true);
    for (const rule of [readOnlyRootFs, restartPolicy, healthcheck])
      expect(rule.check([files], prod)).toEqual([]);
  });

  it("count only when they cannot run: not started, no network, ALL capabilities dropped", () => {
    const started = container("a", { ...carrier, start: true });
    const networked = container("b", { ...carrier, networkMode: "bridge" });
    const capable = container("c", { ...carrier, capabilities: { drops: ["NET_RAW"] } });
    expect([started, networked, capable].map(isFileCarrier)).toEqual([false, false, false]);
    expect(readOnlyRootFs.check([networked], prod)).toEqual([
      violation(
        "Container",
        "b",
        "`readOnly` is false; mount the root filesystem read-only and give writable paths a tmpfs or volume (CIS 5.13)",
      ),
    ]);
  });
});

describe("CIS-5.11 memory limit", () => {
  it("accepts limits on containers (MB) and services (bytes)", () => {
    expect(memoryLimit.check([container("api-0"), service("api")], prod)).toEqual([]);
  });

  it.each([
    [undefined, "is not set"],
    [0, "is 0"],
  ])("rejects container memory %j", (memory, problem) => {
    expect(memoryLimit.check([container("api-0", { memory })], prod)).toEqual([
      violation("Container", "api-0", `\`memory\` ${problem}; set a memory limit in MB (CIS 5.11)`),
    ]);
  });

  it("rejects a service without memoryBytes", () => {
    expect(
      memoryLimit.check(
        [service("api", { taskSpec: { resources: { limits: { memoryBytes: undefined } } } })],
        prod,
      ),
    ).toEqual([
      violation(
        "Service",
        "api",
        "`taskSpec.resources.limits.memoryBytes` is not set; set a memory limit in bytes (CIS 5.11)",
      ),
    ]);
  });

  it("skips a limit not known during preview", () => {
    expect(memoryLimit.check([container("api-0", { memory: UNKNOWN })], prod)).toEqual([]);
  });
});

describe("CIS-5.12 CPU", () => {
  it.each([
    ["cpus", { cpus: "1.5", cpuShares: undefined }],
    ["cpuShares", { cpus: undefined, cpuShares: 512 }],
  ])("accepts %s", (_, patch) => {
    expect(cpuLimit.check([container("api-0", patch)], prod)).toEqual([]);
  });

  it.each([[{ cpus: undefined, cpuShares: undefined }], [{ cpus: "0", cpuShares: 0 }]])(
    "rejects %j",
    (patch) => {
      expect(cpuLimit.check([container("api-0", patch)], prod)).toEqual([
        violation(
          "Container",
          "api-0",
          'neither `cpus` nor `cpuShares` is set; set a CPU limit such as `cpus` "0.5" (CIS 5.12)',
        ),
      ]);
    },
  );

  it("rejects a service without nanoCpus", () => {
    expect(
      cpuLimit.check(
        [service("api", { taskSpec: { resources: { limits: { nanoCpus: undefined } } } })],
        prod,
      ),
    ).toEqual([
      violation(
        "Service",
        "api",
        "`taskSpec.resources.limits.nanoCpus` is not set; set a CPU limit (1 CPU = 1e9) (CIS 5.12)",
      ),
    ]);
  });
});

describe("CIS-5.13 read-only root filesystem", () => {
  it("accepts read-only containers and services", () => {
    expect(readOnlyRootFs.check([container("api-0"), service("api")], prod)).toEqual([]);
  });

  it.each([
    [false, "is false"],
    [undefined, "is not set"],
  ])("rejects readOnly %j", (readOnly, problem) => {
    expect(readOnlyRootFs.check([container("graph-0", { readOnly })], prod)).toEqual([
      violation(
        "Container",
        "graph-0",
        `\`readOnly\` ${problem}; mount the root filesystem read-only and give writable paths a tmpfs or volume (CIS 5.13)`,
      ),
    ]);
  });

  it("rejects a writable service", () => {
    expect(
      readOnlyRootFs.check([service("graph", { taskSpec: { containerSpec: { readOnly: false } } })], prod),
    ).toEqual([
      violation(
        "Service",
        "graph",
        "`taskSpec.containerSpec.readOnly` is false; mount the root filesystem read-only and give writable paths a tmpfs or volume (CIS 5.13)",
      ),
    ]);
  });
});

describe("CIS-5.15 restart policy", () => {
  it.each([
    { restart: "on-failure", maxRetryCount: 5 },
    { restart: "on-failure", maxRetryCount: 1 },
    { restart: "unless-stopped", maxRetryCount: undefined },
    { restart: "always", maxRetryCount: undefined },
  ])("accepts %j", (patch) => {
    expect(restartPolicy.check([container("api-0", patch)], prod)).toEqual([]);
  });

  it.each([
    [undefined, '`restart` is not set (Docker\'s default is "no")'],
    ["no", '`restart` is "no"'],
  ])("rejects restart %j", (restart, problem) => {
    expect(restartPolicy.check([container("api-0", { restart })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        `${problem}; use "on-failure" with \`maxRetryCount\` 5, or "unless-stopped" (CIS 5.15)`,
      ),
    ]);
  });

  it("rejects more than five retries", () => {
    expect(restartPolicy.check([container("api-0", { maxRetryCount: 10 })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`maxRetryCount` is 10 with restart "on-failure"; set it to 5 or less (CIS 5.15)',
      ),
    ]);
  });

  it("accepts a service restarting on any condition up to three times", () => {
    expect(
      restartPolicy.check(
        [service("api", { taskSpec: { restartPolicy: { condition: "any", maxAttempts: 3 } } })],
        prod,
      ),
    ).toEqual([]);
  });

  it.each([
    [{ restartPolicy: undefined }, "is not set"],
    [{ restartPolicy: { condition: "none" } }, 'is "none"'],
  ])("rejects service %j", (taskSpec, problem) => {
    expect(restartPolicy.check([service("api", { taskSpec })], prod)).toEqual([
      violation(
        "Service",
        "api",
        `\`taskSpec.restartPolicy.condition\` ${problem}; use "on-failure" with \`maxAttempts\` 5 (CIS 5.15)`,
      ),
    ]);
  });

  it("rejects a service with ten attempts", () => {
    expect(
      restartPolicy.check([service("api", { taskSpec: { restartPolicy: { maxAttempts: 10 } } })], prod),
    ).toEqual([
      violation(
        "Service",
        "api",
        "`taskSpec.restartPolicy.maxAttempts` is 10; set it to 5 or less (CIS 5.15)",
      ),
    ]);
  });
});

describe("CIS-5.27 healthcheck", () => {
  it("accepts healthchecks on containers and services", () => {
    expect(healthcheck.check([container("api-0"), service("api")], prod)).toEqual([]);
  });

  it.each([
    [undefined, "`healthcheck` is not set"],
    [{ tests: [] }, "`healthcheck.tests` is empty"],
    [{ tests: undefined }, "`healthcheck.tests` is empty"],
    [{ tests: ["NONE"] }, '`healthcheck.tests` is ["NONE"], which disables the healthcheck'],
  ])("rejects healthcheck %j", (check, problem) => {
    expect(healthcheck.check([container("api-0", { healthcheck: check })], prod)).toEqual([
      violation("Container", "api-0", `${problem}; add a healthcheck with a test command (CIS 5.27)`),
    ]);
  });

  it("rejects a service without a healthcheck", () => {
    expect(
      healthcheck.check([service("api", { taskSpec: { containerSpec: { healthcheck: undefined } } })], prod),
    ).toEqual([
      violation(
        "Service",
        "api",
        "`taskSpec.containerSpec.healthcheck` is not set; add a healthcheck with a test command (CIS 5.27)",
      ),
    ]);
  });
});

describe("gaps: CIS-5.29 PIDs limit and CIS-5.26-SWARM", () => {
  it("lists every container and service as lacking a PIDs limit", () => {
    expect(pidsLimit.check([container("api-0"), service("api")], prod)).toEqual([
      violation("Container", "api-0", "no PIDs limit (the provider has no `pidsLimit` input)"),
      violation("Service", "api", "no PIDs limit (the provider has no `pidsLimit` input)"),
    ]);
  });

  it("lists swarm services as unable to set no-new-privileges, on the swarm target only", () => {
    expect(swarmSecurityOptions.appliesTo).toEqual(["swarm"]);
    expect(swarmSecurityOptions.check([container("api-0"), service("api")], prodSwarm)).toEqual([
      violation("Service", "api", "security options (no-new-privileges) cannot be set on a swarm service"),
    ]);
  });

  it("says how each gap is mitigated", () => {
    expect(pidsLimit.gap).toContain("systemd TasksMax");
    expect(swarmSecurityOptions.gap).toContain('"no-new-privileges": true');
  });
});
