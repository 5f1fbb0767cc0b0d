/**
 * Paths of files shipped with impactsim (platforms/, scenarios/, package.json),
 * found from this module's location by walking up to the package root, so they
 * resolve the same from the TypeScript sources and from the bundled dist/.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "impactsim") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`impactsim: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Absolute path of the impactsim package root. */
export const PACKAGE_ROOT = findRoot();

/** Absolute path of a file shipped with impactsim, given relative to the package root. */
export function shippedPath(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}
