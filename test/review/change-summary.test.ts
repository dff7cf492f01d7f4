import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderMarkdown, summarizePreview, type ChangeSummary } from "../../scripts/review/change-summary";
import { parsePreviewDigest, type PreviewStep } from "../../scripts/review/preview-digest";

const FIXTURES = path.join(__dirname, "../fixtures/preview");

function fixture(name: string) {
  return parsePreviewDigest(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));
}

describe("summarizePreview on preview fixtures", () => {
  it.each<[string, ChangeSummary]>([
    [
      "no-change",
      {
        stack: "dev",
        rows: [
          {
            kind: "service",
            name: "api",
            operation: "no change",
            forcesReplacement: [],
            notes: ["1 container"],
          },
          {
            kind: "service",
            name: "postgres",
            operation: "no change",
            forcesReplacement: [],
            notes: ["stateful (database)", "1 container"],
          },
          {
            kind: "service",
            name: "web",
            operation: "no change",
            forcesReplacement: [],
            notes: ["1 container"],
          },
        ],
        stepCounts: { same: 26 },
        diagnostics: [],
      },
    ],
    [
      "env-change-single-replica",
      {
        stack: "dev",
        rows: [
          {
            kind: "service",
            name: "web",
            operation: "replace (downtime)",
            forcesReplacement: ["envs"],
            notes: ["changed: `envs`"],
          },
        ],
        stepCounts: { replace: 1, same: 25 },
        diagnostics: [],
      },
    ],
    [
      "image-change-rolling",
      {
        stack: "prod",
        rows: [
          {
            kind: "service",
            name: "api",
            operation: "rolling update",
            forcesReplacement: ["image"],
            notes: ["3 containers replaced one at a time", "changed: `image`", "RemoteImage `api`: replace"],
          },
          {
            kind: "service",
            name: "postgres",
            operation: "no change",
            forcesReplacement: [],
            notes: ["stateful (database)", "1 container"],
          },
          {
            kind: "service",
            name: "web",
            operation: "no change",
            forcesReplacement: [],
            notes: ["1 container"],
          },
        ],
        stepCounts: { replace: 4, same: 22 },
        diagnostics: [],
      },
    ],
    [
      "swarm-service-update",
      {
        stack: "prod",
        rows: [
          {
            kind: "service",
            name: "api",
            operation: "rolling update",
            forcesReplacement: [],
            notes: ["swarm service, 3 replicas", "changed: `taskSpec.containerSpec.image`"],
          },
        ],
        stepCounts: { same: 17, update: 1 },
        diagnostics: [],
      },
    ],
    [
      "volume-replace",
      {
        stack: "dev",
        rows: [
          {
            kind: "service",
            name: "postgres",
            operation: "replace (downtime)",
            forcesReplacement: ["mounts"],
            notes: ["stateful (database)", "changed: `mounts`"],
            warning:
              "Service `postgres` is stateful (database) and will be replaced (forced by `mounts`): it is down until the replacement is healthy.",
          },
          {
            kind: "volume",
            name: "pgdata",
            operation: "replace",
            forcesReplacement: ["labels"],
            notes: ["used by postgres", "changed: `labels`"],
            warning:
              "Volume `pgdata` (used by postgres) will be replaced (forced by `labels`): Docker deletes the volume and the data in it. Back it up first, or revert the change.",
          },
        ],
        stepCounts: { replace: 2, same: 24 },
        diagnostics: [],
      },
    ],
    [
      "database-delete",
      {
        stack: "dev",
        rows: [
          {
            kind: "service",
            name: "graph",
            operation: "delete",
            forcesReplacement: [],
            notes: ["stateful (graph)", "1 container"],
            warning: "Service `graph` is stateful (graph) and will be deleted.",
          },
          {
            kind: "volume",
            name: "graph-data",
            operation: "delete",
            forcesReplacement: [],
            notes: ["used by graph"],
            warning:
              "Volume `graph-data` (used by graph) will be deleted with the data in it. Back it up first.",
          },
        ],
        stepCounts: { delete: 10, same: 26 },
        diagnostics: [],
      },
    ],
    [
      "secret-rotation",
      {
        stack: "prod",
        rows: [
          {
            kind: "service",
            name: "api",
            operation: "rolling update",
            forcesReplacement: [],
            notes: ["swarm service, 2 replicas", "changed: `taskSpec.containerSpec.secrets`"],
          },
          {
            kind: "secret",
            name: "api-token",
            operation: "rotate",
            forcesReplacement: [],
            notes: ["used by api", "`api-token-1a2b3c4d` → `api-token-9f8e7d6c`"],
          },
        ],
        stepCounts: { create: 1, delete: 1, same: 16, update: 1 },
        diagnostics: [],
      },
    ],
  ])("classifies %s", (name, expected) => {
    expect(summarizePreview(fixture(name))).toEqual(expected);
  });
});

