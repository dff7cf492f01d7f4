import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import { ComponentArgError, dnsLabelError, isDnsLabel, toLabelList } from "./naming";
import type { Target } from "./target";
import { LABEL } from "./labels";

/** Where secret files live in a service's filesystem (the Docker and Swarm convention). */
export const SECRETS_DIR = "/run/secrets";

/** How a {@link Secret} is created. Every field is optional: by default the value is generated. */
export interface SecretArgs {
  /**
   * A secret supplied by the caller, e.g. `config.requireSecret("apiToken")` or a value derived
   * from another secret. It is wrapped with `pulumi.secret` whatever the caller passed.
   *
   * @default - a value generated with `random.RandomPassword`
   */
  readonly value?: pulumi.Input<string>;
  /**
   * Length of a generated value.
   *
   * @default 32
   */
  readonly length?: number;
  /**
   * Include punctuation in a generated value. Off by default because consumers such as connection
   * strings and config files need no escaping then; 32 alphanumerics carry about 190 bits.
   *
   * @default false
   */
  readonly special?: boolean;
  /**
   * File name under `/run/secrets`.
   *
   * @default - the component name
   */
  readonly fileName?: string;
  /**
   * Protect a generated value and keep it through `pulumi destroy --exclude-protected`, as the data
   * it unlocks is kept: a database re-created on a retained volume still needs its old password.
   *
   * @default false
   */
  readonly protect?: boolean;
  /**
   * `swarm` also stores the value as a Swarm secret (`docker.Secret`), which swarm services mount.
   *
   * @default "container"
   */
  readonly target?: Target;
  /**
   * Prefix of the Swarm secret's name; a random revision follows it.
   *
   * @default - the component name
   */
  readonly dockerName?: string;
}

/**
 * The first 12 hex digits of the content's SHA-256: the name of a Swarm config (plain file content)
 * changes when the content does. Never for secrets: a hash confirms a guess of the value.
 */
export function contentHash(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}

/** Validates SecretArgs that can be checked before anything is created. */
export function validateSecretArgs(name: string, args: SecretArgs): void {
  const fileName = args.fileName ?? name;
  if (!isDnsLabel(fileName)) {
    throw new ComponentArgError("Secret", name, "fileName", dnsLabelError(fileName));
  }
  if (args.dockerName !== undefined && !isDnsLabel(args.dockerName)) {
    throw new ComponentArgError("Secret", name, "dockerName", dnsLabelError(args.dockerName));
  }
  if (args.value !== undefined && (args.length !== undefined || args.special !== undefined)) {
    throw new ComponentArgError(
      "Secret",
      name,
      "length",
      "applies only to generated secrets; drop `length`/`special` or drop `value`",
    );
  }
  const length = args.length ?? 32;
  if (!Number.isInteger(length) || length < 16 || length > 256) {
    throw new ComponentArgError("Secret", name, "length", `must be an integer from 16 to 256, got ${length}`);
  }
}

/**
 * A secret value that is delivered to services as a file, never as an environment variable.
 *
 * Creates: `random.RandomPassword` (`<name>`) when no `value` is given. The value stays a secret
 * Output end to end; services mount it at {@link Secret.path} and read it through `*_FILE` env.
 *
 * @example
 * const token = new Secret("api-token", { value: config.requireSecret("apiToken") });
 * const session = new Secret("session-key", { length: 64 }); // generated
 * new Service("web", { ...args, secrets: [{ secret: session, env: "SESSION_KEY_FILE" }] });
 */
export class Secret extends pulumi.ComponentResource {
  /** The Pulumi type token of every Secret. */
  static readonly TYPE = "shipyard:components:Secret";

  /** The secret value (always a secret Output). */
  readonly value: pulumi.Output<string>;
  /** The file name under `/run/secrets`. */
  readonly fileName: string;
  /** The absolute path services read, `/run/secrets/<fileName>`. */
  readonly path: string;
  /** True when the value was generated here rather than supplied. */
  readonly generated: boolean;
  /**
   * On the swarm target: the Swarm secret (`<dockerName>-<revision>`, a random id renewed with the
   * value). Rotating the value creates a new secret, services roll onto it, then the old one is
   * deleted (Swarm secrets are immutable).
   */
  readonly swarmSecret?: { readonly id: pulumi.Output<string>; readonly name: pulumi.Output<string> };

  constructor(name: string, args: SecretArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(Secret.TYPE, name, {}, opts);
    validateSecretArgs(name, args);
    this.fileName = args.fileName ?? name;
    this.path = `${SECRETS_DIR}/${this.fileName}`;
    this.generated = args.value === undefined;

    if (args.value !== undefined) {
      this.value = pulumi.secret(args.value);
    } else {
      const password = new random.RandomPassword(
        name,
        { length: args.length ?? 32, special: args.special ?? false },
        // The engine marks `result` secret from the schema; say so explicitly as well.
        { parent: this, additionalSecretOutputs: ["result"], protect: args.protect ?? false },
      );
      this.value = pulumi.secret(password.result);
    }
    if ((args.target ?? "container") === "swarm") {
      const dockerName = args.dockerName ?? name;
      // Swarm secrets are immutable, so the name changes with the value: it ends in a random
      // revision kept while the value stays the same (the keeper, secret in state). A hash of the
      // value would let anyone who sees the name (state, previews, `docker secret ls`) confirm a
      // guess of a weak supplied password offline.
      const revision = new random.RandomId(
        `${name}-revision`,
        { byteLength: 6, keepers: { value: this.value } },
        { parent: this },
      );
      const stored = new docker.Secret(
        name,
        {
          name: pulumi.interpolate`${dockerName}-${revision.hex}`,
          data: this.value.apply((v) => Buffer.from(v, "utf8").toString("base64")),
          labels: toLabelList({ [LABEL.secret]: name }),
        },
        // The new secret (a new name) first, services onto it, then the old one goes. Without this
        // the provider asks for delete-first whenever the new name is unknown at planning, and Swarm
        // refuses to delete a secret a service still uses (a real rotation failed so).
        { parent: this, deleteBeforeReplace: false },
      );
      this.swarmSecret = { id: stored.id, name: stored.name };
    }
    this.registerOutputs({ value: this.value });
  }
}
