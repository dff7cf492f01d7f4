import { beforeEach, describe, expect, it } from "vitest";
import { Image } from "../../components/image";
import { Network } from "../../components/network";
import { Prometheus, prometheusConfig } from "../../components/prometheus";
import { Service } from "../../components/service";
import { Volume } from "../../components/volume";
import {
  CONTAINER,
  child,
  labelsOf,
  settle,
  unwrapSecret,
  freshRegistrations,
  carrierOf,
  filesVolumes,
} from "../mocks";

const REF = `prom/prometheus:v3.1.0@sha256:${"78".repeat(32)}`;
const HEADER = `global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:9090"]
`;

function fixture(prefix: string): { image: Image; network: Network; volume: Volume; api: Service } {
  const image = new Image(`${prefix}-img`, { ref: REF });
  const network = new Network(`${prefix}-net`);
  const api = new Service(`${prefix}-api`, {
    image,
    networks: [network],
    replicas: 2,
    healthcheck: { test: ["CMD", "true"] },
  });
  return { image, network, volume: new Volume(`${prefix}-tsdb`), api };
}

describe("prometheusConfig", () => {
  it("scrapes only itself without targets", () => {
    expect(prometheusConfig([])).toBe(HEADER);
  });

  it("scrapes each target through DNS discovery of its service name", () => {
    const { api } = fixture("cfg");
    expect(prometheusConfig([{ service: api, port: 8080 }])).toBe(`${HEADER}  - job_name: cfg-api
    metrics_path: /metrics
    dns_sd_configs:
      - names: [cfg-api]
        type: A
        port: 8080
        refresh_interval: 30s
`);
  });

  it("uses a target's metrics path and, on swarm, the tasks.<name> DNS name", () => {
    const { api } = fixture("cfg-swarm");
    expect(prometheusConfig([{ service: api, port: 9100, path: "/internal/metrics" }], "swarm"))
      .toBe(`${HEADER}  - job_name: cfg-swarm-api
    metrics_path: /internal/metrics
    dns_sd_configs:
      - names: [tasks.cfg-swarm-api]
        type: A
        port: 9100
        refresh_interval: 30s
`);
  });
});

describe("Prometheus", () => {
  beforeEach(freshRegistrations);

  it("runs as nobody with its TSDB on the volume and its config uploaded as a file", async () => {
    const { image, network, volume, api } = fixture("prom");
    new Prometheus("prom", { image, networks: [network], volume, targets: [{ service: api, port: 8080 }] });
    await settle();

    const container = child(CONTAINER, "prom-0");
    expect(unwrapSecret(carrierOf("prom").inputs.uploads)).toEqual({
      secret: false,
      value: [
        {
          file: "/run/config/prometheus.yml",
          content: prometheusConfig([{ service: api, port: 8080 }]),
          owner: "65534",
          group: "65534",
          permissions: "0444",
        },
      ],
    });
    const { command, user, readOnly, mounts, volumes, memory, cpus, healthcheck, networksAdvanced, envs } =
      container.inputs;
    expect({
      command,
      user,
      readOnly,
      mounts,
      volumes,
      memory,
      cpus,
      healthcheck,
      networksAdvanced,
      envs,
    }).toEqual({
      command: [
        "--config.file=/run/config/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--storage.tsdb.retention.time=15d",
        "--web.listen-address=:9090",
      ],
      user: "65534:65534",
      readOnly: true,
      mounts: [{ type: "volume", source: "prom-tsdb", target: "/prometheus", readOnly: false }],
      volumes: filesVolumes("prom"),
      memory: 512,
      cpus: "0.5",
      healthcheck: {
        tests: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/healthy"],
        interval: "15s",
        timeout: "5s",
        retries: 3,
        startPeriod: "20s",
      },
      networksAdvanced: [{ name: "prom-net", aliases: ["prom", "prom-0"] }],
      envs: [],
    });
    expect(labelsOf(container)).toEqual({
      "shipyard.replica": "0",
      "shipyard.role": "monitoring",
      "shipyard.service": "prom",
      "shipyard.stateful": "true",
    });
  });

  it("starts after every replica of each target", async () => {
    const { image, network, volume, api } = fixture("prom-deps");
    const prometheus = new Prometheus("prom-deps", {
      image,
      networks: [network],
      volume,
      targets: [{ service: api, port: 8080 }],
    });
    await settle();

    expect(child(CONTAINER, "prom-deps-0").options.dependencies).toEqual(
      expect.arrayContaining([
        child(CONTAINER, "prom-deps-api-0").urn,
        child(CONTAINER, "prom-deps-api-1").urn,
      ]),
    );
    expect(prometheus.service.spec.dependencies).toEqual(["prom-deps-api"]);
  });

  it("takes retention, memory and cpus, and joins every given network", async () => {
    const { image, network, volume, api } = fixture("prom-custom");
    const other = new Network("prom-custom-edge");
    new Prometheus("prom-custom", {
      image,
      networks: [network, other],
      volume,
      targets: [{ service: api, port: 8080 }],
      retention: "30d",
      memory: "1g",
      cpus: "1",
    });
    await settle();

    const { command, memory, cpus, networksAdvanced } = child(CONTAINER, "prom-custom-0").inputs;
    expect({ command, memory, cpus, networksAdvanced }).toEqual({
      command: [
        "--config.file=/run/config/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--storage.tsdb.retention.time=30d",
        "--web.listen-address=:9090",
      ],
      memory: 1024,
      cpus: "1.0",
      networksAdvanced: [
        { name: "prom-custom-net", aliases: ["prom-custom", "prom-custom-0"] },
        { name: "prom-custom-edge", aliases: ["prom-custom", "prom-custom-0"] },
      ],
    });
  });
});