describe("renderMarkdown", () => {
  it.each([
    [
      "no-change",
      `## Preview of \`dev\`

| Service | Operation | Forces replacement | Notes |
| --- | --- | --- | --- |
| api | no change |  | 1 container |
| postgres | no change |  | stateful (database); 1 container |
| web | no change |  | 1 container |

**Summary:** services: 3 no change.

**Pulumi steps:** 26 same.
`,
    ],
    [
      "image-change-rolling",
      `## Preview of \`prod\`

| Service | Operation | Forces replacement | Notes |
| --- | --- | --- | --- |
| api | rolling update | \`image\` | 3 containers replaced one at a time; changed: \`image\`; RemoteImage \`api\`: replace |
| postgres | no change |  | stateful (database); 1 container |
| web | no change |  | 1 container |

**Summary:** services: 1 rolling update, 2 no change.

**Pulumi steps:** 4 replace, 22 same.
`,
    ],
    [
      "database-delete",
      `## Preview of \`dev\`

> [!WARNING]
> - ⚠️ Service \`graph\` is stateful (graph) and will be deleted.
> - ⚠️ Volume \`graph-data\` (used by graph) will be deleted with the data in it. Back it up first.

| Service | Operation | Forces replacement | Notes |
| --- | --- | --- | --- |
| ⚠️ graph | delete |  | stateful (graph); 1 container |
| ⚠️ volume \`graph-data\` | delete |  | used by graph |

**Summary:** services: 1 delete; volumes: 1 delete.

**Pulumi steps:** 10 delete, 26 same.
`,
    ],
    [
      "secret-rotation",
      `## Preview of \`prod\`

| Service | Operation | Forces replacement | Notes |
| --- | --- | --- | --- |
| api | rolling update |  | swarm service, 2 replicas; changed: \`taskSpec.containerSpec.secrets\` |
| secret \`api-token\` | rotate |  | used by api; \`api-token-1a2b3c4d\` → \`api-token-9f8e7d6c\` |

**Summary:** services: 1 rolling update; secrets: 1 rotate.

**Pulumi steps:** 1 create, 1 update, 1 delete, 16 same.
`,
    ],
  ])("renders %s", (name, markdown) => {
    expect(renderMarkdown(summarizePreview(fixture(name)))).toBe(markdown);
  });

  it("renders an empty preview without a table", () => {
    expect(renderMarkdown(summarizePreview({}))).toBe(
      "## Preview\n\nNo changes to services, volumes, networks or secrets.\n",
    );
  });

  it("lists error and warning diagnostics on one line each and escapes pipes in cells", () => {
    const summary = summarizePreview({
      steps: [
        {
          op: "update",
          urn: "urn:pulumi:dev::shipyard::pulumi:providers:docker::docker",
          newState: { urn: "", custom: true, type: "pulumi:providers:docker" },
          diffReasons: ["host|port"],
        },
      ],
      diagnostics: [
        { message: "building the program\n", severity: "info" },
        { message: "warning: the Docker host\n   is slow\n", severity: "warning" },
        { message: "error: preview failed", severity: "error" },
      ],
    });
    expect(summary.diagnostics).toEqual(["warning: the Docker host is slow", "error: preview failed"]);
    expect(renderMarkdown(summary)).toBe(`## Preview of \`dev\`

| Service | Operation | Forces replacement | Notes |
| --- | --- | --- | --- |
| \`docker\` | update in place |  | changed: \`host\\|port\`; pulumi:providers:docker |

**Summary:** other resources: 1 update in place.

**Diagnostics:**

- warning: the Docker host is slow
- error: preview failed
`);
  });
});

const SERVICE = "shipyard:components:Service";
const CONTAINER = "docker:index/container:Container";

function urn(chain: string, name: string): string {
  return `urn:pulumi:dev::shipyard::${chain}::${name}`;
}

/** A step for replica `index` of a Service component's containers, labelled as the component does. */
/** The health gate of replica `index` (components/health-gate.ts), replaced with its container. */
function healthGate(op: string, service: string, index: number): PreviewStep {
  const type = "pulumi-nodejs:dynamic/shipyard:HealthGate";
  const state = {
    urn: urn(`${SERVICE}$${type}`, `${service}-${index}-healthy`),
    custom: true,
    type,
    parent: urn(SERVICE, service),
    inputs: { containerId: `${service}-${index}-id` },
  };
  return { op, urn: state.urn, oldState: state, newState: state, replaceReasons: ["containerId"] };
}

function container(
  op: string,
  service: string,
  index: number,
  labels: Record<string, string> = {},
): PreviewStep {
  const state = {
    urn: urn(`${SERVICE}$${CONTAINER}`, `${service}-${index}`),
    custom: true,
    type: CONTAINER,
    parent: urn(SERVICE, service),
    inputs: {
      labels: Object.entries({ "shipyard.service": service, ...labels }).map(([label, value]) => ({
        label,
        value,
      })),
    },
  };
  return {
    op,
    urn: state.urn,
    ...(op === "create" ? {} : { oldState: state }),
    ...(op === "delete" ? {} : { newState: state }),
    ...(op.includes("replace")
      ? { replaceReasons: ["image"], detailedDiff: { image: { kind: "update-replace", inputDiff: false } } }
      : {}),
  };
}

