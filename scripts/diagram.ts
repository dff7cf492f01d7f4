/**
 * `npm run diagram -- <stack> [--target container|swarm]`: evaluates the stack under Pulumi mocks
 * (no engine, no daemon) and prints a Mermaid diagram of it, for PR descriptions and the README.
 */
import { evaluateStack, withConfig } from "../infra/evaluate";
import { installMocks, listStacks, readStackFile } from "../infra/offline";
import { renderDiagram } from "./review/diagram";
import { prodCatalog } from "../stacks/prod";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stack = args.find((a) => !a.startsWith("--"));
  const targetFlag = args.indexOf("--target");
  const target = targetFlag === -1 ? undefined : args[targetFlag + 1];
  if (stack === undefined || (target !== undefined && target !== "container" && target !== "swarm")) {
    console.error(
      `usage: npm run diagram -- <stack> [--target container|swarm]; stacks: ${listStacks().join(", ")}`,
    );
    process.exitCode = 2;
    return;
  }
  installMocks(stack);
  let raw = readStackFile(stack);
  if (target !== undefined) raw = withConfig(raw, { target });
  // Before the first promotion a prod-like stack has no app images; draw it with placeholders.
  const images = raw.images ? (JSON.parse(raw.images.value) as Record<string, string>) : {};
  if (raw.environment?.value === "prod") {
    for (const key of prodCatalog.requiredImages) images[key] ??= `sha256:${"0".repeat(64)}`;
    raw = withConfig(raw, { images });
  }
  const evaluation = await evaluateStack(stack, raw);
  console.log(renderDiagram(evaluation.registrations));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
