import { describe, expect, it } from "vitest";
import { internalDataNetworks, keptDataVolumes, unpublishedDataPorts } from "../../policy/ship-data";
import { immutableImages, isPinned, tagOf } from "../../policy/ship-images";
import { logRotation, swarmRollback } from "../../policy/ship-operations";
import { noSecretsInEnv, secretsAsFiles } from "../../policy/ship-secrets";
import { UNKNOWN } from "../../policy/types";
import {
  HEX64,
  NETWORK,
  REMOTE_IMAGE,
  VOLUME,
  container,
  dev,
  labels,
  prod,
  resource,
  service,
  staging,
  violation,
} from "./fixtures";

describe("SHIP-1 image references", () => {
  it("lets prod build the file carriers' empty image, and nothing else", () => {
    const carrier = resource(REMOTE_IMAGE, "files-carrier", { name: "shipyard-files-carrier:0123456789ab" });
    const other = resource(REMOTE_IMAGE, "api", { name: "shipyard-api:0123456789ab" });
    expect(immutableImages.check([carrier, other], prod)).toEqual([
      violation(
        "RemoteImage",
        "api",
        '`name` is "shipyard-api:0123456789ab"; prod runs digests only: use "repo@sha256:<64 hex>" or a local image id "sha256:<64 hex>" (SHIP-1)',
      ),
    ]);
  });

  it.each([
    ["nginx:1.27", "1.27"],
    ["localhost:5000/app", undefined],
    ["localhost:5000/app:2", "2"],
    [`nginx:latest@sha256:${HEX64}`, "latest"],
  ])("reads the tag of %j", (ref, tag) => {
    expect(tagOf(ref)).toBe(tag);
  });

  it.each([
    [`sha256:${HEX64}`, true],
    [`ghcr.io/acme/api:1.2@sha256:${HEX64}`, true],
    ["nginx@sha256:abc", false],
    ["nginx:1.27", false],
  ])("%j is pinned: %j", (ref, pinned) => {
    expect(isPinned(ref)).toBe(pinned);
  });

  it.each([
    [dev, "nginx:latest"],
    [dev, "nginx"],
    [staging, "nginx:1.27"],
    [staging, `nginx@sha256:${HEX64}`],
    [prod, `nginx:1.27@sha256:${HEX64}`],
    [prod, `sha256:${HEX64}`],
  ])("accepts in %o the image %j", (ctx, image) => {
    expect(immutableImages.check([container("web-0", { image })], ctx)).toEqual([]);
  });

  it.each([
    ["nginx:latest", '`image` is "nginx:latest", a mutable tag; pin a version tag or a digest (SHIP-1)'],
    [
      "nginx",
      '`image` is "nginx" with no tag, so Docker pulls "latest"; pin a version tag or a digest (SHIP-1)',
    ],
    [
      "localhost:5000/app",
      '`image` is "localhost:5000/app" with no tag, so Docker pulls "latest"; pin a version tag or a digest (SHIP-1)',
    ],
  ])("rejects outside dev the image %j", (image, text) => {
    expect(immutableImages.check([container("web-0", { image })], staging)).toEqual([
      violation("Container", "web-0", text),
    ]);
  });

  it("rejects in prod tags on containers, services and remote images", () => {
    const resources = [
      container("web-0", { image: "nginx:1.27" }),
      service("api", { taskSpec: { containerSpec: { image: "shipyard-api:latest" } } }),
      resource(REMOTE_IMAGE, "postgres", { name: "postgres:16" }),
    ];
    const digestsOnly =
      'prod runs digests only: use "repo@sha256:<64 hex>" or a local image id "sha256:<64 hex>" (SHIP-1)';
    expect(immutableImages.check(resources, prod)).toEqual([
      violation("Container", "web-0", `\`image\` is "nginx:1.27"; ${digestsOnly}`),
      violation(
        "Service",
        "api",
        `\`taskSpec.containerSpec.image\` is "shipyard-api:latest"; ${digestsOnly}`,
      ),
      violation("RemoteImage", "postgres", `\`name\` is "postgres:16"; ${digestsOnly}`),
    ]);
  });

  it("skips an image id not known during preview", () => {
    expect(immutableImages.check([container("web-0", { image: UNKNOWN })], prod)).toEqual([]);
  });
});

