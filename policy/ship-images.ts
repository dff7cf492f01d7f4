/** SHIP-1: images are immutable references outside dev (DESIGN.md decision 6). */
import { FILES_CARRIER_BUILD } from "../components/file-carrier";
import { CONTAINER, REMOTE_IMAGE, SERVICE, at, inspectEach, show, str } from "./inputs";
import type { Rule } from "./types";

/**
 * shipyard's file-carrier image (components/assets/files-carrier): empty, built from this
 * repository on the host itself and tagged by the hash of its build context, and only ever given to
 * containers that never start. Nothing of it runs, so it needs no promotion.
 */
function isCarrierImage(ref: string): boolean {
  return new RegExp(`^${FILES_CARRIER_BUILD.repository}:[a-f0-9]{12}$`).test(ref);
}

const DIGEST_REFERENCE = /@sha256:[a-f0-9]{64}$/;
const IMAGE_ID = /^sha256:[a-f0-9]{64}$/;

/** True for `repo[:tag]@sha256:<64 hex>` and for a local image id `sha256:<64 hex>`. */
export function isPinned(ref: string): boolean {
  return IMAGE_ID.test(ref) || DIGEST_REFERENCE.test(ref);
}

/** The tag of `registry:5000/repo:tag[@digest]`, or undefined when there is none. */
export function tagOf(ref: string): string | undefined {
  const name = ref.split("@")[0] ?? "";
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(colon + 1) : undefined;
}

const IMAGE_FIELDS: Readonly<Record<string, string>> = {
  [CONTAINER]: "image",
  [SERVICE]: "taskSpec.containerSpec.image",
  [REMOTE_IMAGE]: "name",
};

export const immutableImages: Rule = {
  id: "SHIP-1",
  title: "Images are pinned: no `latest` or untagged image outside dev, digests only in prod",
  severity: "high",
  fix: 'Outside dev, reference a version tag; in prod, a digest ("repo@sha256:<64 hex>") or a local image id promoted from dev.',
  check: (resources, ctx) =>
    ctx.environment === "dev"
      ? []
      : inspectEach(resources, Object.keys(IMAGE_FIELDS), (r) => {
          const field = IMAGE_FIELDS[r.type] ?? "image";
          const ref = str(at(r.inputs, field));
          if (ref === undefined || isPinned(ref) || (r.type === REMOTE_IMAGE && isCarrierImage(ref)))
            return [];
          if (ctx.environment === "prod") {
            return [
              `\`${field}\` is ${show(ref)}; prod runs digests only: use "repo@sha256:<64 hex>" or a local image id "sha256:<64 hex>" (SHIP-1)`,
            ];
          }
          const tag = tagOf(ref);
          if (tag === undefined) {
            return [
              `\`${field}\` is ${show(ref)} with no tag, so Docker pulls "latest"; pin a version tag or a digest (SHIP-1)`,
            ];
          }
          return tag === "latest"
            ? [`\`${field}\` is ${show(ref)}, a mutable tag; pin a version tag or a digest (SHIP-1)`]
            : [];
        }),
};
