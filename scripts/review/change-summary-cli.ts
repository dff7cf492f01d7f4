/**
 * Prints the per-service change summary of a `pulumi preview --json` document as Markdown.
 *
 *   pulumi preview --json --show-sames --stack dev > preview.json
 *   tsx scripts/review/change-summary-cli.ts preview.json
 *   pulumi preview --json --show-sames --stack dev | tsx scripts/review/change-summary-cli.ts
 */
import { readFileSync } from "node:fs";
import { renderMarkdown, summarizePreview } from "./change-summary";
import { parsePreviewDigest } from "./preview-digest";

const USAGE = `usage: change-summary [preview.json]   (reads stdin without a file)

Reads \`pulumi preview --json\` output and prints, per service, whether it is unchanged, updated in
place, rolled, or replaced with downtime, with a warning for volumes and stateful services at risk.
Pass --show-sames to the preview so that unchanged services and replica counts are listed too.`;

function main(args: readonly string[]): number {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (args.length > 1 || args[0]?.startsWith("-")) {
    console.error(`change-summary: expected at most one file argument, got ${args.join(" ")}\n\n${USAGE}`);
    return 2;
  }
  const source = args[0] ?? "stdin";
  if (args[0] === undefined && process.stdin.isTTY) {
    console.error(`change-summary: no file given and stdin is a terminal\n\n${USAGE}`);
    return 2;
  }
  try {
    // File descriptor 0 reads all of stdin synchronously, piped or redirected.
    const text = readFileSync(args[0] ?? 0, "utf8");
    process.stdout.write(renderMarkdown(summarizePreview(parsePreviewDigest(text))));
    return 0;
  } catch (error) {
    console.error(`change-summary: ${source}: ${(error as Error).message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
