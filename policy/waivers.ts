import type { Waiver } from "./evaluate";

/**
 * The reasoned exceptions dev takes from the rules. Only dev-like environments may appear here
 * (prod fixes the resource instead); `npm run audit` and the stack policy test print every entry.
 * Empty today: dev passes every rule.
 */
export const WAIVERS: readonly Waiver[] = [];
