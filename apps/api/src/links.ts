import { asObject, MAX_ID, parseId, type Validation } from "./todos.js";

/**
 * Kinds of link between todos. `blocks` is directed (a blocks b); `relates_to` is symmetric: it is
 * stored in one direction and read in both.
 */
export const LINK_TYPES = ["blocks", "relates_to"] as const;
export type LinkType = (typeof LINK_TYPES)[number];

/** A todo's direct links, each list in ascending id order. */
export interface Links {
  /** Todos this todo blocks. */
  readonly blocks: readonly number[];
  /** Todos that block this todo. */
  readonly blockedBy: readonly number[];
  readonly relatesTo: readonly number[];
}

export interface NewLink {
  readonly type: LinkType;
  readonly target: number;
}

/** What adding a link did; `cycle` means nothing was written. */
export type LinkOutcome = "created" | "exists" | "cycle";

/**
 * Relations between todo ids. PostgreSQL stays the source of truth for todos: a store may still
 * return ids of deleted todos, which callers filter out. Implementations: Neo4jGraphStore
 * (runtime), MemoryGraphStore (tests).
 */
export interface GraphStore {
  /** Direct links of `id`; all lists empty for an id the graph has never seen. */
  links(id: number): Promise<Links>;
  /**
   * Adds a link from `from` to `to`, unless it exists already. A `blocks` link that would close
   * a cycle (`to` already blocks `from`, directly or transitively) is refused with "cycle".
   */
  link(type: LinkType, from: number, to: number): Promise<LinkOutcome>;
  /** Removes the link; false when there was none. A `relates_to` link is matched either way round. */
  unlink(type: LinkType, from: number, to: number): Promise<boolean>;
  /** Ids that `id` blocks, directly or transitively: nearest first, then ascending. */
  blocked(id: number): Promise<number[]>;
  /** Forgets `id` and every link it has. */
  remove(id: number): Promise<void>;
  /** Resolves when the graph can serve queries; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EMPTY_LINKS: Links = { blocks: [], blockedBy: [], relatesTo: [] };

export function parseLinkType(value: unknown): LinkType | undefined {
  return LINK_TYPES.find((type) => type === value);
}

/** Validates the body of `POST /api/todos/:id/links` for the todo `source`. */
export function validateNewLink(body: unknown, source: number): Validation<NewLink> {
  const object = asObject(body, ["type", "target"]);
  if (!object.ok) return object;
  const fields = object.value;
  if (!("type" in fields)) return { ok: false, error: "type is required" };
  const type = parseLinkType(fields["type"]);
  if (type === undefined) return { ok: false, error: 'type must be "blocks" or "relates_to"' };
  if (!("target" in fields)) return { ok: false, error: "target is required" };
  const target = fields["target"];
  if (typeof target !== "number" || !Number.isInteger(target) || target < 1 || target > MAX_ID) {
    return { ok: false, error: "target must be a positive integer" };
  }
  if (target === source) return { ok: false, error: "a todo cannot be linked to itself" };
  return { ok: true, value: { type, target } };
}

/** Parses the `:type/:target` segments of `DELETE /api/todos/:id/links/:type/:target`. */
export function parseLinkPath(typeSegment: string, targetSegment: string): Validation<NewLink> {
  const type = parseLinkType(typeSegment);
  if (type === undefined) return { ok: false, error: 'link type must be "blocks" or "relates_to"' };
  const target = parseId(targetSegment);
  if (target === undefined) return { ok: false, error: "target must be a positive integer" };
  return { ok: true, value: { type, target } };
}

/** Every id a links document mentions, for one lookup of which still exist. */
export function linkedIds(links: Links): number[] {
  return [...new Set([...links.blocks, ...links.blockedBy, ...links.relatesTo])];
}

/** Drops ids of todos that no longer exist, e.g. deleted while the graph was unreachable. */
export function withoutStaleIds(links: Links, existing: ReadonlySet<number>): Links {
  const keep = (ids: readonly number[]): number[] => ids.filter((id) => existing.has(id));
  return { blocks: keep(links.blocks), blockedBy: keep(links.blockedBy), relatesTo: keep(links.relatesTo) };
}

/** What the driver puts in `code` when it has none, e.g. for a connection acquisition timeout. */
const NO_CODE = "N/A";

/**
 * A short reason for a failed graph operation, safe to show to clients: the driver's error code
 * (e.g. ServiceUnavailable, Neo.ClientError.Security.Unauthorized) when there is one, since the
 * messages that go with codes name internal hosts and addresses; the message otherwise.
 */
export function graphFailureReason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && code !== "" && code !== NO_CODE ? code : error.message;
  }
  return String(error);
}
