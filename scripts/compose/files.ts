import * as path from "node:path";
import { unwrapSecret } from "../../infra/offline";
import { CONTAINER, SECRETS_DIR, labelMap, type ComposeResource, type Upload } from "./inputs";
import { LABEL } from "../../components/labels";

/** What the carriers (`shipyard.role=files`) deliver: secrets and configs. */
export function carriedFiles(resources: readonly ComposeResource[]) {
  const secrets = new Map<string, { content: string; readers: Set<string> }>();
  const serviceSecrets = new Map<string, string[]>();
  const configs = new Map<string, { content: string; target: string }>();
  const serviceConfigs = new Map<string, { source: string; target: string }[]>();
  for (const r of resources) {
    if (r.type !== CONTAINER) continue;
    const labels = labelMap(r);
    if (labels[LABEL.role] !== "files") continue;
    const service = labels[LABEL.filesFor];
    if (service === undefined) throw new Error(`file carrier ${r.name} has no shipyard.files-for label`);
    // Read to compare and to guard the output; a secret upload's content is never written.
    const uploads = (unwrapSecret(r.inputs.uploads).value as Upload[] | undefined) ?? [];
    for (const u of uploads) {
      const name = path.posix.basename(u.file);
      if (u.file.startsWith(SECRETS_DIR) || u.permissions === "0400") {
        if (u.file !== `${SECRETS_DIR}${name}`)
          throw new Error(`secret file ${u.file} of ${service} is not directly under ${SECRETS_DIR}`);
        const known = secrets.get(name);
        if (known !== undefined && known.content !== u.content)
          throw new Error(`two different secrets are named ${name}; Compose has one namespace for secrets`);
        const entry = known ?? { content: u.content, readers: new Set<string>() };
        entry.readers.add(`${service} (uid ${u.owner})`);
        secrets.set(name, entry);
        serviceSecrets.set(service, [...(serviceSecrets.get(service) ?? []), name]);
      } else {
        const source = `${service}-${name}`;
        configs.set(source, { content: u.content, target: u.file });
        serviceConfigs.set(service, [...(serviceConfigs.get(service) ?? []), { source, target: u.file }]);
      }
    }
  }
  for (const [source, config] of configs)
    for (const [name, secret] of secrets)
      if (config.content.includes(secret.content))
        throw new Error(`config file ${source} holds the value of secret ${name}; deliver it as a Secret`);
  return { secrets, serviceSecrets, configs, serviceConfigs };
}
