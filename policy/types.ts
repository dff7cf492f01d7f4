/**
 * The plain data the rule engine works on. Nothing here needs the Pulumi runtime: the same rule
 * objects run over resources recorded under `pulumi.runtime.setMocks`, in the audit command, and
 * inside the policy pack (policy/pack), which converts the engine's view into these shapes.
 */

export type Severity = "critical" | "high" | "medium" | "low";

/** Where the stack deploys: one Docker host (`docker.Container`) or a Swarm (`docker.Service`). */
export type Target = "container" | "swarm";

/**
 * Stands for a value that is not known yet (an output of a resource not created, during preview).
 * Rules skip a check whose input is unknown rather than fail it falsely.
 */
export const UNKNOWN: unique symbol = Symbol("shipyard.policy.unknown");
export type Unknown = typeof UNKNOWN;

/** One resource as a stack registers it. */
export interface RegisteredResource {
  /** The Pulumi type token, e.g. `"docker:index/container:Container"`. */
  readonly type: string;
  /** The logical name, e.g. `"api-0"`. */
  readonly name: string;
  /** The inputs, secrets unwrapped to plain values (the secret flag is lost; see `secretPaths`). */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly options: {
    readonly protect?: boolean;
    /** {@link UNKNOWN} where the source cannot see it (the policy engine is not told this option). */
    readonly retainOnDelete?: boolean | Unknown;
    readonly deleteBeforeReplace?: boolean;
  };
  /**
   * Input paths whose value was a secret: top-level names (`"envs"`, `"uploads"`) or dotted paths
   * (`"taskSpec.containerSpec.env"`).
   *
   * @default [] - nothing is known to be secret
   */
  readonly secretPaths?: readonly string[];
}

export interface RuleContext {
  /** The stack's environment: `"dev"`, `"prod"` or another name (treated as neither). */
  readonly environment: string;
  readonly target: Target;
}

export interface Violation {
  /** The resource in short form, `"<Kind> <name>"`, e.g. `"Container api-0"`. */
  readonly resource: string;
  /** What is wrong, naming the resource, the field, the value and the fix. */
  readonly message: string;
}

export interface Rule {
  /** `CIS-<v1.6 number>` for CIS Docker Benchmark controls, `SHIP-<n>` for project rules. */
  readonly id: string;
  /** One line; CIS rules also name the v1.5 number. */
  readonly title: string;
  readonly severity: Severity;
  /** How to comply, in one or two sentences. */
  readonly fix: string;
  /**
   * The targets the rule applies to; on any other target it passes without looking.
   *
   * @default ["container", "swarm"]
   */
  readonly appliesTo?: readonly Target[];
  /**
   * Set for a control the Docker provider cannot express: the rule lists the resources it affects,
   * never fails, and this text says how the gap is mitigated outside Pulumi.
   */
  readonly gap?: string;
  check(resources: readonly RegisteredResource[], ctx: RuleContext): Violation[];
}
