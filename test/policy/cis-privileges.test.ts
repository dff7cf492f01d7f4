import { describe, expect, it } from "vitest";
import {
  appArmor,
  capabilities,
  cgroupParent,
  hostDevices,
  noNewPrivileges,
  nonRootUser,
  privileged,
  seccomp,
} from "../../policy/cis-privileges";
import { UNKNOWN } from "../../policy/types";
import { container, prod, service, violation } from "./fixtures";

describe("CIS-4.1 non-root user", () => {
  it.each(["10001:10001", "app", "1000", "postgres:postgres"])("accepts user %j", (user) => {
    expect(
      nonRootUser.check(
        [container("api-0", { user }), service("api", { taskSpec: { containerSpec: { user } } })],
        prod,
      ),
    ).toEqual([]);
  });

  it.each(["root", "0", "0:0", "", " root ", "root:root", "0:1000"])("rejects user %j", (user) => {
    expect(nonRootUser.check([container("api-0", { user })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        `\`user\` is ${JSON.stringify(user)}; run as a non-root user such as "10001:10001" (CIS 4.1)`,
      ),
    ]);
  });

  it("rejects a container without a user", () => {
    expect(nonRootUser.check([container("db-0", { user: undefined })], prod)).toEqual([
      violation(
        "Container",
        "db-0",
        '`user` is not set, so the image\'s user (often root) applies; run as a non-root user such as "10001:10001" (CIS 4.1)',
      ),
    ]);
  });

  it("rejects a service running as root", () => {
    expect(
      nonRootUser.check([service("api", { taskSpec: { containerSpec: { user: "root" } } })], prod),
    ).toEqual([
      violation(
        "Service",
        "api",
        '`taskSpec.containerSpec.user` is "root"; run as a non-root user such as "10001:10001" (CIS 4.1)',
      ),
    ]);
  });

  it("skips a user not known during preview", () => {
    expect(nonRootUser.check([container("api-0", { user: UNKNOWN })], prod)).toEqual([]);
  });
});

describe("CIS-5.2 AppArmor and CIS-5.22 seccomp", () => {
  it("accepts a named AppArmor profile and the default seccomp profile", () => {
    const opts = ["no-new-privileges:true", "apparmor=docker-default"];
    expect(appArmor.check([container("api-0", { securityOpts: opts })], prod)).toEqual([]);
    expect(seccomp.check([container("api-0", { securityOpts: opts })], prod)).toEqual([]);
  });

  it.each(["apparmor=unconfined", "apparmor:unconfined"])("rejects %j", (opt) => {
    expect(
      appArmor.check([container("api-0", { securityOpts: ["no-new-privileges:true", opt] })], prod),
    ).toEqual([
      violation(
        "Container",
        "api-0",
        `\`securityOpts\` contains "${opt}"; remove it so the default AppArmor profile applies (CIS 5.2)`,
      ),
    ]);
  });

  it.each(["seccomp=unconfined", "seccomp:unconfined"])("rejects %j", (opt) => {
    expect(seccomp.check([container("api-0", { securityOpts: [opt] })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        `\`securityOpts\` contains "${opt}"; remove it so the default seccomp profile applies (CIS 5.22)`,
      ),
    ]);
  });
});

