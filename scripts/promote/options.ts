/** The promote command line. */

export const USAGE = `usage: npm run promote -- --from <stack> --to <stack> [--dry-run]

Copies the immutable image references the source stack runs (its \`images\` output) into the target
stack's config (\`images.<service>\` in Pulumi.<target>.yaml), through \`pulumi config set --path\`,
leaving every other value and secret of the target untouched. Refuses unless the source's last update
succeeded and every image is pinned (repo[:tag]@sha256:<64 hex> or sha256:<64 hex>).

  --from <stack>  the stack whose images were tested, e.g. dev
  --to <stack>    the stack to pin them in, e.g. prod
  --dry-run       print the plan and change nothing

Then: review and commit Pulumi.<target>.yaml, check \`npm run preview -- <target>\`, and
\`npm run up -- <target>\`.
Rollback: promote again from a stack that runs the previous images, or revert the commit that
changed Pulumi.<target>.yaml (git revert), then \`npm run up -- <target>\`.`;

export interface PromoteArgs {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
}

/** A command line the tool cannot act on; the message says what to change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Pulumi stack names, optionally qualified as `org/project/stack`. */
const STACK_NAME = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+){0,2}$/;

/**
 * Parses `--from <stack> --to <stack> [--dry-run]` (also `--from=<stack>`).
 *
 * @returns the arguments, or `"help"` for `--help` / `-h`
 * @throws UsageError for an unknown, repeated or incomplete option
 */
export function parsePromoteArgs(argv: readonly string[]): PromoteArgs | "help" {
  const stacks: { from?: string; to?: string } = {};
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") return "help";
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    if (flag === "--dry-run") {
      if (inline !== undefined) throw new UsageError("--dry-run takes no value");
      dryRun = true;
    } else if (flag === "--from" || flag === "--to") {
      const key = flag.slice(2) as "from" | "to";
      if (stacks[key] !== undefined) throw new UsageError(`${flag} is given twice`);
      const value = inline ?? argv[++i];
      if (value === undefined || value === "" || value.startsWith("-"))
        throw new UsageError(`${flag} needs a stack name`);
      if (!STACK_NAME.test(value))
        throw new UsageError(`${flag} ${JSON.stringify(value)} is not a stack name`);
      stacks[key] = value;
    } else if (flag.startsWith("-")) {
      throw new UsageError(`unknown option ${flag}`);
    } else {
      throw new UsageError(
        `unexpected argument ${JSON.stringify(arg)}; name the stacks with --from and --to`,
      );
    }
  }
  const { from, to } = stacks;
  if (from === undefined || to === undefined) {
    throw new UsageError(
      from === undefined && to === undefined
        ? "--from and --to are required"
        : `${from === undefined ? "--from" : "--to"} is required`,
    );
  }
  if (from === to)
    throw new UsageError(`--from and --to are both ${from}; promotion copies between two stacks`);
  return { from, to, dryRun };
}