describe("SHIP-2 no secrets in env", () => {
  it("accepts plain settings and *_FILE pointers", () => {
    const api = container("api-0", {
      envs: ["LOG_LEVEL=info", "DB_PASSWORD_FILE=/run/secrets/db", "QUERY=a=b"],
    });
    expect(noSecretsInEnv.check([api], prod)).toEqual([]);
  });

  it("rejects secret-named variables on containers and services without printing values", () => {
    const api = container("api-0", {
      envs: ["DB_PASSWORD=hunter2", "LOG_LEVEL=info", "github_token=x", "AWS_API_KEY"],
    });
    const cache = service("cache", {
      taskSpec: { containerSpec: { env: { REDIS_PASSWORD: "x", MODE: "ro" } } },
    });
    const text = (field: string, key: string) =>
      `\`${field}\` sets ${key} directly; deliver the secret as a file under /run/secrets and set ${key}_FILE instead (SHIP-2)`;
    expect(noSecretsInEnv.check([api, cache], prod)).toEqual([
      violation("Container", "api-0", text("envs", "DB_PASSWORD")),
      violation("Container", "api-0", text("envs", "github_token")),
      violation("Container", "api-0", text("envs", "AWS_API_KEY")),
      violation("Service", "cache", text("taskSpec.containerSpec.env", "REDIS_PASSWORD")),
    ]);
  });

  it("rejects a secret value that reached env under any name", () => {
    const api = container(
      "api-0",
      { envs: ["DATABASE_URL=postgres://u:p@db/app"] },
      { secretPaths: ["envs", "uploads[0].content"] },
    );
    const worker = service("worker", {}, { secretPaths: ["taskSpec.containerSpec.env.DSN"] });
    expect(noSecretsInEnv.check([api, worker], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        "`envs` holds a secret value (a secret reached env); deliver it as a file under /run/secrets and point a *_FILE variable at it (SHIP-2)",
      ),
      violation(
        "Service",
        "worker",
        "`taskSpec.containerSpec.env.DSN` holds a secret value (a secret reached env); deliver it as a file under /run/secrets and point a *_FILE variable at it (SHIP-2)",
      ),
    ]);
  });

  it("accepts secret uploads and skips env entries not known during preview", () => {
    const api = container(
      "api-0",
      { envs: [UNKNOWN, "MODE=x"] },
      { secretPaths: ["uploads", "uploads[0].content"] },
    );
    expect(noSecretsInEnv.check([api], prod)).toEqual([]);
  });
});

