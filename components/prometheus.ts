import * as pulumi from "@pulumi/pulumi";
import type { Image } from "./image";
import type { Network } from "./network";
import { presetEnv, presetServiceArgs, type PresetArgs } from "./preset";
import { Service } from "./service";
import type { Target } from "./target";
import type { Volume } from "./volume";

/** A service Prometheus scrapes: every replica behind the DNS name, on this port and path. */
export interface ScrapeTarget {
  /** The service to scrape. */
  readonly service: Service;
  /** The port its metrics are served on. */
  readonly port: number;
  /** @default "/metrics" */
  readonly path?: string;
}

/** How {@link Prometheus} runs. */
export interface PrometheusArgs extends PresetArgs {
  /** A `prom/prometheus:<version>` image. */
  readonly image: Image;
  /** Networks shared with the scrape targets. */
  readonly networks: readonly Network[];
  /** The TSDB volume. */
  readonly volume: Volume;
  /** What to scrape, besides Prometheus itself. */
  readonly targets: readonly ScrapeTarget[];
  /** @default "15d" */
  readonly retention?: string;
  /** @default "512m" */
  readonly memory?: string;
  /** @default "0.5" */
  readonly cpus?: string;
}

/**
 * The scrape configuration: Prometheus itself, and each target through DNS service discovery, so
 * every replica is scraped (containers share the service's alias; Swarm lists tasks at `tasks.<name>`).
 */
export function prometheusConfig(targets: readonly ScrapeTarget[], target: Target = "container"): string {
  // On Swarm the service name resolves to one virtual IP; `tasks.<name>` lists every task.
  const dnsName = (t: ScrapeTarget) =>
    target === "swarm" ? `tasks.${t.service.serviceName}` : t.service.serviceName;
  const jobs = targets.map(
    (t) => `  - job_name: ${t.service.serviceName}
    metrics_path: ${t.path ?? "/metrics"}
    dns_sd_configs:
      - names: [${dnsName(t)}]
        type: A
        port: ${t.port}
        refresh_interval: 30s
`,
  );
  return `global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:9090"]
${jobs.join("")}`;
}

/**
 * Prometheus with its TSDB on a named volume.
 *
 * Creates: `Service` (`<name>`) running as `nobody`, config delivered as a file.
 *
 * @example
 * new Prometheus("monitoring", {
 *   image: new Image("prometheus", { ref: "prom/prometheus:v3.5.0", pinning: "tag" }),
 *   networks: [edge],
 *   volume: new Volume("prometheus-data", { holdsData: false }),
 *   targets: [{ service: api, port: 8080 }],
 * });
 */
export class Prometheus extends pulumi.ComponentResource {
  /** The Pulumi type token of every Prometheus. */
  static readonly TYPE = "shipyard:components:Prometheus";
  /** The port Prometheus listens on. */
  static readonly PORT = 9090;

  /** The Prometheus service. */
  readonly service: Service;

  constructor(name: string, args: PrometheusArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Prometheus.TYPE, name, {}, opts);
    const configPath = "/run/config/prometheus.yml";
    this.service = new Service(
      name,
      {
        image: args.image,
        role: "monitoring",
        user: "65534:65534",
        command: [
          `--config.file=${configPath}`,
          "--storage.tsdb.path=/prometheus",
          `--storage.tsdb.retention.time=${args.retention ?? "15d"}`,
          `--web.listen-address=:${Prometheus.PORT}`,
        ],
        files: [{ path: configPath, content: prometheusConfig(args.targets, args.target) }],
        env: presetEnv("Prometheus", name, {}, args),
        networks: [...args.networks, ...(args.extraNetworks ?? [])],
        volumes: [{ volume: args.volume, path: "/prometheus" }],
        dependsOn: [...args.targets.map((t) => t.service), ...(args.dependsOn ?? [])],
        healthcheck: {
          test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${Prometheus.PORT}/-/healthy`],
          interval: "15s",
          timeout: "5s",
          retries: 3,
          startPeriod: "20s",
        },
        memory: args.memory ?? "512m",
        cpus: args.cpus ?? "0.5",
        ...presetServiceArgs(name, args),
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
