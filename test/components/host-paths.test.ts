import { describe, expect, it } from "vitest";
import { exposesDockerSocket, isSensitiveHostDir, normaliseHostPath } from "../../components/host-paths";

describe("host paths", () => {
  it.each([
    ["//etc/", "/etc"],
    ["/", "/"],
    ["/srv//app/", "/srv/app"],
  ])("normalises %j to %j", (path, normal) => {
    expect(normaliseHostPath(path)).toBe(normal);
  });

  it.each<[string, boolean]>([
    ["/", true],
    ["/etc", true],
    ["/etc/nginx", true],
    ["/usr/local/share", true],
    ["/etcetera", false],
    ["/srv/app", false],
    ["/home/dev/shipyard/apps/api/src", false],
  ])("CIS 5.6 directory %j → %s", (path, sensitive) => {
    expect(isSensitiveHostDir(path)).toBe(sensitive);
  });

  it.each<[string, boolean]>([
    ["/var/run/docker.sock", true],
    ["/run/user/1000/docker.sock", true],
    ["/var/run", true],
    ["/var", true],
    ["/run/", true],
    ["/var/lib/app", false],
    ["/run/app", false],
  ])("docker socket exposed by %j → %s", (path, exposed) => {
    expect(exposesDockerSocket(path)).toBe(exposed);
  });
});