describe("SHIP-3 secrets as files", () => {
  it("accepts *_FILE variables whose files are delivered", () => {
    const api = container("api-0", {
      envs: ["DB_PASSWORD_FILE=/run/secrets/db-password"],
      uploads: [{ file: "/run/secrets/db-password", content: "x" }],
    });
    const db = service("db", {
      taskSpec: {
        containerSpec: {
          env: { POSTGRES_PASSWORD_FILE: "/run/secrets/pg", NEO4J_AUTH_FILE: "/run/secrets/neo4j" },
          secrets: [
            { secretId: "s1", fileName: "pg" },
            { secretId: "s2", fileName: "/run/secrets/neo4j" },
          ],
        },
      },
    });
    expect(secretsAsFiles.check([api, db], prod)).toEqual([]);
  });

  it("rejects a secret file outside /run/secrets", () => {
    const api = container("api-0", { envs: ["DB_PASSWORD_FILE=/tmp/db"], uploads: [{ file: "/tmp/db" }] });
    expect(secretsAsFiles.check([api], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`envs` sets DB_PASSWORD_FILE to "/tmp/db", outside /run/secrets/; deliver the secret file under /run/secrets/ (SHIP-3)',
      ),
    ]);
  });

  it("rejects *_FILE variables whose file nothing delivers", () => {
    const api = container("api-0", {
      envs: ["DB_PASSWORD_FILE=/run/secrets/db"],
      uploads: [{ file: "/run/config/app.json" }],
    });
    const db = service("db", {
      taskSpec: { containerSpec: { env: { POSTGRES_PASSWORD_FILE: "/run/secrets/pg" }, secrets: [] } },
    });
    expect(secretsAsFiles.check([api, db], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        '`envs` sets DB_PASSWORD_FILE to "/run/secrets/db", but nothing delivers that file (`uploads[].file`); upload the secret file there, or mount the volumes of the file carrier that uploads it (`volumes[].fromContainer`) (SHIP-3)',
      ),
      violation(
        "Service",
        "db",
        '`taskSpec.containerSpec.env` sets POSTGRES_PASSWORD_FILE to "/run/secrets/pg", but nothing delivers that file (`taskSpec.containerSpec.secrets[].fileName`); attach the docker.Secret there (SHIP-3)',
      ),
    ]);
  });

  // A read-only container gets its files from the volumes of a never-started carrier that uploaded
  // them (components/file-carrier.ts): the container mounts the carrier's volumes by its id, so the
  // carrier is the one labelled for the container's service.
  const carrier = (filesFor: unknown, paths: unknown[] = ["/run/secrets"]) =>
    container("api-files", {
      start: false,
      networkMode: "none",
      volumes: paths.map((containerPath) => ({ containerPath })),
      uploads: [{ file: "/run/secrets/db", content: "x" }],
      labels: [
        { label: "shipyard.role", value: "files" },
        { label: "shipyard.files-for", value: filesFor },
      ],
    });
  const reader = (service: string, volumes: unknown = [{ fromContainer: "0a1b2c:ro" }]) =>
    container("api-0", {
      envs: ["DB_PASSWORD_FILE=/run/secrets/db"],
      volumes,
      labels: labels({ "shipyard.role": "app", "shipyard.service": service }),
    });
  const refused = violation(
    "Container",
    "api-0",
    '`envs` sets DB_PASSWORD_FILE to "/run/secrets/db", but nothing delivers that file (`uploads[].file`); upload the secret file there, or mount the volumes of the file carrier that uploads it (`volumes[].fromContainer`) (SHIP-3)',
  );

  it("accepts a file its service's carrier uploaded into a volume the container mounts from it", () => {
    expect(secretsAsFiles.check([carrier("api"), reader("api")], prod)).toEqual([]);
    // A new carrier's id is not known during preview; the container still mounts from it.
    expect(secretsAsFiles.check([carrier("api"), reader("api", [{ fromContainer: UNKNOWN }])], prod)).toEqual(
      [],
    );
  });

  it("rejects a carried file when the container mounts no carrier, another service's, or the file is outside its volumes", () => {
    expect(secretsAsFiles.check([carrier("api"), reader("api", [])], prod)).toEqual([refused]);
    expect(
      secretsAsFiles.check([carrier("api"), reader("api", [{ containerPath: "/run/secrets" }])], prod),
    ).toEqual([refused]);
    expect(secretsAsFiles.check([carrier("web"), reader("api")], prod)).toEqual([refused]);
    expect(secretsAsFiles.check([carrier("api", ["/etc/app"]), reader("api")], prod)).toEqual([refused]);
  });

  it("skips a carried file whose carrier or mount is not known during preview", () => {
    expect(secretsAsFiles.check([carrier(UNKNOWN), reader("api")], prod)).toEqual([]);
    expect(secretsAsFiles.check([carrier("api", [UNKNOWN]), reader("api")], prod)).toEqual([]);
    expect(secretsAsFiles.check([carrier("web"), reader("api", UNKNOWN)], prod)).toEqual([]);
  });

  it("skips delivery when the uploads are not known during preview", () => {
    const api = container("api-0", {
      envs: ["DB_PASSWORD_FILE=/run/secrets/db"],
      uploads: [{ file: UNKNOWN }],
    });
    expect(secretsAsFiles.check([api], prod)).toEqual([]);
  });
});

