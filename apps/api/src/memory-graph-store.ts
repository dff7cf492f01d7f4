import type { GraphStore, LinkOutcome, LinkType, Links } from "./links.js";

interface Edge {
  readonly type: LinkType;
  readonly from: number;
  readonly to: number;
}

/**
 * An in-process GraphStore for tests, with the same semantics as Neo4jGraphStore: `blocks` is
 * directed and acyclic, `relates_to` is stored once and matched either way round.
 */
export class MemoryGraphStore implements GraphStore {
  private edges: Edge[] = [];
  /** Set to an error to make every call reject with it, simulating an unreachable graph. */
  failure: Error | undefined;

  async links(id: number): Promise<Links> {
    this.check();
    const ids = (keep: (edge: Edge) => number | undefined): number[] =>
      [...new Set(this.edges.map(keep).filter((other) => other !== undefined))].sort((a, b) => a - b);
    return {
      blocks: ids((e) => (e.type === "blocks" && e.from === id ? e.to : undefined)),
      blockedBy: ids((e) => (e.type === "blocks" && e.to === id ? e.from : undefined)),
      relatesTo: ids((e) => (e.type === "relates_to" ? otherEnd(e, id) : undefined)),
    };
  }

  async link(type: LinkType, from: number, to: number): Promise<LinkOutcome> {
    this.check();
    if (this.edges.some((edge) => matches(edge, type, from, to))) return "exists";
    if (type === "blocks" && this.blockedFrom(to).has(from)) return "cycle";
    this.edges.push({ type, from, to });
    return "created";
  }

  async unlink(type: LinkType, from: number, to: number): Promise<boolean> {
    this.check();
    const before = this.edges.length;
    this.edges = this.edges.filter((edge) => !matches(edge, type, from, to));
    return this.edges.length < before;
  }

  async blocked(id: number): Promise<number[]> {
    this.check();
    const depths = this.blockedFrom(id);
    return [...depths.keys()].sort((a, b) => (depths.get(a) ?? 0) - (depths.get(b) ?? 0) || a - b);
  }

  async remove(id: number): Promise<void> {
    this.check();
    this.edges = this.edges.filter((edge) => edge.from !== id && edge.to !== id);
  }

  async ping(): Promise<void> {
    this.check();
  }

  async close(): Promise<void> {}

  /** Stored links as `from-TYPE->to`, in insertion order; for assertions. */
  relationships(): string[] {
    return this.edges.map(({ type, from, to }) => `${from}-${type.toUpperCase()}->${to}`);
  }

  /** Breadth first over blocks links: every id reachable from `id`, with its shortest distance. */
  private blockedFrom(id: number): Map<number, number> {
    const depths = new Map<number, number>();
    let frontier = [id];
    for (let depth = 1; frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const { type, from, to } of this.edges) {
        if (type === "blocks" && frontier.includes(from) && !depths.has(to)) {
          depths.set(to, depth);
          next.push(to);
        }
      }
      frontier = next;
    }
    return depths;
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Whether `edge` is the link `type` from `from` to `to`; relates_to matches either way round. */
function matches(edge: Edge, type: LinkType, from: number, to: number): boolean {
  if (edge.type !== type) return false;
  if (edge.from === from && edge.to === to) return true;
  return type === "relates_to" && edge.from === to && edge.to === from;
}

function otherEnd(edge: Edge, id: number): number | undefined {
  if (edge.from === id) return edge.to;
  return edge.to === id ? edge.from : undefined;
}
