/**
 * The impactsim command line for end-to-end tests. The sources are bundled
 * once per test file with esbuild, as `npm run build` does, into a folder
 * under node_modules/.cache (inside the package, so packages and shipped files
 * resolve as from dist/). A spawn of the bundle starts in a fraction of a
 * second; going through tsx compiles the sources again in every child, which
 * takes seconds, and several times that on a loaded machine.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { PACKAGE_ROOT } from "../../src/io/paths.js";

export interface Cli {
  /** Runs `impactsim ...args` to completion in the package root (or `cwd`). */
  run(args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): SpawnSyncReturns<string>;
  /** Removes the bundle. */
  dispose(): void;
}

/** Bundles src/cli/main.ts and returns a runner for it. */
export async function bundleCli(): Promise<Cli> {
  const cache = join(PACKAGE_ROOT, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "impactsim-test-cli-"));
  const outfile = join(dir, "impactsim.mjs");
  await build({
    entryPoints: [join(PACKAGE_ROOT, "src/cli/main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    target: "node20",
    outfile,
    logLevel: "warning",
  });
  return {
    run(args, options = {}) {
      return spawnSync(process.execPath, [outfile, ...args], {
        cwd: options.cwd ?? PACKAGE_ROOT,
        env: options.env ?? process.env,
        input: options.input,
        encoding: "utf8",
        timeout: options.timeoutMs,
      });
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lines of a text that look like a JavaScript stack frame ("    at f (file:1:2)"). */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((l) => /^\s+at\s/.test(l));
}
