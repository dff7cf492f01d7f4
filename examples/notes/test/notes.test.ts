import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  CONTAINER,
  NETWORK,
  RANDOM_PASSWORD,
  VOLUME,
  carrierOf,
  child,
  envOf,
  freshRegistrations,
  mockPassword,
  ofType,
  promiseOf,
  settle,
  unwrapSecret,
} from "../../../test/mocks";

// The example under the repository's mock harness (test/setup.ts installs the mocks; the stack is
// "dev" there, so Docker names carry `notes-dev` whichever stack file is loaded).

const EXAMPLE = path.resolve(__dirname, "..");

/** The example's Pulumi.<stack>.yaml as runtime config (`notes:port` → "8080"). */
function stackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
  const doc = parseYaml(fs.readFileSync(path.join(EXAMPLE, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const values = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, String(v)]));
  return { ...values, ...overrides };
}

type Program = typeof import("../index");

/** Runs the example's program with this config and waits until everything is registered. */
async function run(config: Record<string, string>): Promise<Program> {
  pulumi.runtime.setAllConfig(config);
  vi.resetModules();
  const program = await import("../index.js");
  await settle();
  return program;
}

const DIGEST_REF =
  "postgres:16.15-alpine@sha256:721873c34ceb9f8d8fc265984940dc982404c105f19ad51be9fdc5970a6080ea";

describe("examples/notes", () => {
  beforeEach(freshRegistrations);

  it("deploys dev: the web and PostgreSQL, wired by the connection, data disposable", async () => {
    const program = await run(stackConfig("dev"));

    expect(
      ofType(CONTAINER)
        .map((c) => c.name)
        .sort(),
    ).toEqual(["db-0", "db-files", "web-0", "web-files"]);
    expect(child(NETWORK, "data").inputs).toMatchObject({ name: "notes-dev-data", internal: true });
    expect(child(NETWORK, "edge").inputs).toMatchObject({ name: "notes-dev-edge", internal: false });
    const pgdata = child(VOLUME, "pgdata");
    expect(pgdata.inputs.name).toBe("notes-dev-pgdata");
    expect(pgdata.options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(child(RANDOM_PASSWORD, "db-password").options.protect).toBe(false);

    const web = child(CONTAINER, "web-0");
    expect(envOf(web)).toEqual({
      secret: false,
      env: {
        DATABASE_HOST: "db",
        DATABASE_NAME: "app",
        DATABASE_PASSWORD_FILE: "/run/secrets/db-password",
        DATABASE_PORT: "5432",
        DATABASE_USER: "app",
        PORT: "3000",
      },
    });
    expect(web.inputs.networksAdvanced).toEqual([
      { name: "notes-dev-edge", aliases: ["web", "web-0"] },
      { name: "notes-dev-data", aliases: ["web", "web-0"] },
    ]);
    expect(web.inputs.ports).toEqual([{ internal: 3000, external: 8080, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(web.inputs.user).toBe("10001:10001");
    expect(web.inputs.readOnly).toBe(true);
    // Health-gated start: the web is created once the database container is healthy.
    expect(web.options.dependencies).toContain(child(CONTAINER, "db-0").urn);
    // The password reaches the web as a secret file it alone can read, never in env.
    expect(unwrapSecret(carrierOf("web").inputs.uploads)).toEqual({
      secret: true,
      value: [
        {
          file: "/run/secrets/db-password",
          content: mockPassword("db-password"),
          owner: "10001",
          group: "10001",
          permissions: "0400",
        },
      ],
    });
    expect(program.url).toBe("http://127.0.0.1:8080");
  });

  it("deploys prod: two web replicas, the database volume and password protected, postgres by digest", async () => {
    const program = await run(stackConfig("prod"));

    expect(
      ofType(CONTAINER)
        .map((c) => c.name)
        .sort(),
    ).toEqual(["db-0", "db-files", "web-0", "web-1", "web-files"]);
    expect(child(CONTAINER, "web-1").inputs.ports).toEqual([
      { internal: 3000, external: 8081, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect(child(VOLUME, "pgdata").options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(child(RANDOM_PASSWORD, "db-password").options.protect).toBe(true);
    expect(await promiseOf(program.webImage)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(child("docker:index/remoteImage:RemoteImage", "postgres").inputs.name).toBe(DIGEST_REF);
  });

  it("rejects a prod postgres image pinned by tag only", async () => {
    await expect(
      run(stackConfig("prod", { "notes:postgresImage": "postgres:16.15-alpine" })),
    ).rejects.toThrow(
      'Image "postgres": `ref` must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got "postgres:16.15-alpine"; promote a tested image with `npm run promote`',
    );
  });

  it("rejects a pinning other than tag or digest", async () => {
    await expect(run(stackConfig("dev", { "notes:pinning": "any" }))).rejects.toThrow(
      `Configuration 'notes:pinning' value 'any' is not a legal enum value (["tag","digest"])`,
    );
  });
});
