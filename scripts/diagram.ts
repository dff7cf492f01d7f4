/**
 * `npm run diagram -- <stack> [--target container|swarm]`: evaluates the stack under Pulumi mocks
 * (no engine, no daemon) and prints a Mermaid diagram of it, for PR descriptions and the README.
 */
import { evaluateOffline } from "../infra/evaluate";
import { installMocks, listStacks } from "../infra/offline";
import { renderDiagram } from "./review/diagram";

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
  // Before the first promotion a prod-like stack is drawn with placeholder app images.
  const evaluation = await evaluateOffline(stack, { target });
  console.log(renderDiagram(evaluation.registrations));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
