import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { attachesToStartedPack, startPolicyPack } from "../../scripts/policy-pack";
import { REMOTE_IMAGE } from "../policy/fixtures";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, run before any TypeScript
const { compiledBuild } = require("../../infra/compile.cjs") as { compiledBuild: (root: string) => string };

// The policy pack as `npm run preview|up` start it (scripts/policy-pack.ts), and policy/pack/attach.sh,
// which the CLI runs as the pack, for real: the pack's Node.js process, its gRPC Analyzer API.
const ROOT = path.resolve(__dirname, "../..");
const ATTACH = path.join(ROOT, "policy", "pack", "attach.sh");
const PRELOAD = `--require ${path.join(ROOT, "infra", "sdk-preload.cjs")}`;

/** attach.sh as the CLI runs it: the engine's address its argument. */
function attach(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      ATTACH,
      ["127.0.0.1:1"],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** A gRPC call as a promise. */
function call<Req, Res>(
  method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function configure(environment: string, dryRun: boolean) {
  const request = new analyzerproto.AnalyzerStackConfigureRequest()
    .setStack(environment)
    .setProject("shipyard")
    .setDryRun(dryRun);
  request.getConfigMap().set("shipyard:environment", environment);
  return request;
}

/** A stack of one tagged image: fine in dev, refused in prod (SHIP-1: digests only). */
const TAGGED_IMAGE = new analyzerproto.AnalyzeStackRequest().setResourcesList([
  new analyzerproto.AnalyzerResource()
    .setType(REMOTE_IMAGE)
    .setName("postgres")
    .setUrn(`urn:pulumi:dev::shipyard::${REMOTE_IMAGE}::postgres`)
    .setProperties(Struct.fromJavaScript({ name: "postgres:16.15-alpine", keepLocally: true }))
    .setOptions(new analyzerproto.AnalyzerResourceOptions()),
]);

function refused(port: number) {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("connect", () => (socket.destroy(), resolve(false))).on("error", () => resolve(true));
  });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-pack-test-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("attachesToStartedPack", () => {
  it.each([
    ["v3.255.0", true],
    ["v3.260.0", true],
    ["3.265.0", true],
    ["v3.255.1-dev.0", true],
    ["v4.0.0", true],
    ["v3.254.9", false],
    ["v2.300.0", false],
    ["unknown", false],
    [undefined, false],
  ])("%s: %s", (version, expected) => {
    expect(attachesToStartedPack(version, "linux")).toBe(expected);
  });

  it("keeps the folder on Windows, which runs no shebang line", () => {
    expect(attachesToStartedPack("v3.260.0", "win32")).toBe(false);
  });
});

describe("attach.sh", () => {
  const portFile = () => path.join(dir, "port");

  it("prints the port the wrapper wrote", async () => {
    fs.writeFileSync(portFile(), "40123\n");
    expect(await attach({ SHIPYARD_POLICY_PACK_PORT_FILE: portFile() })).toEqual({
      code: 0,
      stdout: "40123\n",
      stderr: "",
    });
  });

  it("waits for the port when the pack is not serving yet", async () => {
    setTimeout(() => fs.writeFileSync(portFile(), "40124\n"), 300);
    expect(await attach({ SHIPYARD_POLICY_PACK_PORT_FILE: portFile() })).toEqual({
      code: 0,
      stdout: "40124\n",
      stderr: "",
    });
  });

  it("fails with the wrapper's reason when the pack did not start", async () => {
    fs.writeFileSync(portFile(), "shipyard policy pack: exited (code 1) before it served\n");
    expect(await attach({ SHIPYARD_POLICY_PACK_PORT_FILE: portFile() })).toEqual({
      code: 1,
      stdout: "",
      stderr: "shipyard policy pack: exited (code 1) before it served\n",
    });
  });

  it("says what to use instead outside npm run preview|up", async () => {
    expect(await attach({})).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "shipyard policy pack: SHIPYARD_POLICY_PACK_PORT_FILE is not set: this file runs only under " +
        "npm run preview|up; give the CLI the folder instead: --policy-pack policy/pack\n",
    });
  });
});

