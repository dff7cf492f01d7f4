/**
 * Source maps for the stack traces someone reads, not for those the Pulumi SDK takes and drops.
 *
 * The SDK records a stack trace for every promise it makes (runtime/debuggable.js; read only when
 * PULUMI_DEBUG_PROMISE_LEAKS explains a leaked promise): about 3,300 in a no-op preview of dev,
 * against 78 for the resources' source positions. Formatted through source-map-support, which the
 * SDK's runner registers so that errors name the TypeScript, those 3,300 took 0.4 s of every
 * evaluation here; in V8's plain format, 0.09 s. Every other stack trace is still source-mapped.
 */

/** The SDK function that records a stack trace per promise, and its file. */
const BOOKKEEPING = "debuggablePromise";
const BOOKKEEPING_FILE = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/;
/** Marks the wrapper, so that wrapping twice is wrapping once. */
const FILTERED = Symbol.for("shipyard.plainBookkeepingStacks");

type PrepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => unknown;

/** V8's own format: the error, then one `    at <frame>` line per call site. */
export function plainStack(error: Error, callSites: readonly NodeJS.CallSite[]): string {
  let text = String(error);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- V8's CallSite formats itself
  for (const site of callSites) text += `\n    at ${String(site)}`;
  return text;
}

/** Whether a stack trace is the SDK's record of where a promise was made. */
export function isBookkeeping(callSites: readonly NodeJS.CallSite[]): boolean {
  const top = callSites[0];
  return (
    top !== undefined &&
    top.getFunctionName() === BOOKKEEPING &&
    BOOKKEEPING_FILE.test(top.getFileName() ?? "")
  );
}

/**
 * Wraps the installed `Error.prepareStackTrace` (source-map-support's) so that the SDK's per-promise
 * records get V8's plain format. Does nothing where none is installed or it is wrapped already.
 */
export function plainBookkeepingStacks(): void {
  const mapped = Reflect.get(Error, "prepareStackTrace") as PrepareStackTrace | undefined;
  if (mapped === undefined || FILTERED in mapped) return;
  const filtered: PrepareStackTrace = (error, callSites) =>
    isBookkeeping(callSites) ? plainStack(error, callSites) : mapped(error, callSites);
  Object.defineProperty(filtered, FILTERED, { value: true });
  Error.prepareStackTrace = filtered;
}
