/** How strictly an environment pins images. */
export type Pinning = "digest" | "tag" | "any";

export interface ImageRef {
  /** Repository, with registry host when given (`ghcr.io/acme/api`). */
  readonly name: string;
  readonly tag?: string;
  /** `sha256:<64 hex>` */
  readonly digest?: string;
  /** True for a local image id (`sha256:<64 hex>` with no repository). */
  readonly isImageId: boolean;
}

const IMAGE_ID = /^sha256:[a-f0-9]{64}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^[A-Za-z0-9.-]+(?::\d+)?$/;

/**
 * Parses `repo[:tag][@sha256:digest]` or a local image id `sha256:<64 hex>`.
 *
 * @returns the parts, or an error message naming what is malformed
 */
export function parseImageRef(ref: string): ImageRef | { error: string } {
  const bad = {
    error: `is not an image reference (repo[:tag][@sha256:<64 hex>] or sha256:<64 hex>), got ${JSON.stringify(ref)}`,
  };
  if (IMAGE_ID.test(ref)) return { name: "", digest: ref, isImageId: true };

  const [rest = "", digest, ...extra] = ref.split("@");
  if (extra.length > 0 || (digest !== undefined && !DIGEST.test(digest))) return bad;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  const hasTag = colon > slash;
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) return bad;

  const parts = name.split("/");
  const first = parts[0] ?? "";
  // A first component with a '.' or ':' or "localhost" is a registry host, as in Docker's grammar.
  const hasRegistry =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry && !REGISTRY.test(first)) return bad;
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((p) => COMPONENT.test(p))) return bad;

  return { name, tag, digest, isImageId: false };
}

/**
 * Checks a reference against a pinning level: `digest` wants `@sha256:` or an image id, `tag` wants
 * an explicit tag other than `latest`, `any` accepts any well-formed reference.
 *
 * @returns an error message, or undefined when the reference is acceptable
 */
export function pinningError(ref: string, pinning: Pinning): string | undefined {
  const parsed = parseImageRef(ref);
  if ("error" in parsed) return parsed.error;
  if (pinning === "any" || parsed.digest !== undefined) return undefined;
  if (pinning === "digest") {
    return `must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got ${JSON.stringify(ref)}; promote a tested image with \`npm run promote\``;
  }
  if (parsed.tag === undefined || parsed.tag === "latest") {
    return `must name an explicit version tag, not ${parsed.tag === undefined ? "an untagged image" : "`latest`"}, got ${JSON.stringify(ref)}`;
  }
  return undefined;
}
