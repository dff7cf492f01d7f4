/**
 * `npm run bench`: evaluates generated systems of 10, 50 and 200 services under Pulumi mocks and
 * prints wall time and peak memory per size. Target: 200 services in under 2 s and 300 MB, growing
 * linearly.
 *
 * What is measured is the program: it is compiled with tsc first and each size runs in its own
 * plain `node` process, so peak RSS is that size's alone and holds no TypeScript loader (tsx, which
 * runs this script, adds ~70 MB of its own; `pulumi up` uses the SDK's ts-node instead).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Image } from "../components/image";
import { Network } from "../components/network";
import { Secret } from "../components/secret";
import { Service } from "../components/service";
import { Volume } from "../components/volume";
import { installMocks, registered, settle } from "../infra/offline";

const SIZES = [10, 50, 200];
const TARGET = { seconds: 2, megabytes: 300, services: 200 };

interface Sample {
  readonly services: number;
  readonly resources: number;
  readonly seconds: number;
  /** RSS once Node, the Pulumi SDK and the program are loaded, before the first resource. */
  readonly loadedMb: number;
  readonly peakMb: number;
  /** Heap the evaluation holds once every resource is constructed (all registrations in flight). */
  readonly liveHeapMb: number;
}

/** Live heap after a full collection (the child runs with --expose-gc). */
function liveHeapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function measure(size: number): Promise<Sample> {
  // Components create nothing when imported, so the mocks only need to exist before the first `new`.
  installMocks("bench");
  const baseline = liveHeapMb();
  const loadedMb = process.memoryUsage().rss / 1024 / 1024;

  // The Pulumi SDK records a stack trace for every internal promise (runtime/debuggable.js), printed
  // only by its leak report under PULUMI_DEBUG_PROMISE_LEAKS. What a capture costs depends on the
  // loader (ts-node's source-map hooks make it far dearer), so the figures leave them out; README
  // gives the same run with Node's default limit.
  Error.stackTraceLimit = 0;
  const started = process.hrtime.bigint();
  const networks = [
    new Network("edge", { tier: "edge" }),
    new Network("data", { tier: "data", internal: true }),
  ];
  const image = new Image("app", { ref: `app@sha256:${"0".repeat(64)}` });
  let previous: Service | undefined;
  for (let i = 0; i < size; i++) {
    // Every fifth service holds data with a secret, like a database; the rest are stateless apps.
    const stateful = i % 5 === 0;
    previous = new Service(`svc-${i}`, {
      image,
      role: stateful ? "database" : "app",
      networks: stateful ? [networks[1]!] : networks,
      volumes: stateful ? [{ volume: new Volume(`svc-${i}-data`), path: "/data" }] : [],
      secrets: stateful ? [{ secret: new Secret(`svc-${i}-password`), env: "PASSWORD_FILE" }] : [],
      env: { INDEX: String(i) },
      dependsOn: previous && i % 10 !== 0 ? [previous] : [],
      healthcheck: { test: ["CMD", "true"] },
      replicas: stateful ? 1 : 2,
    });
  }
  const constructed = process.hrtime.bigint();
  const inFlight = liveHeapMb() - baseline;
  // The collection above is measurement, not evaluation: leave its time out.
  const measuring = process.hrtime.bigint() - constructed;
  await settle();
  const seconds = Number(process.hrtime.bigint() - started - measuring) / 1e9;
  return {
    services: size,
    resources: registered().length,
    seconds,
    loadedMb,
    peakMb: process.resourceUsage().maxRSS / 1024,
    liveHeapMb: inFlight,
  };
}

/** Compiles the bench and what it imports to plain JavaScript; returns the compiled bench. */
function compile(root: string): string {
  // Under node_modules, so the compiled files resolve the project's packages as the sources do.
  const out = path.join(root, "node_modules", ".cache", "shipyard-bench");
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const tsconfig = path.join(out, "tsconfig.json");
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(root, "tsconfig.json"),
      compilerOptions: { noEmit: false, sourceMap: false, rootDir: root, outDir: path.join(out, "js") },
      files: [path.join(root, "scripts", "bench.ts")],
      include: [],
    }),
  );
  const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", tsconfig], {
    encoding: "utf8",
  });
  if (tsc.status !== 0) throw new Error(`compiling the bench failed:\n${tsc.stdout}${tsc.stderr}`);
  return path.join(out, "js", "scripts", "bench.js");
}

function runChild(bench: string, size: number): Sample {
  const result = spawnSync(process.execPath, ["--expose-gc", bench, "--size", String(size)], {
    cwd: path.dirname(bench),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`bench for ${size} services failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Sample;
}

function table(samples: readonly Sample[]): string {
  const rows = [
    [
      "services",
      "resources",
      "wall time (s)",
      "loaded RSS (MB)",
      "peak RSS (MB)",
      "heap in flight (MB)",
      "ms / service",
      "heap MB / service",
    ],
  ];
  for (const s of samples) {
    rows.push([
      String(s.services),
      String(s.resources),
      s.seconds.toFixed(3),
      s.loadedMb.toFixed(0),
      s.peakMb.toFixed(0),
      s.liveHeapMb.toFixed(0),
      ((s.seconds * 1000) / s.services).toFixed(2),
      (s.liveHeapMb / s.services).toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const sizeFlag = process.argv.indexOf("--size");
  if (sizeFlag !== -1) {
    console.log(JSON.stringify(await measure(Number(process.argv[sizeFlag + 1]))));
    return;
  }
  const bench = compile(path.resolve(__dirname, ".."));
  const samples = SIZES.map((size) => runChild(bench, size));
  console.log(table(samples));
  const largest = samples.find((s) => s.services === TARGET.services)!;
  const ok = largest.seconds < TARGET.seconds && largest.peakMb < TARGET.megabytes;
  console.log(
    `\n${TARGET.services} services: ${largest.seconds.toFixed(2)} s and ${largest.peakMb.toFixed(0)} MB ` +
      `(target < ${TARGET.seconds} s and < ${TARGET.megabytes} MB): ${ok ? "met" : "MISSED"}`,
  );
  process.exitCode = ok ? 0 : 1;
}

void main();
