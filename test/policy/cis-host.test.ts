import { describe, expect, it } from "vitest";
import {
  defaultBridge,
  dockerSocket,
  hostInterface,
  hostIpc,
  hostNetwork,
  hostPid,
  hostUserns,
  mountPropagation,
  privilegedPorts,
  sensitiveHostPaths,
} from "../../policy/cis-host";
import { UNKNOWN } from "../../policy/types";
import { container, prod, service, violation } from "./fixtures";

describe("CIS-5.10, 5.16, 5.17, 5.31 host namespaces", () => {
  it.each([
    [
      hostNetwork,
      "networkMode",
      "attach a user-defined network through `networksAdvanced` instead (CIS 5.10)",
    ],
    [hostPid, "pidMode", "remove it so the container has its own PID namespace (CIS 5.16)"],
    [hostIpc, "ipcMode", 'use "private" or leave it unset (CIS 5.17)'],
    [hostUserns, "usernsMode", "remove it (CIS 5.31)"],
  ] as const)("%# rejects %s host", (rule, field, fix) => {
    expect(rule.check([container("api-0", { [field]: "host" })], prod)).toEqual([
      violation("Container", "api-0", `\`${field}\` is "host"; ${fix}`),
    ]);
  });

  it.each([
    [hostNetwork, "networkMode", "bridge"],
    [hostPid, "pidMode", undefined],
    [hostIpc, "ipcMode", "private"],
    [hostUserns, "usernsMode", ""],
  ] as const)("%# accepts %s %j", (rule, field, value) => {
    expect(rule.check([container("api-0", { [field]: value })], prod)).toEqual([]);
  });
});

describe("CIS-5.6 sensitive host directories", () => {
  it.each(["/srv/app/config", "/var/lib/app", "/etcetera", "/home/app"])(
    "accepts a bind of %j",
    (hostPath) => {
      const resources = [
        container("api-0", { volumes: [{ hostPath, containerPath: "/data" }] }),
        service("api", {
          taskSpec: { containerSpec: { mounts: [{ type: "bind", source: hostPath, target: "/data" }] } },
        }),
      ];
      expect(sensitiveHostPaths.check(resources, prod)).toEqual([]);
    },
  );

  it.each(["/", "/etc", "/etc/passwd", "/usr/lib", "//proc/", "/sys", "/boot", "/dev", "/lib"])(
    "rejects a volume binding %j",
    (hostPath) => {
      expect(
        sensitiveHostPaths.check([container("api-0", { volumes: [{ hostPath, readOnly: true }] })], prod),
      ).toEqual([
        violation(
          "Container",
          "api-0",
          `\`volumes[0].hostPath\` is ${JSON.stringify(hostPath)}, a sensitive host directory; use a named volume or a narrower, non-system path (CIS 5.6)`,
        ),
      ]);
    },
  );

  it("rejects bind mounts on containers and services, not volume mounts", () => {
    const api = container("api-0", {
      mounts: [
        { type: "volume", source: "etc", target: "/etc/app" },
        { type: "bind", source: "/boot", target: "/boot" },
      ],
    });
    const worker = service("worker", {
      taskSpec: { containerSpec: { mounts: [{ type: "bind", source: "/dev", target: "/dev" }] } },
    });
    expect(sensitiveHostPaths.check([api, worker], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`mounts[1].source` is "/boot", a sensitive host directory; use a named volume or a narrower, non-system path (CIS 5.6)',
      ),
      violation(
        "Service",
        "worker",
        '`taskSpec.containerSpec.mounts[0].source` is "/dev", a sensitive host directory; use a named volume or a narrower, non-system path (CIS 5.6)',
      ),
    ]);
  });
});

describe("CIS-5.32 Docker socket", () => {
  it("accepts paths that only look alike", () => {
    const api = container("api-0", {
      volumes: [{ hostPath: "/srv/docker.socket" }, { volumeName: "docker.sock" }],
    });
    expect(dockerSocket.check([api], prod)).toEqual([]);
  });

  it("rejects the socket on a container even read-only, and on a service", () => {
    const cadvisor = container("cadvisor-0", {
      volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }],
      mounts: [{ type: "bind", source: "/run/docker.sock", target: "/docker.sock" }],
    });
    const agent = service("agent", {
      taskSpec: {
        containerSpec: { mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/s" }] },
      },
    });
    const text = (field: string, path: string) =>
      `\`${field}\` is "${path}", the Docker socket (even read-only it grants root on the host); remove it (CIS 5.32)`;
    expect(dockerSocket.check([cadvisor, agent], prod)).toEqual([
      violation("Container", "cadvisor-0", text("volumes[0].hostPath", "/var/run/docker.sock")),
      violation("Container", "cadvisor-0", text("mounts[0].source", "/run/docker.sock")),
      violation("Service", "agent", text("taskSpec.containerSpec.mounts[0].source", "/var/run/docker.sock")),
    ]);
  });
});