describe("startPolicyPack", () => {
  it("serves each session with the configuration the engine sends: a preview of dev, an update of prod", async () => {
    const pack = startPolicyPack(ROOT, { ...process.env, NODE_OPTIONS: PRELOAD });
    try {
      expect(pack.path).toBe(ATTACH);
      const attached = await attach({ ...pack.env });
      expect(attached).toEqual({ code: 0, stdout: expect.stringMatching(/^\d+\n$/) as unknown, stderr: "" });
      const port = Number(attached.stdout);
      const analyzer = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const violations = async () =>
        (
          await call<analyzerproto.AnalyzeStackRequest, analyzerproto.AnalyzeResponse>(
            analyzer.analyzeStack.bind(analyzer),
            TAGGED_IMAGE,
          )
        )
          .getDiagnosticsList()
          .map((d) => `${d.getPolicyname()}: ${d.getMessage()}`)
          .filter((d) => d.startsWith("ship-1"));

      await call(analyzer.configureStack.bind(analyzer), configure("dev", true));
      expect(await violations()).toEqual([]);
      await call(analyzer.configureStack.bind(analyzer), configure("prod", false));
      expect(await violations()).toEqual([
        "ship-1: Images are pinned: no `latest` or untagged image outside dev, digests only in prod\n" +
          'RemoteImage "postgres": `name` is "postgres:16.15-alpine"; prod runs digests only: ' +
          'use "repo@sha256:<64 hex>" or a local image id "sha256:<64 hex>" (SHIP-1)',
      ]);
      analyzer.close();
      pack.close();
      await expect.poll(() => refused(port), { timeout: 5_000 }).toBe(true);
      expect(fs.existsSync(path.dirname(pack.env["SHIPYARD_POLICY_PACK_PORT_FILE"] ?? ""))).toBe(false);
    } finally {
      pack.close();
    }
  }, 60_000);

  it("exits with the process that started it, however that ends, and removes the port file", async () => {
    const script = path.join(compiledBuild(ROOT), "scripts", "policy-pack.js");
    const starter = spawn(
      process.execPath,
      [
        "-e",
        `const p = require(${JSON.stringify(script)}).startPolicyPack(${JSON.stringify(ROOT)}, process.env);
           console.log(p.env.SHIPYARD_POLICY_PACK_PORT_FILE); setInterval(() => {}, 1000);`,
      ],
      // In this test's folder, in case the folder were left behind.
      { env: { ...process.env, NODE_OPTIONS: PRELOAD, TMPDIR: dir }, stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const portFile = await new Promise<string>((resolve) =>
        starter.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())),
      );
      const attached = await attach({ SHIPYARD_POLICY_PACK_PORT_FILE: portFile });
      const port = Number(attached.stdout);
      expect(await refused(port)).toBe(false);
      starter.kill("SIGKILL");
      await expect.poll(() => refused(port), { timeout: 10_000 }).toBe(true);
      // The killed starter could not remove its port file; the pack did, and the folder with it.
      expect(path.dirname(portFile).startsWith(dir)).toBe(true);
      expect(fs.existsSync(path.dirname(portFile))).toBe(false);
    } finally {
      starter.kill("SIGKILL");
    }
  }, 60_000);

  it("tells attach.sh why there is no pack when it fails to start", async () => {
    const root = path.join(dir, "root");
    fs.mkdirSync(path.join(root, "policy", "pack"), { recursive: true });
    fs.writeFileSync(path.join(root, "policy", "pack", "package.json"), '{"main": "index.js"}');
    fs.writeFileSync(path.join(root, "policy", "pack", "index.js"), "process.exit(3);\n");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
    const pack = startPolicyPack(root, { ...process.env, NODE_OPTIONS: PRELOAD });
    try {
      expect(await attach({ ...pack.env })).toEqual({
        code: 1,
        stdout: "",
        stderr: "shipyard policy pack: exited (code 3) before it served; its errors are above\n",
      });
    } finally {
      pack.close();
    }
  }, 60_000);
});
