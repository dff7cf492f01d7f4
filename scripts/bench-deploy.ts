/**
 * `npm run bench:deploy -- [--rounds 3] [--from dev] [--keep]`: shipyard against Docker Compose on
 * this machine's engine, in the same run. Needs a `pulumi` on PATH, a Docker daemon and
 * `docker compose`; without one it says which and exits 0.
 *
 * It copies stack `--from` into a scratch stack `bench-<id>` (its own name prefix and web port, no
 * other host ports, its own passphrase) and generates the Compose peer from it with
 * `npm run compose` (own names, own project). Each round, Compose then shipyard, each through the
 * command a user types: a cold deploy until every container is healthy, a no-op (`compose up`
 * against `npm run preview` and `npm run up`), one api env change (checked to replace the api's
 * containers and nothing else) and a teardown. shipyard's cold deploy and change are timed twice:
 * until `npm run up` returns, and until Docker reports the containers healthy as Compose's
 * `up --wait` does. The scratch stack, its containers, volumes and
 * networks, and the Compose project are removed at the end, whatever happened.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as net from "node:net";
import { parse, stringify } from "yaml";
import { redisMaxMemory } from "../components/redis-cache";
import {
  DEPLOY_BENCH_USAGE,
  parseContainers,
  parseDeployBenchArgs,
  renderTable,
  touchedServices,
  type ContainerEntry,
  type Scenario,
  allHealthy,
} from "./bench/deploy-report";
import { pulumiOnPath, pulumiVersion } from "./pulumi-cli";

const ROOT = path.resolve(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Why the bench cannot run here, or undefined when it can. */
function missing(): string | undefined {
  if (pulumiOnPath(process.env.PATH) === undefined) return "no pulumi CLI on PATH";
  const docker = spawnSync("docker", ["version", "--format", "{{.Server.APIVersion}}"], { encoding: "utf8" });
  if (docker.error) return "no docker CLI on PATH";
  if (docker.status !== 0) return `no Docker daemon (${docker.stderr.trim().split("\n")[0]})`;
  if (spawnSync("docker", ["compose", "version"], { encoding: "utf8" }).status !== 0)
    return "no `docker compose`";
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

class Bench {
  readonly id = crypto.randomBytes(3).toString("hex");
  readonly stack = `bench-${this.id}`;
  readonly prefix = `shipyard-bench-${this.id}`;
  readonly project = `shipyard-bench-${this.id}-compose`;
  readonly stackFile = path.join(ROOT, `Pulumi.${this.stack}.yaml`);
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-bench-deploy-"));
  readonly composeFile = path.join(this.dir, "compose.yaml");
  readonly log = path.join(this.dir, "bench.log");
  readonly env: NodeJS.ProcessEnv = {
    ...process.env,
    // The scratch stack's own passphrase: it lives as long as the bench.
    PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(24).toString("hex"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };

  constructor(
    readonly from: string,
    readonly ports: { pulumi: number; compose: number },
  ) {}

  /** Runs a command, appending its output to the log; returns seconds, throws on failure. */
  timed(command: string, args: readonly string[], what: string): number {
    fs.appendFileSync(this.log, `\n$ ${command} ${args.join(" ")}\n`);
    const fd = fs.openSync(this.log, "a");
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, env: this.env, stdio: ["ignore", fd, fd] });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    fs.closeSync(fd);
    if (result.status !== 0)
      throw new Error(
        `${what} failed (exit ${result.status ?? result.signal}); its output is in ${this.log}`,
      );
    console.error(`  ${what}: ${seconds.toFixed(1)} s`);
    return seconds;
  }

  /** The stack's settings with the bench's names and ports, and `api` carrying `change` in its env. */
  writeStack(change: number): void {
    const base = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${this.from}.yaml`), "utf8")) as {
      config?: Record<string, unknown>;
    };
    const current = fs.existsSync(this.stackFile)
      ? (parse(fs.readFileSync(this.stackFile, "utf8")) as Record<string, unknown>)
      : {};
    const services = (base.config?.["shipyard:services"] ?? {}) as Record<string, Record<string, unknown>>;
    const api = services.api ?? {};
    const config = {
      ...base.config,
      "shipyard:namePrefix": this.prefix,
      "shipyard:webPort": this.ports.pulumi,
      "shipyard:services": {
        ...services,
        api: { ...api, ports: [], env: { ...(api.env as object), BENCH_CHANGE: String(change) } },
        postgres: { ...services.postgres, ports: [] },
      },
    };
    // Keep the salt Pulumi wrote on the stack's first use.
    fs.writeFileSync(this.stackFile, stringify({ ...current, config }));
  }

  /** `npm run compose` for the scratch stack, with Compose's own names, and its secret files. */
  writeCompose(): void {
    const sets = ["--set", `namePrefix=${this.project}`, "--set", `webPort=${this.ports.compose}`];
    this.timed(
      NPM,
      ["run", "--silent", "compose", "--", this.stack, "--out", this.composeFile, ...sets],
      "compose file",
    );
    // Once: the running containers read these files, so new values would fail their healthchecks.
    const secrets = path.join(this.dir, "secrets");
    if (fs.existsSync(secrets)) return;
    fs.mkdirSync(secrets, { recursive: true, mode: 0o700 });
    const pw = () => crypto.randomBytes(24).toString("hex");
    const graph = pw();
    const redis = pw();
    const memory = (
      parse(fs.readFileSync(this.composeFile, "utf8")) as { services: Record<string, { mem_limit?: string }> }
    ).services.redis?.mem_limit;
    const files: Record<string, string> = {
      "postgres-password": pw(),
      "redis-password": redis,
      "graph-password": graph,
      "graph-auth": `neo4j/${graph}`,
      "redis-conf": `requirepass ${redis}\nmaxmemory ${redisMaxMemory(memory ?? "128m")}\nmaxmemory-policy allkeys-lru\nsave ""\nappendonly no\nprotected-mode yes\n`,
    };
    for (const [name, content] of Object.entries(files))
      fs.writeFileSync(path.join(secrets, name), content, { mode: 0o444 });
  }

  compose(...args: string[]): string[] {
    return ["compose", "-p", this.project, "-f", this.composeFile, ...args];
  }

  /** The containers of the Compose project, or of the scratch stack. */
  containers(of: "compose" | "pulumi"): Map<string, ContainerEntry> {
    const filter =
      of === "compose"
        ? `label=com.docker.compose.project=${this.project}`
        : `label=shipyard.stack=${this.stack}`;
    const result = spawnSync(
      "docker",
      ["ps", "-a", "--filter", filter, "--format", '{{.Names}} {{.ID}} {{.Label "shipyard.service"}}'],
      { encoding: "utf8" },
    );
    const all = parseContainers(result.stdout);
    if (of === "pulumi") for (const [name] of all) if (name.startsWith(this.project)) all.delete(name);
    return all;
  }

  /** Times `change`, then checks it touched exactly `expected` services' containers. */
  changeOnly(of: "compose" | "pulumi", expected: string[], change: () => number): number {
    const before = this.containers(of);
    const seconds = change();
    const touched = touchedServices(before, this.containers(of));
    if (JSON.stringify(touched) !== JSON.stringify(expected))
      throw new Error(
        `${of}: expected to touch ${expected.join(", ") || "nothing"}, touched ${touched.join(", ") || "nothing"}`,
      );
    return seconds;
  }

  /**
   * Seconds from now until Docker reports every running container of the scratch stack healthy.
   * `npm run up` returns when every healthcheck passed once (the health gates); Docker's own status
   * follows at its next probe, which `docker compose up --wait` waits for.
   */
  untilDockerHealthy(what: string): number {
    const started = process.hrtime.bigint();
    const filter = ["--filter", `label=shipyard.stack=${this.stack}`, "--filter", "status=running"];
    for (;;) {
      const ps = spawnSync("docker", ["ps", ...filter, "--format", "{{.Status}}"], { encoding: "utf8" });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (allHealthy(ps.stdout)) {
        console.error(`  ${what}: ${seconds.toFixed(1)} s more`);
        return seconds;
      }
      if (seconds > 300) throw new Error(`${what}: not all healthy after 300 s:\n${ps.stdout}`);
      spawnSync("sleep", ["0.25"]);
    }
  }

  pulumi(command: "up" | "preview" | "destroy", what: string): number {
    const flags = command === "preview" ? [] : ["--yes"];
    return this.timed(NPM, ["run", "--silent", command, "--", this.stack, ...flags], what);
  }

  /** Removes everything the bench created; never throws. */
  cleanUp(keep: boolean): void {
    const quiet = { cwd: ROOT, env: this.env, stdio: "ignore" } as const;
    spawnSync("docker", this.compose("down", "-v", "--remove-orphans"), quiet);
    if (fs.existsSync(this.stackFile)) {
      spawnSync(NPM, ["run", "--silent", "destroy", "--", this.stack, "--yes"], quiet);
      const state = {
        ...quiet,
        env: { ...this.env, PULUMI_BACKEND_URL: `file://${path.join(ROOT, ".pulumi-state")}` },
      };
      spawnSync(pulumiOnPath(process.env.PATH)!, ["stack", "rm", this.stack, "--yes", "--force"], state);
      fs.rmSync(this.stackFile, { force: true });
    }
    if (!keep) fs.rmSync(this.dir, { recursive: true, force: true });
    else console.error(`kept ${this.dir}`);
  }
}

