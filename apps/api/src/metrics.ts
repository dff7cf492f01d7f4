/**
 * A minimal Prometheus registry writing the text exposition format (version 0.0.4). Hand-written
 * because the API needs three metric kinds and no dependency is cheaper than prom-client.
 */

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels<N extends string> = Readonly<Record<N, string>>;

interface Metric {
  render(): string[];
}

abstract class LabelledMetric<N extends string, S> implements Metric {
  private readonly series = new Map<string, { labels: Labels<N>; state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly N[],
    private readonly type: "counter" | "histogram",
  ) {}

  protected abstract initial(): S;
  protected abstract samples(labelText: (extra?: string) => string, state: S): string[];

  protected stateFor(labels: Labels<N>): S {
    const key = this.labelNames.map((name) => labels[name]).join("\u0000");
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    // An unlabelled metric always has its one series, so it reads 0 before the first event.
    if (this.labelNames.length === 0) this.stateFor({} as Labels<N>);
    for (const { labels, state } of this.series.values()) {
      const pairs = this.labelNames.map((name) => `${name}="${escapeLabelValue(labels[name])}"`);
      const labelText = (extra?: string): string => {
        const all = extra === undefined ? pairs : [...pairs, extra];
        return all.length === 0 ? "" : `{${all.join(",")}}`;
      };
      lines.push(...this.samples(labelText, state));
    }
    return lines;
  }
}

export class Counter<N extends string = never> extends LabelledMetric<N, { value: number }> {
  constructor(name: string, help: string, labelNames: readonly N[] = []) {
    super(name, help, labelNames, "counter");
  }

  inc(labels: Labels<N>, by = 1): void {
    this.stateFor(labels).value += by;
  }

  protected initial(): { value: number } {
    return { value: 0 };
  }

  protected samples(labelText: (extra?: string) => string, state: { value: number }): string[] {
    return [`${this.name}${labelText()} ${formatNumber(state.value)}`];
  }
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram<N extends string = never> extends LabelledMetric<N, HistogramState> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly N[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames, "histogram");
  }

  observe(labels: Labels<N>, value: number): void {
    const state = this.stateFor(labels);
    this.buckets.forEach((bound, i) => {
      if (value <= bound) state.counts[i] = (state.counts[i] ?? 0) + 1;
    });
    state.sum += value;
    state.count += 1;
  }

  protected initial(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  protected samples(labelText: (extra?: string) => string, state: HistogramState): string[] {
    return [
      ...this.buckets.map(
        (bound, i) =>
          `${this.name}_bucket${labelText(`le="${formatNumber(bound)}"`)} ${state.counts[i] ?? 0}`,
      ),
      `${this.name}_bucket${labelText('le="+Inf"')} ${state.count}`,
      `${this.name}_sum${labelText()} ${formatNumber(state.sum)}`,
      `${this.name}_count${labelText()} ${state.count}`,
    ];
  }
}

/** A gauge read at scrape time, for values the process already knows (uptime, memory). */
export class CallbackGauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string[] {
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${formatNumber(this.read())}`,
    ];
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  /** The whole registry in the text exposition format, ending with a newline. */
  render(): string {
    return `${this.metrics.flatMap((metric) => metric.render()).join("\n")}\n`;
  }
}

export function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The API's metrics, created once per app so tests start from zero. */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly httpDuration: Histogram<"method" | "route">;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly cacheErrors: Counter;
  readonly graphErrors: Counter;
}

export interface ApiMetricsOptions {
  /** Seconds since the process started. @default - process.uptime */
  readonly uptimeSeconds?: () => number;
}

export function createApiMetrics(options: ApiMetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  const uptimeSeconds = options.uptimeSeconds ?? (() => process.uptime());
  const metrics: ApiMetrics = {
    registry,
    httpRequests: registry.register(
      new Counter("http_requests_total", "HTTP requests handled, by method, route and status.", [
        "method",
        "route",
        "status",
      ]),
    ),
    httpDuration: registry.register(
      new Histogram(
        "http_request_duration_seconds",
        "Time from request start to response end, in seconds.",
        ["method", "route"],
        DURATION_BUCKETS_SECONDS,
      ),
    ),
    cacheHits: registry.register(new Counter("cache_hits_total", "Reads served from the cache.")),
    cacheMisses: registry.register(
      new Counter("cache_misses_total", "Reads not found in the cache and loaded from the database."),
    ),
    cacheErrors: registry.register(
      new Counter("cache_errors_total", "Cache operations that failed; reads fell through to the database."),
    ),
    graphErrors: registry.register(
      new Counter(
        "graph_errors_total",
        "Graph operations that failed: link requests answered 503, or a deleted todo kept its node.",
      ),
    ),
  };
  registry.register(
    new CallbackGauge("process_uptime_seconds", "Seconds since the process started.", uptimeSeconds),
  );
  return metrics;
}
