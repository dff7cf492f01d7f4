/**
 * `npm run compose -- <stack> [--out <file>] [--set key=value]...`: evaluates the stack under Pulumi
 * mocks on the container target (no engine, no daemon) and prints an equivalent Compose file, or
 * writes it to `<file>` with its config files beside it (`configs/`). Secret files are never
 * written: the header lists the ones to create under `secrets/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateOffline, withConfig } from "../../infra/evaluate";
import { installMocks, listStacks, readStackFile } from "../../infra/offline";
import { renderCompose, type ComposeOutput } from "./render";

const USAGE = "usage: npm run compose -- <stack> [--out <file>] [--set key=value]...";

export interface ComposeArgs {
  readonly stack: string;
  /** Where to write the file; undefined prints it. */
  readonly out?: string;
  /** Config overrides, `shipyard:` keys without the prefix (`webPort`, `namePrefix`, ...). */
  readonly sets: Readonly<Record<string, unknown>>;
}

/** Parses the command line; undefined when it is not a valid one. */
export function parseArgs(argv: readonly string[]): ComposeArgs | undefined {
  let stack: string | undefined;
  let out: string | undefined;
  const sets: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--out") {
      out = argv[++i];
      if (out === undefined) return undefined;
    } else if (arg === "--set") {
      const entry = argv[++i];
      const eq = entry?.indexOf("=") ?? -1;
      if (entry === undefined || eq < 1) return undefined;
      const value = entry.slice(eq + 1);
      sets[entry.slice(0, eq)] = parseValue(value);
    } else if (arg.startsWith("--") || stack !== undefined) {
      return undefined;
    } else {
      stack = arg;
    }
  }
  return stack === undefined ? undefined : { stack, out, sets };
}

/** `8081` and `{"api":{}}` as JSON, anything else as the string it is. */
function parseValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * The Compose file of a stack, as `npm run compose` makes it (installMocks must have run).
 *
 * @param baseDir the folder the file will be in; paths in it are relative to this
 */
export async function composeStack(
  stack: string,
  options: { readonly baseDir: string; readonly sets?: Readonly<Record<string, unknown>> },
): Promise<ComposeOutput> {
  const raw = withConfig(readStackFile(stack), options.sets ?? {});
  // Compose runs containers on one engine: prod's default swarm target has no Compose form.
  const evaluation = await evaluateOffline(stack, { raw, target: "container" });
  const placeholders = evaluation.placeholderImages;
  return renderCompose(evaluation.registrations, {
    stack,
    baseDir: options.baseDir,
    notes:
      placeholders.length > 0
        ? [`not promoted yet: ${placeholders.join(", ")} run placeholder image ids; promote before using it`]
        : [],
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args === undefined) {
    console.error(`${USAGE}; stacks: ${listStacks().join(", ")}`);
    process.exitCode = 2;
    return;
  }
  installMocks(args.stack);
  // npm runs scripts from the package root; a relative --out means the caller's folder.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const out = args.out === undefined ? undefined : path.resolve(cwd, args.out);
  const baseDir = out === undefined ? cwd : path.dirname(out);
  const result = await composeStack(args.stack, { baseDir, sets: args.sets });
  if (out === undefined) {
    process.stdout.write(result.text);
    const configs = Object.keys(result.configFiles);
    if (configs.length > 0)
      console.error(`config files not written (${configs.join(", ")}): pass --out <file> to write them`);
    return;
  }
  fs.mkdirSync(baseDir, { recursive: true });
  fs.writeFileSync(out, result.text);
  for (const [file, content] of Object.entries(result.configFiles)) {
    fs.mkdirSync(path.dirname(path.join(baseDir, file)), { recursive: true });
    fs.writeFileSync(path.join(baseDir, file), content);
  }
  console.error(
    [
      `wrote ${path.relative(cwd, out) || out}${Object.keys(result.configFiles).length > 0 ? ` and ${Object.keys(result.configFiles).join(", ")}` : ""}`,
      `create before \`docker compose up\`: ${result.secretFiles.map((s) => s.file).join(", ")}`,
    ].join("\n"),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  });
}
