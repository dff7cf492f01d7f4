import { describe, expect, it } from "vitest";
import { CallbackGauge, Counter, Histogram, Registry, formatNumber } from "../src/metrics.js";

describe("Registry", () => {
  it("renders counters with labels in the order they were first seen, escaping values", () => {
    const registry = new Registry();
    const counter = registry.register(new Counter("jobs_total", "Jobs run.\nPer queue.", ["queue"]));
    counter.inc({ queue: "b" });
    counter.inc({ queue: 'a"\\\n' }, 2);
    counter.inc({ queue: "b" });
    expect(registry.render()).toBe(
      [
        "# HELP jobs_total Jobs run.\\nPer queue.",
        "# TYPE jobs_total counter",
        'jobs_total{queue="b"} 2',
        'jobs_total{queue="a\\"\\\\\\n"} 2',
        "",
      ].join("\n"),
    );
  });

  it("renders a counter with no samples as HELP and TYPE only", () => {
    const registry = new Registry();
    registry.register(new Counter("idle_total", "Never incremented.", ["kind"]));
    expect(registry.render()).toBe("# HELP idle_total Never incremented.\n# TYPE idle_total counter\n");
  });

  it("renders cumulative histogram buckets, +Inf, sum and count", () => {
    const registry = new Registry();
    const histogram = registry.register(new Histogram("latency_seconds", "Latency.", ["route"], [0.1, 1]));
    histogram.observe({ route: "/x" }, 0.05);
    histogram.observe({ route: "/x" }, 0.5);
    histogram.observe({ route: "/x" }, 3);
    expect(registry.render()).toBe(
      [
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{route="/x",le="0.1"} 1',
        'latency_seconds_bucket{route="/x",le="1"} 2',
        'latency_seconds_bucket{route="/x",le="+Inf"} 3',
        'latency_seconds_sum{route="/x"} 3.55',
        'latency_seconds_count{route="/x"} 3',
        "",
      ].join("\n"),
    );
  });

  it("reads callback gauges at render time", () => {
    let value = 1;
    const registry = new Registry();
    registry.register(new CallbackGauge("temp", "Temperature.", () => value));
    value = 2.5;
    expect(registry.render()).toBe("# HELP temp Temperature.\n# TYPE temp gauge\ntemp 2.5\n");
  });
});

describe("formatNumber", () => {
  it.each<[number, string]>([
    [0, "0"],
    [1.5, "1.5"],
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
    [Number.NaN, "NaN"],
  ])("formats %d as %j", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe("Counter", () => {
  it("renders an unlabelled counter as 0 before its first increment", () => {
    const registry = new Registry();
    registry.register(new Counter("events_total", "Events."));
    expect(registry.render()).toBe(
      "# HELP events_total Events.\n# TYPE events_total counter\nevents_total 0\n",
    );
  });
});
