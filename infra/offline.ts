import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { PROJECT, type RawConfig } from "./config";
import { listStacks } from "./stack-files";

export { listStacks };

/**
 * Evaluates the program without an engine: Pulumi's mock monitor, realistic computed outputs, and a
 * record of every registration with its inputs and resource options. Tests, `npm run audit`,
 * `npm run diagram`, `npm run compose` and `npm run bench` all run through here.
 */

export interface Registration {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine would receive them; secret inputs are `{ secret: true, value }` wrappers, see {@link unwrapSecret}. */
  readonly inputs: Record<string, unknown>;
  readonly custom: boolean;
  readonly urn: string;
  readonly parent: string;
  readonly options: {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean | undefined;
    readonly replaceOnChanges: readonly string[];
    readonly dependencies: readonly string[];
    /** The provider reference (`<provider urn>::<id>`), when the program gave one. */
    readonly provider: string | undefined;
  };
}

const SECRET_SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

/** True when a recorded input value was secret. */
export function isSecretInput(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
  );
}

/** `{ secret, value }` for a recorded input: the secret flag the engine would see, and the plain value. */
export function unwrapSecret(value: unknown): { secret: boolean; value: unknown } {
  return isSecretInput(value) ? { secret: true, value: value.value } : { secret: false, value };
}

/** The id the mock engine gives the resource named `name`. */
export function mockId(name: string): string {
  return `${name}-id`;
}

/** A deterministic fake sha256 for computed ids and digests. */
export function fakeSha256(seed: string): string {
  return createHash("sha256").update(seed).digest("hex");
}

/** The image id the mock gives a pulled or built reference. */
export function mockImageId(ref: string): string {
  return `sha256:${fakeSha256(`image:${ref}`)}`;
}

/** The `imageId` the mock gives a `docker.RemoteImage` of `ref`: a local id as given, else {@link mockImageId}. */
export function mockRemoteImageId(ref: string): string {
  return ref.startsWith("sha256:") ? ref : mockImageId(ref);
}

/** The value the mock generates for a `random.RandomPassword` named `name`. */
export function mockPassword(name: string, length = 32): string {
  return `pw-${fakeSha256(`password:${name}`).slice(0, length - 3)}`;
}

function secretValue(value: unknown): Record<string, unknown> {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/** Image names built by `docker.Image` in this process: local-only, so without a repo digest. */
const builtImages = new Set<string>();

/** The outputs the providers compute, so components see what they would see on a real engine. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage": {
      const ref = String(unwrapSecret(inputs.name).value);
      const imageId = mockRemoteImageId(ref);
      // An image built here and never pushed has no repo digest, as on a real engine.
      const pulled = ref.includes("@") ? ref : `${ref.split(":")[0]}@sha256:${fakeSha256(`digest:${ref}`)}`;
      return { imageId, repoDigest: builtImages.has(ref) ? "" : pulled };
    }
    case "docker:index/image:Image":
      builtImages.add(String(inputs.imageName));
      return { imageName: inputs.imageName, repoDigest: "", baseImageName: inputs.imageName };
    case "docker:index/container:Container":
      return { name: inputs.name ?? `${name}-${fakeSha256(name).slice(0, 7)}`, exitCode: 0 };
    case "random:index/randomId:RandomId": {
      // Random on a real engine, kept while the keepers stay the same; here a hash of them, so a
      // change of keepers gives a new one as a replacement would.
      const keepers = Object.entries((inputs.keepers ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        unwrapSecret(v).value,
      ]);
      const hex = fakeSha256(`revision:${name}:${JSON.stringify(keepers)}`).slice(
        0,
        2 * Number(inputs.byteLength ?? 8),
      );
      return { hex, keepers: inputs.keepers };
    }
    case "random:index/randomPassword:RandomPassword":
      // The engine marks `result` secret from the provider schema; the mock monitor does not, so do it here.
      return {
        result: secretValue(mockPassword(name, Number(inputs.length ?? 32))),
      };
    default:
      return {};
  }
}

const registrations: Registration[] = [];

/** Everything registered since the last {@link resetRegistrations}. */
export function registered(): readonly Registration[] {
  return registrations;
}

export function resetRegistrations(): void {
  registrations.length = 0;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getReplaceonchangesList(): string[];
  getDependenciesList(): string[];
  getProvider(): string;
}
interface MockMonitor {
  registerResource(
    req: RegisterRequest,
    callback: (err: unknown, res: { getUrn(): string } | undefined) => void,
  ): Promise<void>;
}

/**
 * Installs the mocks. Call before the program is imported (vitest `setupFiles` does).
 *
 * @param stack the stack name `pulumi.getStack()` returns
 */
export function installMocks(stack = "dev"): void {
  void pulumi.runtime.setMocks(
    {
      newResource: (args) => ({
        id: mockId(args.name),
        state: {
          ...(args.inputs as Record<string, unknown>),
          ...computedState(args.type, args.name, args.inputs as Record<string, unknown>),
        },
      }),
      call: (args) => args.inputs as Record<string, unknown>,
    },
    PROJECT,
    stack,
    // A preview: nothing here runs against a Docker host, so the health gates probe nothing.
    true,
    "organization",
  );
  // The mock monitor hands `newResource` no resource options; read them off the request so tests
  // and the audit can check protect / retainOnDelete / deleteBeforeReplace.
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, res) => {
      if (!err && res) {
        const urn = res.getUrn();
        registrations.push({
          type: req.getType(),
          name: req.getName(),
          inputs: recordedInputs(req),
          custom: req.getCustom(),
          urn,
          parent: req.getParent(),
          options: {
            protect: req.getProtect(),
            retainOnDelete: req.getRetainondelete(),
            // Undefined when the program left it to the provider, which may then ask for delete-first.
            deleteBeforeReplace: req.getDeletebeforereplacedefined()
              ? req.getDeletebeforereplace()
              : undefined,
            replaceOnChanges: req.getReplaceonchangesList(),
            dependencies: req.getDependenciesList(),
            provider: req.getProvider() || undefined,
          },
        });
      }
      callback(err, res);
    });
}

function recordedInputs(req: RegisterRequest): Record<string, unknown> {
  type Struct = Parameters<typeof pulumi.runtime.deserializeProperties>[0];
  const object = (req as unknown as { getObject(): Struct }).getObject();
  return pulumi.runtime.deserializeProperties(object);
}

/** Waits until every registration the program started has reached the mock monitor. */
export async function settle(): Promise<void> {
  // waitForRPCs is exported by the SDK's JavaScript but marked internal in its typings.
  await (runtimeSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Resolves an Output's value (under mocks every value is known). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/**
 * Reads `Pulumi.<stack>.yaml` into raw config. Encrypted values cannot be read without the
 * passphrase, and need not be: they come back as secret placeholders.
 */
export function readStackFile(stack: string, root = path.resolve(__dirname, "..")): RawConfig {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file))
    throw new Error(`no stack file ${file}; stacks in this project: ${listStacks(root).join(", ")}`);
  let doc: { config?: Record<string, unknown> };
  try {
    doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as typeof doc;
  } catch (error) {
    // The parser's message has the line and column but not the file.
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  const raw: Record<string, { value: string; secret: boolean }> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    const name = key.slice(PROJECT.length + 1);
    const isSecure = typeof value === "object" && value !== null && "secure" in value;
    raw[name] = isSecure
      ? { value: `secret-placeholder-${name}`, secret: true }
      : { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
  }
  return raw;
}