describe("SHIP-4 internal data networks", () => {
  it("accepts an internal data network and an external app network", () => {
    const networks = [
      resource(NETWORK, "data", { internal: true, labels: labels({ "shipyard.tier": "data" }) }),
      resource(NETWORK, "edge", { labels: labels({ "shipyard.tier": "edge" }) }),
    ];
    expect(internalDataNetworks.check(networks, prod)).toEqual([]);
  });

  it.each([
    [undefined, "is not set"],
    [false, "is false"],
  ])("rejects a data network with internal %j", (internal, problem) => {
    const data = resource(NETWORK, "data", { internal, labels: labels({ "shipyard.tier": "data" }) });
    expect(internalDataNetworks.check([data], dev)).toEqual([
      violation(
        "Network",
        "data",
        `\`internal\` ${problem} on a data-tier network (label shipyard.tier=data); set internal: true so it has no route outside (SHIP-4)`,
      ),
    ]);
  });
});

describe("SHIP-5 data ports never published in prod", () => {
  const postgres = container("postgres-0", {
    labels: labels({ "shipyard.role": "database" }),
    ports: [{ internal: 5432, external: 15432, ip: "127.0.0.1" }],
  });

  it("accepts published data ports in dev and published app ports in prod", () => {
    expect(unpublishedDataPorts.check([postgres], dev)).toEqual([]);
    expect(unpublishedDataPorts.check([container("web-0")], prod)).toEqual([]);
  });

  it("rejects in prod a published database container port and cache service port", () => {
    const cache = service("cache", {
      labels: [],
      taskSpec: { containerSpec: { labels: labels({ "shipyard.role": "cache" }) } },
      endpointSpec: { ports: [{ targetPort: 6379, publishedPort: 16379 }] },
    });
    expect(unpublishedDataPorts.check([postgres, cache], prod)).toEqual([
      violation(
        "Container",
        "postgres-0",
        "`ports[0]` publishes container port 5432 (label shipyard.role=database); remove it and reach the database over an internal network (SHIP-5)",
      ),
      violation(
        "Service",
        "cache",
        "`endpointSpec.ports[0]` publishes target port 6379 (label shipyard.role=cache); remove it and reach the cache over an internal network (SHIP-5)",
      ),
    ]);
  });
});

describe("SHIP-6 data volumes kept and backed up in prod", () => {
  const pgdata = (options = {}) =>
    resource(
      VOLUME,
      "pgdata",
      { name: "shipyard-prod-pgdata", labels: labels({ "shipyard.data": "true" }) },
      { options },
    );
  const backup = (backupOf: string) =>
    container("backup-0", { labels: labels({ "shipyard.role": "backup", "shipyard.backup-of": backupOf }) });

  it("accepts a protected, retained volume that a backup job declares", () => {
    const resources = [
      pgdata({ protect: true, retainOnDelete: true }),
      backup("shipyard-prod-other, shipyard-prod-pgdata"),
    ];
    expect(keptDataVolumes.check(resources, prod)).toEqual([]);
  });

  it("accepts anything in dev and volumes without data", () => {
    const cache = resource(VOLUME, "cache", { labels: labels({ "shipyard.data": "false" }) });
    expect(keptDataVolumes.check([pgdata()], dev)).toEqual([]);
    expect(keptDataVolumes.check([cache], prod)).toEqual([]);
  });

  it("rejects in prod an unprotected volume no backup job declares", () => {
    expect(keptDataVolumes.check([pgdata({ protect: false }), backup("shipyard-prod-other")], prod)).toEqual([
      violation(
        "Volume",
        "pgdata",
        "resource option `protect` is false on a data volume (label shipyard.data=true) in prod; set protect: true (SHIP-6)",
      ),
      violation(
        "Volume",
        "pgdata",
        "resource option `retainOnDelete` is not set on a data volume (label shipyard.data=true) in prod; set retainOnDelete: true (SHIP-6)",
      ),
      violation(
        "Volume",
        "pgdata",
        'no backup job declares volume "shipyard-prod-pgdata" (label shipyard.backup-of on a workload labelled shipyard.role=backup); back it up, or create the volume with shipyard.data=false if losing it is acceptable (SHIP-6)',
      ),
    ]);
  });

  it("skips what the policy engine cannot see: retainOnDelete and unknown labels", () => {
    const unknownRole = container("job-0", { labels: UNKNOWN });
    expect(
      keptDataVolumes.check([pgdata({ protect: true, retainOnDelete: UNKNOWN }), unknownRole], prod),
    ).toEqual([]);
  });
});