describe("CIS-5.20 mount propagation", () => {
  it.each([undefined, "rprivate", "slave"])("accepts propagation %j", (propagation) => {
    const api = container("api-0", {
      mounts: [{ type: "bind", source: "/srv/a", target: "/a", bindOptions: { propagation } }],
    });
    expect(mountPropagation.check([api], prod)).toEqual([]);
  });

  it.each(["shared", "rshared"])("rejects propagation %j on containers and services", (propagation) => {
    const mount = { type: "bind", source: "/srv/a", target: "/a", bindOptions: { propagation } };
    const resources = [
      container("api-0", { mounts: [mount] }),
      service("api", { taskSpec: { containerSpec: { mounts: [mount] } } }),
    ];
    expect(mountPropagation.check(resources, prod)).toEqual([
      violation(
        "Container",
        "api-0",
        `\`mounts[0].bindOptions.propagation\` is "${propagation}"; use "rprivate" (the default) (CIS 5.20)`,
      ),
      violation(
        "Service",
        "api",
        `\`taskSpec.containerSpec.mounts[0].bindOptions.propagation\` is "${propagation}"; use "rprivate" (the default) (CIS 5.20)`,
      ),
    ]);
  });
});

describe("CIS-5.14 host interface", () => {
  it.each(["127.0.0.1", "10.0.0.5", "::1"])("accepts ip %j", (ip) => {
    expect(
      hostInterface.check([container("web-0", { ports: [{ internal: 8080, external: 8080, ip }] })], prod),
    ).toEqual([]);
  });

  it("rejects a port without ip", () => {
    expect(
      hostInterface.check([container("web-0", { ports: [{ internal: 8080, external: 8080 }] })], prod),
    ).toEqual([
      violation(
        "Container",
        "web-0",
        '`ports[0].ip` is not set, so Docker binds all interfaces; bind to a specific address such as "127.0.0.1" (CIS 5.14)',
      ),
    ]);
  });

  it.each(["0.0.0.0", "", "::"])("rejects ip %j", (ip) => {
    const ports = [
      { internal: 80, external: 8080, ip: "127.0.0.1" },
      { internal: 443, external: 8443, ip },
    ];
    expect(hostInterface.check([container("web-0", { ports })], prod)).toEqual([
      violation(
        "Container",
        "web-0",
        `\`ports[1].ip\` is ${JSON.stringify(ip)} (all interfaces); bind to a specific address such as "127.0.0.1" (CIS 5.14)`,
      ),
    ]);
  });

  it("skips an ip not known during preview", () => {
    expect(
      hostInterface.check([container("web-0", { ports: [{ internal: 80, ip: UNKNOWN }, UNKNOWN] })], prod),
    ).toEqual([]);
  });
});

describe("CIS-5.8 privileged host ports", () => {
  it.each([1025, 8080, undefined])("accepts host port %j", (external) => {
    expect(
      privilegedPorts.check(
        [container("web-0", { ports: [{ internal: 80, external, ip: "127.0.0.1" }] })],
        prod,
      ),
    ).toEqual([]);
  });

  it.each([80, 443, 1024])("rejects container host port %j", (external) => {
    expect(
      privilegedPorts.check(
        [container("web-0", { ports: [{ internal: 80, external, ip: "127.0.0.1" }] })],
        prod,
      ),
    ).toEqual([
      violation(
        "Container",
        "web-0",
        `\`ports[0].external\` is ${external}, a privileged port; publish on 1025 or above (e.g. 8080) behind a proxy (CIS 5.8)`,
      ),
    ]);
  });

  it("rejects a service publishing 443", () => {
    const web = service("web", { endpointSpec: { ports: [{ targetPort: 8443, publishedPort: 443 }] } });
    expect(privilegedPorts.check([web], prod)).toEqual([
      violation(
        "Service",
        "web",
        "`endpointSpec.ports[0].publishedPort` is 443, a privileged port; publish on 1025 or above (e.g. 8080) behind a proxy (CIS 5.8)",
      ),
    ]);
  });
});

describe("CIS-5.30 default bridge", () => {
  it.each([
    ["a user-defined network", {}],
    ["networkMode none", { networkMode: "none", networksAdvanced: undefined }],
    ["a named network mode", { networkMode: "shipyard-app", networksAdvanced: undefined }],
    ["networks not known during preview", { networksAdvanced: UNKNOWN }],
  ])("accepts %s", (_, patch) => {
    expect(defaultBridge.check([container("api-0", patch)], prod)).toEqual([]);
  });

  it.each([
    ["no network", { networksAdvanced: undefined }],
    ['networkMode "bridge" and no network', { networkMode: "bridge", networksAdvanced: [] }],
    ['networkMode "default"', { networkMode: "default", networksAdvanced: undefined }],
  ])("rejects %s", (_, patch) => {
    expect(defaultBridge.check([container("api-0", patch)], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        "`networksAdvanced` is not set, so the container joins the default bridge (docker0); attach a user-defined network (CIS 5.30)",
      ),
    ]);
  });

  it("rejects attaching the bridge network by name", () => {
    expect(
      defaultBridge.check(
        [container("api-0", { networksAdvanced: [{ name: "shipyard-app" }, { name: "bridge" }] })],
        prod,
      ),
    ).toEqual([
      violation(
        "Container",
        "api-0",
        '`networksAdvanced[1].name` is "bridge", the default bridge (docker0); attach a user-defined network (CIS 5.30)',
      ),
    ]);
  });
});
