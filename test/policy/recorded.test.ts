import { describe, expect, it } from "vitest";
import { noSecretsInEnv } from "../../policy/ship-secrets";
import { fromRecorded } from "../../policy/recorded";
import { CONTAINER, SERVICE, prod, violation } from "./fixtures";

/** A secret as the mock monitor records it (@pulumi/pulumi's specialSigKey / specialSecretSig). */
const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  value,
});

describe("fromRecorded", () => {
  it("unwraps secrets at any depth and lists their paths", () => {
    const recorded = {
      type: CONTAINER,
      name: "api-0",
      inputs: {
        envs: secret(["A=1", "B=2"]),
        uploads: [{ file: "/run/secrets/db", content: secret("pw") }],
        image: "sha256:x",
      },
      options: { protect: false, retainOnDelete: false, deleteBeforeReplace: true },
    };
    expect(fromRecorded(recorded)).toEqual({
      type: CONTAINER,
      name: "api-0",
      inputs: {
        envs: ["A=1", "B=2"],
        uploads: [{ file: "/run/secrets/db", content: "pw" }],
        image: "sha256:x",
      },
      options: { protect: false, retainOnDelete: false, deleteBeforeReplace: true },
      secretPaths: ["envs", "uploads[0].content"],
    });
  });

  it("lets SHIP-2 see a secret that reached a service's env", () => {
    const recorded = {
      type: SERVICE,
      name: "api",
      inputs: { taskSpec: { containerSpec: { env: { DSN: secret("postgres://u:p@db/app") } } } },
      options: {},
    };
    expect(noSecretsInEnv.check([fromRecorded(recorded)], prod)).toEqual([
      violation(
        "Service",
        "api",
        "`taskSpec.containerSpec.env.DSN` holds a secret value (a secret reached env); deliver it as a file under /run/secrets and point a *_FILE variable at it (SHIP-2)",
      ),
    ]);
  });
});
