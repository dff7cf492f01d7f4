/**
 * Turns a registration recorded under `pulumi.runtime.setMocks` (test/mocks.ts, the audit command)
 * into a {@link RegisteredResource}: secret wrappers are unwrapped and their paths kept.
 */
import type { RegisteredResource } from "./types";

/**
 * The engine's wire markers for a secret value (`@pulumi/pulumi/runtime/rpc` specialSigKey and
 * specialSecretSig), copied so this module does not load the Pulumi runtime.
 */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A registration as the mock monitor records it; secret inputs are `{[SIG_KEY]: SECRET_SIG, value}`. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly options: {
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly deleteBeforeReplace?: boolean;
  };
}

function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/**
 * @returns the resource with plain inputs, and `secretPaths` listing each secret's path
 *   (`"envs"`, `"uploads[0].content"`, `"taskSpec.containerSpec.env.TOKEN"`), outermost first
 */
export function fromRecorded(recorded: RecordedResource): RegisteredResource {
  const secretPaths: string[] = [];
  const unwrap = (value: unknown, path: string): unknown => {
    if (isSecret(value)) {
      secretPaths.push(path);
      return unwrap(value.value, path);
    }
    if (Array.isArray(value)) return value.map((item: unknown, i) => unwrap(item, `${path}[${i}]`));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          unwrap(item, `${path}.${key}`),
        ]),
      );
    }
    return value;
  };
  const inputs = Object.fromEntries(
    Object.entries(recorded.inputs).map(([key, value]) => [key, unwrap(value, key)]),
  );
  const { protect, retainOnDelete, deleteBeforeReplace } = recorded.options;
  return {
    type: recorded.type,
    name: recorded.name,
    inputs,
    options: { protect, retainOnDelete, deleteBeforeReplace },
    secretPaths: [...new Set(secretPaths)],
  };
}
