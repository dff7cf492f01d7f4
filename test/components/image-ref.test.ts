import { describe, expect, it } from "vitest";
import { parseImageRef, pinningError, type Pinning } from "../../components/image-ref";

const HEX = "0123456789abcdef".repeat(4);
const DIGEST = `sha256:${HEX}`;

const malformed = (ref: string): string =>
  `is not an image reference (repo[:tag][@sha256:<64 hex>] or sha256:<64 hex>), got ${JSON.stringify(ref)}`;

describe("parseImageRef", () => {
  it.each([
    ["postgres:16.4-alpine", { name: "postgres", tag: "16.4-alpine", digest: undefined, isImageId: false }],
    ["postgres", { name: "postgres", tag: undefined, digest: undefined, isImageId: false }],
    ["library/postgres:16", { name: "library/postgres", tag: "16", digest: undefined, isImageId: false }],
    [
      "ghcr.io/acme/api:1.2.3",
      { name: "ghcr.io/acme/api", tag: "1.2.3", digest: undefined, isImageId: false },
    ],
    ["localhost:5000/a/b:1", { name: "localhost:5000/a/b", tag: "1", digest: undefined, isImageId: false }],
    [
      "localhost:5000/a/b",
      { name: "localhost:5000/a/b", tag: undefined, digest: undefined, isImageId: false },
    ],
    [`postgres@${DIGEST}`, { name: "postgres", tag: undefined, digest: DIGEST, isImageId: false }],
    [
      `postgres:16.4-alpine@${DIGEST}`,
      { name: "postgres", tag: "16.4-alpine", digest: DIGEST, isImageId: false },
    ],
    [DIGEST, { name: "", digest: DIGEST, isImageId: true }],
  ])("parses %s", (ref, parts) => {
    expect(parseImageRef(ref)).toStrictEqual(parts);
  });

  it.each([
    "",
    "Postgres:16",
    "postgres:",
    "postgres:bad tag",
    ":16",
    "acme//api:1",
    "postgres@sha256:abc",
    `postgres@md5:${HEX}`,
    `postgres@${DIGEST}@${DIGEST}`,
    "bad_host!.io/acme/api:1",
    "ghcr.io/acme/API:1",
  ])("rejects %j", (ref) => {
    expect(parseImageRef(ref)).toStrictEqual({ error: malformed(ref) });
  });
});

describe("pinningError", () => {
  const digestError = (ref: string): string =>
    `must be pinned by digest (repo@sha256:<64 hex> or an image id sha256:<64 hex>), got ${JSON.stringify(ref)}; promote a tested image with \`npm run promote\``;

  it.each<[string, Pinning]>([
    ["postgres", "any"],
    ["postgres:latest", "any"],
    ["postgres:16.4-alpine", "tag"],
    [`postgres@${DIGEST}`, "tag"],
    [`postgres:16.4-alpine@${DIGEST}`, "digest"],
    [`postgres@${DIGEST}`, "digest"],
    [DIGEST, "digest"],
  ])("accepts %s at pinning %s", (ref, pinning) => {
    expect(pinningError(ref, pinning)).toBeUndefined();
  });

  it.each<[string, Pinning, string]>([
    ["postgres:latest", "tag", 'must name an explicit version tag, not `latest`, got "postgres:latest"'],
    ["postgres", "tag", 'must name an explicit version tag, not an untagged image, got "postgres"'],
    ["postgres:16.4-alpine", "digest", digestError("postgres:16.4-alpine")],
    ["postgres:latest", "digest", digestError("postgres:latest")],
    ["postgres", "digest", digestError("postgres")],
    ["Postgres:16", "any", malformed("Postgres:16")],
    ["Postgres:16", "tag", malformed("Postgres:16")],
    ["postgres@sha256:abc", "digest", malformed("postgres@sha256:abc")],
  ])("rejects %s at pinning %s", (ref, pinning, message) => {
    expect(pinningError(ref, pinning)).toBe(message);
  });
});
