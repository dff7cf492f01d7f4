import { withConfig } from "../../infra/evaluate";
import { readStackFile } from "../../infra/offline";
import type { RawConfig } from "../../infra/config";

/** Image ids standing in for what `npm run promote` writes after a dev run. */
export const PROMOTED = { api: `sha256:${"a".repeat(64)}`, web: `sha256:${"b".repeat(64)}` };

/** The committed Pulumi.prod.yaml with the app images promoted, as after `npm run promote`. */
export function promotedProd(extra: Record<string, unknown> = {}): RawConfig {
  const raw = readStackFile("prod");
  const images = JSON.parse(raw.images!.value) as Record<string, string>;
  return withConfig(raw, { images: { ...images, ...PROMOTED }, ...extra });
}