describe("CIS-5.4 capabilities", () => {
  it("accepts dropping ALL and adding back allowlisted capabilities in any spelling", () => {
    const resources = [
      container("db-0", { capabilities: { drops: ["all"], adds: ["CHOWN", "CAP_SETUID", "setgid"] } }),
      service("db", { taskSpec: { containerSpec: { capDrops: ["ALL"], capAdds: ["DAC_OVERRIDE"] } } }),
    ];
    expect(capabilities.check(resources, prod)).toEqual([]);
  });

  it("rejects a container that drops nothing", () => {
    expect(capabilities.check([container("api-0", { capabilities: undefined })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`capabilities.drops` is not set; drop "ALL" and add back only what the process needs (CIS 5.4)',
      ),
    ]);
  });

  it("rejects drops without ALL and an added capability outside the allowlist", () => {
    expect(
      capabilities.check(
        [container("api-0", { capabilities: { drops: ["NET_RAW"], adds: ["SYS_ADMIN"] } })],
        prod,
      ),
    ).toEqual([
      violation(
        "Container",
        "api-0",
        '`capabilities.drops` is ["NET_RAW"], which does not include "ALL"; drop "ALL" and add back only what the process needs (CIS 5.4)',
      ),
      violation(
        "Container",
        "api-0",
        '`capabilities.adds` contains "SYS_ADMIN", which is not in the allowlist (CHOWN, DAC_OVERRIDE, FOWNER, NET_BIND_SERVICE, SETGID, SETUID); remove it (CIS 5.4)',
      ),
    ]);
  });

  it("rejects a service without capDrops that adds NET_ADMIN", () => {
    const api = service("api", {
      taskSpec: { containerSpec: { capDrops: undefined, capAdds: ["NET_ADMIN"] } },
    });
    expect(capabilities.check([api], prod)).toEqual([
      violation(
        "Service",
        "api",
        '`taskSpec.containerSpec.capDrops` is not set; drop "ALL" and add back only what the process needs (CIS 5.4)',
      ),
      violation(
        "Service",
        "api",
        '`taskSpec.containerSpec.capAdds` contains "NET_ADMIN", which is not in the allowlist (CHOWN, DAC_OVERRIDE, FOWNER, NET_BIND_SERVICE, SETGID, SETUID); remove it (CIS 5.4)',
      ),
    ]);
  });

  it("skips drops not known during preview", () => {
    expect(capabilities.check([container("api-0", { capabilities: { drops: UNKNOWN } })], prod)).toEqual([]);
    expect(capabilities.check([container("api-0", { capabilities: { drops: [UNKNOWN] } })], prod)).toEqual(
      [],
    );
  });
});

describe("CIS-5.5 privileged", () => {
  it.each([false, undefined])("accepts privileged %j", (value) => {
    expect(privileged.check([container("api-0", { privileged: value })], prod)).toEqual([]);
  });

  it("rejects a privileged container", () => {
    expect(privileged.check([container("api-0", { privileged: true })], prod)).toEqual([
      {
        resource: "Container api-0",
        message: 'Container "api-0": `privileged` is true; remove it (CIS 5.5)',
      },
    ]);
  });
});

describe("CIS-5.18 host devices", () => {
  it("accepts a container without devices", () => {
    expect(hostDevices.check([container("api-0", { devices: [], gpus: undefined })], prod)).toEqual([]);
  });

  it("rejects devices, gpus and device requests", () => {
    const gpuBox = container("ml-0", {
      devices: [{ hostPath: "/dev/sda" }],
      gpus: "all",
      deviceRequests: [{ count: 1 }],
    });
    expect(hostDevices.check([gpuBox], prod)).toEqual([
      violation("Container", "ml-0", '`devices[0]` exposes host device "/dev/sda"; remove it (CIS 5.18)'),
      violation("Container", "ml-0", '`gpus` is "all"; remove it (CIS 5.18)'),
      violation("Container", "ml-0", "`deviceRequests` is set; remove it (CIS 5.18)"),
    ]);
  });
});

describe("CIS-5.25 cgroup parent", () => {
  it("accepts the default cgroup", () => {
    expect(cgroupParent.check([container("api-0", { cgroupParent: "" })], prod)).toEqual([]);
  });

  it("rejects a custom cgroup parent", () => {
    expect(cgroupParent.check([container("api-0", { cgroupParent: "/custom" })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`cgroupParent` is "/custom"; remove it so Docker\'s default cgroup applies (CIS 5.25)',
      ),
    ]);
  });
});

describe("CIS-5.26 no new privileges", () => {
  it.each(["no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"])("accepts %j", (opt) => {
    expect(noNewPrivileges.check([container("api-0", { securityOpts: [opt] })], prod)).toEqual([]);
  });

  it("leaves swarm services to the CIS-5.26-SWARM gap", () => {
    expect(noNewPrivileges.check([service("api")], prod)).toEqual([]);
  });

  it.each([[[]], [["no-new-privileges:false"]], [undefined]])("rejects securityOpts %j", (securityOpts) => {
    expect(noNewPrivileges.check([container("api-0", { securityOpts })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`securityOpts` does not contain "no-new-privileges:true"; add it (CIS 5.26)',
      ),
    ]);
  });

  it("skips securityOpts not known during preview", () => {
    expect(noNewPrivileges.check([container("api-0", { securityOpts: UNKNOWN })], prod)).toEqual([]);
  });
});
