import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { SECRETS_DIR, Secret, contentHash, validateSecretArgs } from "../../components/secret";
import { registered } from "../../infra/offline";
import {
  DOCKER_SECRET,
  RANDOM_ID,
  RANDOM_PASSWORD,
  child,
  unwrapSecret,
  expectThrowsExactly,
  promiseOf,
  settle,
  freshRegistrations,
  mockPassword,
} from "../mocks";

/** The password the mock provider generates for a RandomPassword named `name`. */

describe("Secret", () => {
  beforeEach(freshRegistrations);

  // A Swarm secret's name was `<prefix>-<first 12 hex of SHA-256(value)>`, in state, previews and
  // `docker secret ls`: enough to confirm a guess of a weak supplied password offline.
  it("names a Swarm secret after a random revision kept while the value stays, not after the value", async () => {
    new Secret("sw-db", { value: "hunter2", target: "swarm", dockerName: "p-db" });
    await settle();
    const revision = child(RANDOM_ID, "sw-db-revision");
    expect([revision.inputs.byteLength, unwrapSecret(revision.inputs.keepers)]).toEqual([
      6,
      { secret: true, value: { value: "hunter2" } },
    ]);
    const name = String(unwrapSecret(child(DOCKER_SECRET, "sw-db").inputs.name).value);
    expect(name).toMatch(/^p-db-[0-9a-f]{12}$/);
    expect(name).not.toContain(contentHash("hunter2"));
    // Rotation makes the new secret before deleting the old, which services still use until then.
    expect(child(DOCKER_SECRET, "sw-db").options.deleteBeforeReplace).toBe(false);
  });

  it("generates a 32-character alphanumeric value by default and keeps it secret", async () => {
    const secret = new Secret("sec-generated");
    await settle();

    const password = child(RANDOM_PASSWORD, "sec-generated");
    expect(password.inputs).toEqual({ length: 32, special: false });
    expect(password.parent).toBe("urn:pulumi:dev::shipyard::shipyard:components:Secret::sec-generated");
    expect(await pulumi.isSecret(secret.value)).toBe(true);
    expect(await promiseOf(secret.value)).toBe(mockPassword("sec-generated"));
    expect(secret.generated).toBe(true);
  });

  it("is delivered at /run/secrets/<name>", () => {
    const secret = new Secret("sec-path");
    expect(SECRETS_DIR).toBe("/run/secrets");
    expect([secret.fileName, secret.path]).toEqual(["sec-path", "/run/secrets/sec-path"]);
  });

  it("is delivered under its fileName when one is given", () => {
    const secret = new Secret("sec-named", { fileName: "api-token" });
    expect([secret.fileName, secret.path]).toEqual(["api-token", "/run/secrets/api-token"]);
  });

  it("generates with the given length and punctuation", async () => {
    const secret = new Secret("sec-long", { length: 64, special: true });
    await settle();

    expect(child(RANDOM_PASSWORD, "sec-long").inputs).toEqual({ length: 64, special: true });
    expect(await promiseOf(secret.value)).toBe(mockPassword("sec-long", 64));
  });

  it("wraps a given plain value as a secret and generates nothing", async () => {
    const secret = new Secret("sec-given", { value: "s3cr3t-value" });
    await settle();

    expect(await pulumi.isSecret(secret.value)).toBe(true);
    expect(await promiseOf(secret.value)).toBe("s3cr3t-value");
    expect(secret.generated).toBe(false);
    expect(registered().filter((r) => r.type === RANDOM_PASSWORD)).toEqual([]);
  });

  it("keeps a given Output secret", async () => {
    const secret = new Secret("sec-output", { value: pulumi.output("from-config") });
    expect(await pulumi.isSecret(secret.value)).toBe(true);
    expect(await promiseOf(secret.value)).toBe("from-config");
  });

  it.each([
    [
      "a fileName that is not a DNS label",
      { fileName: "API_TOKEN" },
      "`fileName` must be a DNS label (lower-case letters, digits and '-', 1-63 characters, no leading or trailing '-'), got \"API_TOKEN\"",
    ],
    [
      "a length with a given value",
      { value: "x", length: 40 },
      "`length` applies only to generated secrets; drop `length`/`special` or drop `value`",
    ],
    [
      "special with a given value",
      { value: "x", special: true },
      "`length` applies only to generated secrets; drop `length`/`special` or drop `value`",
    ],
    ["a length below 16", { length: 15 }, "`length` must be an integer from 16 to 256, got 15"],
    ["a length above 256", { length: 257 }, "`length` must be an integer from 16 to 256, got 257"],
    ["a fractional length", { length: 20.5 }, "`length` must be an integer from 16 to 256, got 20.5"],
  ])("rejects %s", (_case, args, problem) => {
    expectThrowsExactly(() => validateSecretArgs("sec-bad", args), `Secret "sec-bad": ${problem}`);
    expectThrowsExactly(() => new Secret("sec-bad", args), `Secret "sec-bad": ${problem}`);
  });

  it("accepts the length bounds 16 and 256", () => {
    expect(() => {
      validateSecretArgs("sec-min", { length: 16 });
      validateSecretArgs("sec-max", { length: 256 });
    }).not.toThrow();
  });
});
