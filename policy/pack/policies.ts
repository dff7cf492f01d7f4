/**
 * The policy pack's policies: one StackValidationPolicy per rule in policy/rules.ts, so
 * `pulumi preview --policy-pack policy/pack` and the audit command judge a stack the same way.
 * Kept apart from index.ts, which only serves them, so tests can import this module without the
 * Pulumi engine.
 */
import {
  UnknownValueError,
  type EnforcementLevel,
  type PolicyConfigSchema,
  type PolicyResource,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { resourceId } from "../inputs";
import { rules } from "../rules";
import { UNKNOWN, type RegisteredResource, type Rule, type RuleContext, type Target } from "../types";
import { sharedDecoding } from "./decode-once";

/** Per-policy config (`--policy-pack-config`); each field overrides the stack's own config. */
export interface PackConfig {
  readonly environment?: string;
  readonly target?: Target;
}

const TARGETS: readonly Target[] = ["container", "swarm"];

export const CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    environment: {
      type: "string",
      description:
        'The stack\'s environment ("dev", "prod", ...). Overrides the stack config shipyard:environment.',
    },
    target: {
      type: "string",
      enum: [...TARGETS],
      description: "Where the stack deploys. Overrides the stack config shipyard:target.",
    },
  },
};

/** The stack config keys the program reads (Pulumi.<stack>.yaml), which the pack reads too. */
export const STACK_CONFIG_KEYS = { environment: "shipyard:environment", target: "shipyard:target" } as const;

/** The strictest context: used when neither the policy config nor the stack config says otherwise. */
export const DEFAULT_CONTEXT: RuleContext = { environment: "prod", target: "container" };

/**
 * The stack config the CLI hands a policy pack in the PULUMI_CONFIG environment variable (a JSON
 * object of `project:key` to value); empty when absent or unreadable.
 */
export function parseStackConfig(json: string | undefined): Readonly<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(json ?? "{}");
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The rule context for a stack: the policy config, else the stack config (`shipyard:environment`,
 * `shipyard:target`), else {@link DEFAULT_CONTEXT}.
 *
 * @throws Error when the target is neither "container" nor "swarm"
 */
export function contextFrom(config: PackConfig, stackConfig: Readonly<Record<string, unknown>>): RuleContext {
  const fromStack = (key: string): string | undefined => {
    const value = stackConfig[key];
    return typeof value === "string" ? value : undefined;
  };
  const environment =
    config.environment ?? fromStack(STACK_CONFIG_KEYS.environment) ?? DEFAULT_CONTEXT.environment;
  const target: string = config.target ?? fromStack(STACK_CONFIG_KEYS.target) ?? DEFAULT_CONTEXT.target;
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new Error(
      `shipyard policy pack: \`target\` must be "container" or "swarm", got ${JSON.stringify(target)}`,
    );
  }
  return { environment, target: target as Target };
}

/** Critical and high rules block a deployment; medium, low and gaps only warn. */
export function enforcementLevelOf(rule: Rule): EnforcementLevel {
  if (rule.gap !== undefined) return "advisory";
  return rule.severity === "critical" || rule.severity === "high" ? "mandatory" : "advisory";
}

/**
 * The error the engine's property proxy throws on reading a value unknown during preview.
 * @pulumi/policy's typings re-export it from a module whose declarations are stripped (it types as
 * `any`), hence the cast.
 */
const UnknownValue = UnknownValueError as abstract new (...args: never[]) => Error;

/**
 * Copies the engine's property proxy into plain data, replacing each value that is unknown during
 * preview (the proxy throws UnknownValueError on reading it) by {@link UNKNOWN}.
 */
function plain(read: () => unknown): unknown {
  let value: unknown;
  try {
    value = read();
  } catch (e) {
    if (e instanceof UnknownValue) return UNKNOWN;
    throw e;
  }
  if (Array.isArray(value)) {
    const list: unknown[] = value;
    // Not list.map: it reads each element before the callback could catch the proxy's throw.
    return Array.from({ length: list.length }, (_, i) => plain(() => list[i]));
  }
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).map((key) => [key, plain(() => record[key])]));
  }
  return value;
}

/** A resource's properties copied for the rules, by their decoding shared within a request. */
const copied = new WeakMap<object, Record<string, unknown>>();

/**
 * The engine's view of a resource as the rules expect it. The analyzer protocol does not carry
 * `retainOnDelete` and unwraps secrets, so `retainOnDelete` is {@link UNKNOWN} and `secretPaths`
 * is empty: SHIP-6 skips its retainOnDelete check and SHIP-2 checks env names only. The
 * properties are copied once per analysis for all the policies (decode-once.ts).
 */
export function toRegisteredResource(resource: PolicyResource): RegisteredResource {
  const decoding = sharedDecoding(resource.props);
  let inputs = decoding === undefined ? undefined : copied.get(decoding);
  if (inputs === undefined) {
    const copy = plain(() => resource.props);
    inputs = typeof copy === "object" && copy !== null ? (copy as Record<string, unknown>) : {};
    if (decoding !== undefined) copied.set(decoding, inputs);
  }
  return {
    type: resource.type,
    name: resource.name,
    inputs,
    options: {
      protect: resource.opts.protect,
      retainOnDelete: UNKNOWN,
      ...(resource.opts.deleteBeforeReplace === undefined
        ? {}
        : { deleteBeforeReplace: resource.opts.deleteBeforeReplace }),
    },
  };
}

/** The StackValidationPolicy that runs one rule. */
export function policyFor(rule: Rule): StackValidationPolicy {
  return {
    name: rule.id.toLowerCase(),
    description: rule.title,
    enforcementLevel: enforcementLevelOf(rule),
    severity: rule.severity,
    remediationSteps: rule.gap ?? rule.fix,
    configSchema: CONFIG_SCHEMA,
    validateStack: (args, reportViolation) => {
      const packConfig = args.getConfig<PackConfig>();
      const stackConfig = parseStackConfig(process.env["PULUMI_CONFIG"]);
      // prod's default target is swarm without saying so in its stack file: a stack that registers
      // Swarm services is on swarm unless config says otherwise.
      const onSwarm = args.resources.some((r) => r.type === "docker:index/service:Service");
      const ctx = contextFrom(
        packConfig.target === undefined && stackConfig[STACK_CONFIG_KEYS.target] === undefined && onSwarm
          ? { ...packConfig, target: "swarm" }
          : packConfig,
        stackConfig,
      );
      if (rule.appliesTo !== undefined && !rule.appliesTo.includes(ctx.target)) {
        args.notApplicable(
          `applies to the ${rule.appliesTo.join(", ")} target only, this stack is ${ctx.target}`,
        );
      }
      const resources = args.resources.map(toRegisteredResource);
      const violations = rule.check(resources, ctx);
      if (rule.gap !== undefined) {
        // One stack-level note: the gap is the provider's, not any one resource's.
        if (violations.length > 0) {
          // Sorted: the engine hands the resources over in the order the program happened to
          // register them, and a preview read in review should not change from run to run.
          const affected = [...new Set(violations.map((v) => v.resource))].sort().join(", ");
          reportViolation(`${rule.id} cannot be enforced (affects ${affected}); mitigation: ${rule.gap}`);
        }
        return;
      }
      const urns = new Map<string, string>();
      args.resources.forEach((r) => {
        const id = resourceId(r);
        if (!urns.has(id)) urns.set(id, r.urn);
      });
      for (const v of violations) reportViolation(v.message, urns.get(v.resource));
    },
  };
}

/** One policy per rule, in the rules' order. */
export const policies: StackValidationPolicy[] = rules.map(policyFor);
