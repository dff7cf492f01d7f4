import { describe, expect, it } from "vitest";
import { evaluateStack } from "../../infra/evaluate";
import { renderDiagram, type DiagramResource } from "../../scripts/review/diagram";
import { promotedProd } from "../stacks/fixtures";

const label = (service: string, role: string) => [
  { label: "shipyard.role", value: role },
  { label: "shipyard.service", value: service },
];

describe("renderDiagram", () => {
  it("draws services, internal networks, volumes, secret files and published ports", () => {
    const resources: DiagramResource[] = [
      { type: "docker:index/network:Network", name: "data", inputs: { name: "p-data", internal: true } },
      { type: "docker:index/network:Network", name: "edge", inputs: { name: "p-edge", internal: false } },
      { type: "docker:index/volume:Volume", name: "pgdata", inputs: { name: "p-pgdata" } },
      {
        type: "docker:index/container:Container",
        name: "db-0",
        inputs: {
          labels: label("db", "database"),
          networksAdvanced: [{ name: "p-data" }],
          mounts: [{ type: "volume", source: "p-pgdata", target: "/var/lib/postgresql/data" }],
          volumes: [{ fromContainer: "db-files-id:ro" }],
          ports: [],
        },
      },
      // The file carrier whose volumes db mounts: its files show as db's, and it is no service.
      {
        type: "docker:index/container:Container",
        name: "db-files",
        inputs: {
          start: false,
          labels: [
            { label: "shipyard.files-for", value: "db" },
            { label: "shipyard.role", value: "files" },
          ],
          volumes: [{ containerPath: "/run/secrets" }],
          uploads: {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            value: [{ file: "/run/secrets/db-password" }],
          },
        },
      },
      {
        type: "docker:index/service:Service",
        name: "web",
        inputs: {
          labels: label("web", "proxy"),
          mode: { replicated: { replicas: 2 } },
          taskSpec: { networksAdvanceds: [{ id: "edge-id" }], containerSpec: { mounts: [], secrets: [] } },
          endpointSpec: { ports: [{ publishedPort: 8080, targetPort: 8080 }] },
        },
      },
    ];
    expect(renderDiagram(resources)).toBe(
      [
        "flowchart LR",
        '  host(("host"))',
        '  net_p_data{{"p-data (internal)"}}',
        '  net_p_edge{{"p-edge"}}',
        '  vol_p_pgdata[("p-pgdata")]',
        '  sec_db_password>"🔑 db-password"]',
        '  svc_db["db ×1<br/>database"]',
        '  svc_web["web ×2<br/>proxy"]',
        "  svc_db --- net_p_data",
        '  svc_db -- "/var/lib/postgresql/data" --> vol_p_pgdata',
        "  sec_db_password -.-> svc_db",
        '  host -- "host:8080→8080" --> svc_web',
        "  svc_web --- net_p_edge",
        "  classDef internal stroke-dasharray: 5 5",
        "  class net_p_data internal",
      ].join("\n"),
    );
  });

  it("draws the prod stack on swarm with only the web published and the data network internal", async () => {
    const prod = await evaluateStack("prod", promotedProd());
    const diagram = renderDiagram(prod.registrations).split("\n");
    expect(diagram.filter((l) => l.startsWith("  host --"))).toEqual([
      '  host -- "host:8080→8080" --> svc_web',
    ]);
    expect(diagram).toContain('  net_shipyard_prod_data{{"shipyard-prod-data (internal)"}}');
    expect(diagram).toContain('  svc_api["api ×3<br/>app"]');
  });
});
