/**
 * Each resource decoded once per stack analysis, not once per policy.
 *
 * @pulumi/policy's AnalyzeStack hands each stack policy in turn every resource of the stack, decoding
 * the resource's properties again for each (server.js: `deserializeProperties`, then a checking
 * proxy), and this pack has one policy per rule (33, so that each keeps its own name and
 * enforcement level); each policy then copies the properties out of the proxy for the rules
 * (policies.ts `toRegisteredResource`). That took 0.15-0.25 s at the end of every preview and update
 * of dev, on the engine's path (the preview's verdict comes after it); decoded once, 0.04-0.07 s.
 *
 * Decoding is memoized by the request's property message: one object per resource within one
 * request, a new one in the next. The copy of a resource's properties for the rules is memoized by
 * that decoded object, which @pulumi/policy's checking proxy hands back under its
 * `__getSpecialProxyTarget` key: only objects decoded here, which nothing changes (the rules read
 * RegisteredResource, readonly), never props a caller made. Both are @pulumi/policy internals:
 * where one is missing, each policy decodes and copies on its own, as before, and
 * test/policy/decode-once.test.ts fails.
 */
import { createRequire } from "node:module";

/** @pulumi/policy's deserialize.js (its types declare no exports). */
interface Deserialize {
  deserializeProperties?: (properties: unknown, keepUnknowns?: boolean) => unknown;
}

/** The key under which @pulumi/policy's checking proxy returns the object it wraps (proxy.js). */
const PROXY_TARGET = "__getSpecialProxyTarget";
const MEMOIZED = Symbol.for("shipyard.decodeOnce");
/** The objects decoded once for a request's policies. */
const shared = new WeakSet<object>();

/**
 * Makes @pulumi/policy decode each resource of a request once, whichever policies read it. Call it
 * before the pack serves; calling it again changes nothing.
 */
export function decodeOncePerRequest(): void {
  const deserialize = createRequire(require.resolve("@pulumi/policy"))("./deserialize") as Deserialize;
  const decode = deserialize.deserializeProperties;
  if (typeof decode !== "function" || MEMOIZED in decode) return;
  const decoded = new WeakMap<object, unknown>();
  const once = (properties: unknown, keepUnknowns?: boolean): unknown => {
    // A remediation decodes to transform what it gets: each keeps its own copy.
    if (keepUnknowns === true || typeof properties !== "object" || properties === null)
      return decode(properties, keepUnknowns);
    if (!decoded.has(properties)) {
      const value = decode(properties, keepUnknowns);
      decoded.set(properties, value);
      if (typeof value === "object" && value !== null) shared.add(value);
    }
    return decoded.get(properties);
  };
  Object.defineProperty(once, MEMOIZED, { value: true });
  deserialize.deserializeProperties = once;
}

/**
 * The object decoded once for every policy of a request behind a resource's `props`, as
 * @pulumi/policy hands them to a policy once {@link decodeOncePerRequest} ran; undefined for any
 * other props (a caller's own, as in tests, or decoded by an unpatched @pulumi/policy).
 */
export function sharedDecoding(props: unknown): object | undefined {
  if (typeof props !== "object" || props === null) return undefined;
  const target: unknown = (props as Record<string, unknown>)[PROXY_TARGET];
  return typeof target === "object" && target !== null && shared.has(target) ? target : undefined;
}
