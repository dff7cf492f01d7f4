import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ComponentArgError, dnsLabelError, isDnsLabel } from "./naming";

/** Where secret files live in a service's filesystem (the Docker and Swarm convention). */
export const SECRETS_DIR = "/run/secrets";

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
}

/** Validates SecretArgs that can be checked before anything is created. */
export function validateSecretArgs(name: string, args: SecretArgs): void {
  const fileName = args.fileName ?? name;
  if (!isDnsLabel(fileName)) {
    throw new ComponentArgError("Secret", name, "fileName", dnsLabelError(fileName));
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
 */
export class Secret extends pulumi.ComponentResource {
  static readonly TYPE = "shipyard:components:Secret";

  /** The secret value (always a secret Output). */
  readonly value: pulumi.Output<string>;
  /** The file name under `/run/secrets`. */
  readonly fileName: string;
  /** The absolute path services read, `/run/secrets/<fileName>`. */
  readonly path: string;
  /** True when the value was generated here rather than supplied. */
  readonly generated: boolean;

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
        { parent: this, additionalSecretOutputs: ["result"] },
      );
      this.value = pulumi.secret(password.result);
    }
    this.registerOutputs({ value: this.value });
  }
}
