/**
 * `npm run bench`: evaluates generated systems of 10, 50 and 200 services under Pulumi mocks,
 * through shipyard's components and through a plain @pulumi/docker program that registers the
 * same resources with the same inputs (scripts/bench/), and prints per size the wall time, the
 * cost per service and the peak memory of each, and the ratio shipyard / plain. Target: 200
 * services in under 2 s and 300 MB.
 *
 * What is measured is the program: it is compiled with tsc first and each measurement runs in its
 * own plain `node` process, so peak RSS is that run's alone and holds no TypeScript loader (tsx,
 * which runs this script, adds ~70 MB of its own; `pulumi up` uses the SDK's ts-node instead).
 * Each size and program runs RUNS times, interleaved; the run with the median wall time is shown.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { installMocks, registered, settle } from "../infra/offline";

const SIZES = [10, 50, 200];
const RUNS = 3;
const TARGET = { seconds: 2, megabytes: 300, services: 200 };
const PROGRAMS = ["shipyard", "plain"] as const;
type Program = (typeof PROGRAMS)[number];

interface Sample {
  readonly program: Program;
  readonly services: number;
  /** Custom resources registered (Docker and random): the same for both programs. */
  readonly resources: number;
  readonly seconds: number;
  readonly peakMb: number;
  /** Heap the evaluation holds once every resource is constructed (all registrations in flight). */
  readonly liveHeapMb: number;
}

/** Live heap after a full collection (the child runs with --expose-gc). */
function liveHeapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function measure(program: Program, size: number): Promise<Sample> {
  // Components create nothing when imported, so the mocks only need to exist before the first `new`.
  installMocks("bench");
  const build =
    program === "shipyard"
      ? (await import("./bench/shipyard-system.js")).shipyardSystem
      : (await import("./bench/plain-system.js")).plainSystem;
  const baseline = liveHeapMb();

  // The Pulumi SDK records a stack trace for every internal promise (runtime/debuggable.js), printed
  // only by its leak report under PULUMI_DEBUG_PROMISE_LEAKS. What a capture costs depends on the
  // loader (ts-node's source-map hooks make it far dearer), so the figures leave them out.
  Error.stackTraceLimit = 0;
  const started = process.hrtime.bigint();
  build(size);
  const constructed = process.hrtime.bigint();
  const inFlight = liveHeapMb() - baseline;
  // The collection above is measurement, not evaluation: leave its time out.
  const measuring = process.hrtime.bigint() - constructed;
  await settle();
  const seconds = Number(process.hrtime.bigint() - started - measuring) / 1e9;
  return {
    program,
    services: size,
    resources: registered().filter((r) => r.custom).length,
    seconds,
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
  // Components find their assets (the files carrier's build context) beside their own file.
  fs.cpSync(path.join(root, "components", "assets"), path.join(out, "js", "components", "assets"), {
    recursive: true,
  });
  return path.join(out, "js", "scripts", "bench.js");
}

function runChild(bench: string, program: Program, size: number): Sample {
  const result = spawnSync(
    process.execPath,
    ["--expose-gc", bench, "--program", program, "--size", String(size)],
    { cwd: path.dirname(bench), encoding: "utf8" },
  );
  if (result.status !== 0)
    throw new Error(`bench of ${program} for ${size} services failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Sample;
}

function median(samples: readonly Sample[]): Sample {
  return [...samples].sort((a, b) => a.seconds - b.seconds)[Math.floor(samples.length / 2)]!;
}

function table(pairs: readonly { shipyard: Sample; plain: Sample }[]): string {
  const rows = [
    [
      "services",
      "resources",
      "program",
      "wall time (s)",
      "ms / service",
      "peak RSS (MB)",
      "heap in flight (MB)",
    ],
  ];
  const row = (s: Sample) => [
    String(s.services),
    String(s.resources),
    s.program,
    s.seconds.toFixed(3),
    ((s.seconds * 1000) / s.services).toFixed(2),
    s.peakMb.toFixed(0),
    s.liveHeapMb.toFixed(0),
  ];
  for (const { shipyard, plain } of pairs) {
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    rows.push(row(shipyard), row(plain), [
      "",
      "",
      "ratio",
      ratio(shipyard.seconds, plain.seconds),
      ratio(shipyard.seconds, plain.seconds),
      ratio(shipyard.peakMb, plain.peakMb),
      ratio(shipyard.liveHeapMb, plain.liveHeapMb),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "),
    )
    .join("\n");
}

async function main(): Promise<void> {
  const sizeFlag = process.argv.indexOf("--size");
  if (sizeFlag !== -1) {
    const program = process.argv[process.argv.indexOf("--program") + 1] as Program;
    console.log(JSON.stringify(await measure(program, Number(process.argv[sizeFlag + 1]))));
    return;
  }
  const bench = compile(path.resolve(__dirname, ".."));
  const runs = new Map<string, Sample[]>();
  for (let run = 0; run < RUNS; run++)
    for (const size of SIZES)
      for (const program of PROGRAMS) {
        const key = `${program}:${size}`;
        runs.set(key, [...(runs.get(key) ?? []), runChild(bench, program, size)]);
      }
  const pairs = SIZES.map((size) => {
    const shipyard = median(runs.get(`shipyard:${size}`)!);
    const plain = median(runs.get(`plain:${size}`)!);
    if (shipyard.resources !== plain.resources)
      throw new Error(`the programs registered ${shipyard.resources} and ${plain.resources} resources`);
    return { shipyard, plain };
  });
  console.log(`median of ${RUNS} runs each, Node ${process.versions.node}\n`);
  console.log(table(pairs));
  const largest = pairs.find((p) => p.shipyard.services === TARGET.services)!.shipyard;
  const ok = largest.seconds < TARGET.seconds && largest.peakMb < TARGET.megabytes;
  console.log(
    `\nshipyard, ${TARGET.services} services: ${largest.seconds.toFixed(2)} s and ${largest.peakMb.toFixed(0)} MB ` +
      `(target < ${TARGET.seconds} s and < ${TARGET.megabytes} MB): ${ok ? "met" : "MISSED"}`,
  );
  process.exitCode = ok ? 0 : 1;
}

void main();
