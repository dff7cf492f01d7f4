import * as path from "node:path";

/**
 * The source folder of a module whose `__dirname` is `dir`. Pulumi runs the program compiled
 * (infra/main.cjs), from `.build/<fingerprint>/`, a copy of the source tree's layout holding only
 * JavaScript. A path a module builds from its own folder (a Docker build context, a script it
 * mounts, the `apps/` sources) must name the source tree, where those files are, and must be the
 * same string whichever way the program runs: it is an input of the resources it reaches.
 *
 * `sourceDir("/repo/.build/3f9c…/components")` is `/repo/components`; a source folder comes back
 * unchanged.
 */
export function sourceDir(dir: string): string {
  const parts = dir.split(path.sep);
  const build = parts.lastIndexOf(".build");
  if (build < 1 || build + 1 >= parts.length) return dir;
  return [...parts.slice(0, build), ...parts.slice(build + 2)].join(path.sep);
}
