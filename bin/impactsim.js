#!/usr/bin/env node
// Launcher of the command line: runs the bundle, dist/impactsim.mjs, built by
// `npm ci` (prepare) or `npm run build`. An installed package runs it as it
// is (npm gives extracted files the time of extraction, so sources cannot be
// compared there). In a development checkout (tsconfig.json beside
// package.json; never shipped) the bundle must match the sources: when any
// source it was made from is newer (a stat of each, listed at build time in
// dist/impactsim.inputs.json; no walk of src/), it is rebuilt first, which
// esbuild does in under a second, and said on stderr. Only without esbuild
// (a checkout installed without its dev dependencies) are the sources run
// through tsx, slowly, and said so.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/impactsim.mjs", import.meta.url);
const checkout = existsSync(new URL("../tsconfig.json", import.meta.url));

let run = bundle;
if (checkout) {
  const build = await import("../scripts/build.mjs");
  if (build.isStale()) {
    let built = false;
    try {
      process.stderr.write("impactsim: dist/ is older than src/ (or missing): rebuilding it\n");
      await build.buildCli();
      built = true;
    } catch (err) {
      // esbuild's own message names the file and line of a source that does not compile.
      if (err?.code !== "ERR_MODULE_NOT_FOUND") {
        process.stderr.write(`impactsim: cannot build dist/ from src/: ${err?.message ?? err}\n`);
        process.exit(1);
      }
      process.stderr.write("impactsim: esbuild is not installed (npm ci installs it): running the sources through tsx, slowly\n");
    }
    if (!built) run = undefined;
  }
} else if (!existsSync(bundle)) run = undefined;

if (run) {
  await import(run.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