describe("summarizePreview edge cases", () => {
  it.each<[string, PreviewStep[], ChangeSummary["rows"]]>([
    [
      "counts containers added under an unchanged, hidden component as a scale-up",
      [container("create", "api", 2)],
      [
        {
          kind: "service",
          name: "api",
          operation: "update in place",
          forcesReplacement: [],
          notes: ["adds `api-2`"],
        },
      ],
    ],
    [
      "counts a replica's health gate as part of its container, not as a note",
      [container("replace", "web", 0), healthGate("replace", "web", 0)],
      [
        {
          kind: "service",
          name: "web",
          operation: "replace (downtime)",
          forcesReplacement: ["image"],
          notes: ["changed: `image`"],
        },
      ],
    ],
    [
      "merges --show-replacement-steps into one replacement per container",
      ["create-replacement", "replace", "delete-replaced"].flatMap((op) => [
        container(op, "api", 0),
        container(op, "api", 1),
      ]),
      [
        {
          kind: "service",
          name: "api",
          operation: "rolling update",
          forcesReplacement: ["image"],
          notes: ["2 containers replaced one at a time", "changed: `image`"],
        },
      ],
    ],
    [
      "takes the role as stateful without the stateful label",
      [container("replace", "redis", 0, { "shipyard.role": "cache" }), container("replace", "redis", 1)],
      [
        {
          kind: "service",
          name: "redis",
          operation: "replace (downtime)",
          forcesReplacement: ["image"],
          notes: ["stateful (cache)", "changed: `image`"],
          warning:
            "Service `redis` is stateful (cache) and will be replaced (forced by `image`): it is down until the replacement is healthy.",
        },
      ],
    ],
    [
      "counts an op it does not know as an update",
      [container("future-op", "api", 0)],
      [{ kind: "service", name: "api", operation: "update in place", forcesReplacement: [], notes: [] }],
    ],
    [
      "takes the service from the URN name when the step has no state",
      [{ op: "replace", urn: urn(`${SERVICE}$${CONTAINER}`, "api-1"), replaceReasons: ["image"] }],
      [
        {
          kind: "service",
          name: "api",
          operation: "replace (downtime)",
          forcesReplacement: ["image"],
          notes: [],
        },
      ],
    ],
    [
      "creates a service known only by its label when all of it is new",
      [
        {
          op: "create",
          urn: urn(CONTAINER, "worker-0"),
          newState: {
            urn: urn(CONTAINER, "worker-0"),
            custom: true,
            type: CONTAINER,
            inputs: { labels: [{ label: "shipyard.service", value: "worker" }] },
          },
        },
      ],
      [{ kind: "service", name: "worker", operation: "create", forcesReplacement: [], notes: [] }],
    ],
    [
      "reports a replaced swarm service as downtime",
      [
        {
          op: "replace",
          urn: urn(`${SERVICE}$docker:index/service:Service`, "api"),
          newState: {
            urn: urn(`${SERVICE}$docker:index/service:Service`, "api"),
            custom: true,
            type: "docker:index/service:Service",
            parent: urn(SERVICE, "api"),
            inputs: { mode: { global: true }, name: "shipyard-prod-api" },
          },
          replaceReasons: ["name"],
        },
      ],
      [
        {
          kind: "service",
          name: "api",
          operation: "replace (downtime)",
          forcesReplacement: ["name"],
          notes: ["swarm service, global"],
        },
      ],
    ],
    [
      "keeps a secret created without a matching delete on its own row",
      [
        {
          op: "create",
          urn: urn("docker:index/secret:Secret", "tls-cert-0a1b2c3d"),
          newState: { urn: "", custom: true, type: "docker:index/secret:Secret" },
        },
      ],
      [{ kind: "secret", name: "tls-cert-0a1b2c3d", operation: "create", forcesReplacement: [], notes: [] }],
    ],
  ])("%s", (_name, steps, rows) => {
    expect(summarizePreview({ steps }).rows).toEqual(rows);
  });
});

describe("parsePreviewDigest", () => {
  it.each([
    [
      "a step without an op",
      '{"steps":[{"urn":"urn:pulumi:dev::shipyard::pulumi:pulumi:Stack::shipyard-dev"}]}',
      "not a `pulumi preview --json` digest: steps.0.op: Invalid input: expected string, received undefined",
    ],
    [
      "a document that is not an object",
      "[]",
      "not a `pulumi preview --json` digest: the document: Invalid input: expected object, received array",
    ],
  ])("rejects %s", (_name, text, message) => {
    expect(() => parsePreviewDigest(text)).toThrow(new Error(message));
  });

  it("rejects text that is not JSON", () => {
    expect(() => parsePreviewDigest("warning: a new version of Pulumi is available")).toThrow(/^not JSON: /);
  });
});