async function main(): Promise<void> {
  const args = parseDeployBenchArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(`${args}\n${DEPLOY_BENCH_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const reason = missing();
  if (reason !== undefined) {
    console.log(`bench:deploy skipped: ${reason}`);
    return;
  }
  if (!fs.existsSync(path.join(ROOT, `Pulumi.${args.from}.yaml`))) {
    console.error(`no Pulumi.${args.from}.yaml to copy`);
    process.exitCode = 2;
    return;
  }
  const bench = new Bench(args.from, { pulumi: await freePort(), compose: await freePort() });
  const stop = () => {
    bench.cleanUp(args.keep);
    process.exit(130);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Seconds per round, by what was timed.
  const compose = {
    cold: [] as number[],
    noop: [] as number[],
    change: [] as number[],
    down: [] as number[],
  };
  const shipyard = {
    cold: [] as number[],
    coldHealthy: [] as number[],
    preview: [] as number[],
    noopUp: [] as number[],
    change: [] as number[],
    changeHealthy: [] as number[],
    destroy: [] as number[],
  };
  try {
    bench.writeStack(0);
    bench.writeCompose();
    // Untimed: build or pull what Compose's first `up` would, so both start from a warm cache.
    bench.timed("docker", bench.compose("build"), "warm-up: compose build");
    for (let round = 1; round <= args.rounds; round++) {
      console.error(`round ${round} of ${args.rounds}`);
      compose.cold.push(bench.timed("docker", bench.compose("up", "-d", "--wait"), "compose: cold up"));
      const noop = bench.changeOnly("compose", [], () =>
        bench.timed("docker", bench.compose("up", "-d", "--wait"), "compose: no-op up"),
      );
      compose.noop.push(noop);
      bench.writeStack(round);
      bench.writeCompose();
      compose.change.push(
        bench.changeOnly("compose", ["api"], () =>
          bench.timed("docker", bench.compose("up", "-d", "--wait"), "compose: api env change"),
        ),
      );
      compose.down.push(bench.timed("docker", bench.compose("down", "-v"), "compose: down"));

      bench.writeStack(round - 1);
      const cold = bench.pulumi("up", "shipyard: cold up");
      shipyard.cold.push(cold);
      shipyard.coldHealthy.push(cold + bench.untilDockerHealthy("shipyard: until Docker's healthy"));
      shipyard.preview.push(
        bench.changeOnly("pulumi", [], () => bench.pulumi("preview", "shipyard: no-op preview")),
      );
      shipyard.noopUp.push(bench.changeOnly("pulumi", [], () => bench.pulumi("up", "shipyard: no-op up")));
      bench.writeStack(round);
      const change = bench.changeOnly("pulumi", ["api"], () =>
        bench.pulumi("up", "shipyard: api env change"),
      );
      shipyard.change.push(change);
      shipyard.changeHealthy.push(change + bench.untilDockerHealthy("shipyard: until Docker's healthy"));
      shipyard.destroy.push(bench.pulumi("destroy", "shipyard: destroy"));
    }
  } catch (error) {
    console.error(`bench:deploy failed: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  } finally {
    bench.cleanUp(args.keep || process.exitCode === 1);
  }
  // Compose's `up --wait` ends at Docker's healthy; `npm run up` at the health gates' first passing
  // checks, so the cold deploy and the change are shown both ways: until shipyard returns, and
  // until Docker reports the same healthy state Compose waited for.
  const rows: [string, number, number[], number[]][] = [
    ["cold deploy: until `up` returns, every check passed", 1.2, compose.cold, shipyard.cold],
    ["cold deploy: until Docker reports all healthy", 1.2, compose.cold, shipyard.coldHealthy],
    ["no-op: `compose up` vs `npm run preview`", 2, compose.noop, shipyard.preview],
    ["no-op: `compose up` vs `npm run up`", 3, compose.noop, shipyard.noopUp],
    ["api env change: until `up` returns (api only)", 1.3, compose.change, shipyard.change],
    ["api env change: until Docker reports it healthy", 1.3, compose.change, shipyard.changeHealthy],
    ["teardown (`compose down -v` vs `npm run destroy`)", 3, compose.down, shipyard.destroy],
  ];
  const scenarios: Scenario[] = rows.map(([label, goal, composeTimes, shipyardTimes]) => ({
    label,
    goal,
    compose: composeTimes,
    shipyard: shipyardTimes,
  }));
  const docker = spawnSync(
    "docker",
    ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"],
    {
      encoding: "utf8",
    },
  ).stdout.trim();
  const composeVersion = spawnSync("docker", ["compose", "version", "--short"], {
    encoding: "utf8",
  }).stdout.trim();
  const pulumi = pulumiVersion(pulumiOnPath(process.env.PATH)!) ?? "(version unknown)";
  console.log(
    `stack ${args.from}, ${args.rounds} round${args.rounds === 1 ? "" : "s"}, median (min–max); ` +
      `${os.cpus().length} cores, Docker ${docker}, Compose ${composeVersion}, Pulumi ${pulumi}, Node ${process.versions.node}\n`,
  );
  console.log(renderTable(scenarios));
}

void main();