describe("SHIP-7 log rotation", () => {
  it("accepts json-file and local with max-size and max-file", () => {
    const local = container("api-1", { logDriver: "local" });
    expect(logRotation.check([container("api-0"), local, service("api")], prod)).toEqual([]);
  });

  it.each([
    [{ logDriver: undefined }, "`logDriver` is not set, so the daemon's default applies"],
    [{ logDriver: "syslog" }, '`logDriver` is "syslog"'],
  ])("rejects %j", (patch, problem) => {
    expect(logRotation.check([container("api-0", patch)], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        `${problem}; use "json-file" or "local" with max-size and max-file (SHIP-7)`,
      ),
    ]);
  });

  it.each([
    [{ "max-size": "10m", "max-file": undefined }, "max-file"],
    [{ "max-size": "", "max-file": undefined }, "max-size and max-file"],
  ])("rejects logOpts %j", (logOpts, missing) => {
    expect(logRotation.check([container("api-0", { logOpts })], prod)).toEqual([
      violation(
        "Container",
        "api-0",
        `\`logOpts\` lacks ${missing}; set max-size (e.g. "10m") and max-file (e.g. "3") (SHIP-7)`,
      ),
    ]);
  });

  it("rejects a service without a log driver", () => {
    expect(logRotation.check([service("api", { taskSpec: { logDriver: undefined } })], prod)).toEqual([
      violation(
        "Service",
        "api",
        '`taskSpec.logDriver.name` is not set, so the daemon\'s default applies; use "json-file" or "local" with max-size and max-file (SHIP-7)',
      ),
    ]);
  });
});

describe("SHIP-8 swarm rollback and convergence", () => {
  it("accepts a service that rolls back and converges", () => {
    expect(swarmRollback.check([service("api")], prod)).toEqual([]);
  });

  it("rejects a service with Swarm's defaults", () => {
    const api = service("api", {
      updateConfig: undefined,
      rollbackConfig: undefined,
      convergeConfig: undefined,
    });
    expect(swarmRollback.check([api], prod)).toEqual([
      violation(
        "Service",
        "api",
        '`updateConfig.failureAction` is not set (Swarm\'s default "pause" leaves a half-updated service); set it to "rollback" (SHIP-8)',
      ),
      violation(
        "Service",
        "api",
        '`rollbackConfig` is not set; set one (e.g. parallelism 1, order "stop-first") (SHIP-8)',
      ),
      violation(
        "Service",
        "api",
        "`convergeConfig` is not set; set it so the deployment waits until the tasks run (SHIP-8)",
      ),
    ]);
  });

  it("rejects failureAction pause", () => {
    expect(swarmRollback.check([service("api", { updateConfig: { failureAction: "pause" } })], prod)).toEqual(
      [violation("Service", "api", '`updateConfig.failureAction` is "pause"; set it to "rollback" (SHIP-8)')],
    );
  });
});
