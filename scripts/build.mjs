#!/usr/bin/env node
/**
 * Builds the command line's bundle, dist/impactsim.mjs (and its chunks, loaded
 * per command), with esbuild: the sources bundled with the small pure-JS
 * packages every run loads (BUNDLED: loading them from node_modules file by
 * file, zod's and yargs' dozens of modules, cost a 10-job run about 0.15 s of
 * its 0.7), other packages left external (native ones, those only some
 * commands load, and any package added later). zod and csv-parse are built
 * apart into dist/vendor/ and loaded on first use (see VENDOR), the LP solver
 * from node_modules on first use. Whitespace is minified (a quarter of the
 * code each command compiles), with linked source maps.
 * Beside it, dist/impactsim.inputs.json lists the source files it was made
 * from, so bin/impactsim.js can tell in a checkout, by a stat of each, that
 * the bundle is older than the sources. Run by `npm run build`, by `npm ci`
 * (prepare) and by the launcher when the bundle is stale (under a second).
 *
 * The new files are written under temporary names and renamed into place,
 * chunks first and the entry last, so a launcher started meanwhile runs the
 * old bundle or the new one, never half of one; `clean` (npm run build)
 * removes old chunks first, and a rebuild by the launcher removes those of
 * older builds after a day (a process running one may still load them).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE = join(ROOT, "dist", "impactsim.mjs");
export const INPUTS = join(ROOT, "dist", "impactsim.inputs.json");

/** Packages bundled into dist/ (with what they import); every other package is loaded from node_modules at run time. */
export const BUNDLED = new Set(["zod", "yargs", "csv-parse", "seedrandom", "simple-statistics"]);

/** esbuild plugin: a package imported from the sources is external unless BUNDLED; what a bundled package imports is bundled with it. */
const chooseExternals = {
  name: "impactsim-externals",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || args.importer.includes("/node_modules/")) return undefined;
      const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
      return BUNDLED.has(name) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * esbuild plugin: zod's namespace object re-exports every locale's messages
 * (`z.locales`, about 370 KB of the 960 KB chunk every command compiles at
 * start); impactsim reads its messages in English only (zod's default, which
 * zod imports itself), so the locale list is bundled with English alone.
 */
const englishZod = {
  name: "impactsim-zod-english",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), "../locales/en.js"), namespace: "zod-english" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "zod-english" }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path), loader: "js" }));
  },
};

/**
 * The bundle's identity, written where the sources read __IMPACTSIM_BUILD__
 * (io/parseCache.ts: input files this build checked once are not checked
 * again): a SHA-256 of every output file's name and code, so any change to
 * the sources or the bundled packages gives another. The placeholder is as
 * long as the id it is replaced by.
 */
const BUILD_PLACEHOLDER = "impactsim-build-id:".padEnd(64, "-");
function buildId(files) {
  const h = createHash("sha256");
  for (const f of files) h.update(`${relative(ROOT, f.path)}\0${f.contents.length}\0`).update(f.contents);
  return h.digest("hex");
}

/**
 * zod and csv-parse are built apart, each as one CommonJS file under
 * dist/vendor/, and required on first use. Every command loaded them at start
 * (zod alone about 40 ms of CPU: its 300 KB compiled and its classes made),
 * while a run or an estimate on inputs checked before (io/parseCache.ts) and
 * cached tables uses neither. The sources' imports get a stand-in (zod's `z`
 * as an object that forwards to the real one, csv-parse's `parse` as a
 * function that calls it): every source gets it, so there is one instance of
 * each and zod's classes (instanceof in io/json.ts) are the same for all.
 * name -> [file under dist/vendor/, the export the sources import, how the stand-in gives it]
 */
const VENDOR = {
  zod: ["zod.cjs", "z", "export const z = new Proxy({}, { get: (_, key) => real().z[key] });"],
  "csv-parse/sync": ["csv-parse-sync.cjs", "parse", "export function parse(...args) { return real().parse(...args); }"],
};
const lazyPackages = {
  name: "impactsim-lazy-packages",
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(VENDOR).join("|")})$`);
    b.onResolve({ filter }, (args) => (args.importer.includes("/node_modules/") ? undefined : { path: args.path, namespace: "lazy-package" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => {
      const [file, , standIn] = VENDOR[args.path];
      const contents = [
        'import { createRequire } from "node:module";',
        'import { fileURLToPath } from "node:url";',
        // The stand-in lands in dist/impactsim.mjs or in a chunk under dist/chunks/.
        'const here = new URL(".", import.meta.url);',
        `const path = new URL(here.pathname.endsWith("/chunks/") ? "../vendor/${file}" : "vendor/${file}", here);`,
        "let loaded;",
        "const real = () => (loaded ??= createRequire(import.meta.url)(fileURLToPath(path)));",
        standIn,
        "",
      ].join("\n");
      return { contents, loader: "js" };
    });
  },
};

/** The vendor files (see VENDOR), built from the packages' ES module code with zod's English messages only. */
async function buildVendor(build) {
  const entries = Object.fromEntries(Object.entries(VENDOR).map(([name, [file]]) => [`vendor/${file.replace(/\.cjs$/, "")}`, `vendor:${name}`]));
  return build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    logLevel: "warning",
    write: false,
    minifyWhitespace: true,
    plugins: [
      {
        name: "impactsim-vendor",
        setup(b) {
          b.onResolve({ filter: /^vendor:/ }, (args) => ({ path: args.path.slice("vendor:".length), namespace: "vendor" }));
          b.onLoad({ filter: /.*/, namespace: "vendor" }, (args) => ({ contents: `export { ${VENDOR[args.path][1]} } from ${JSON.stringify(args.path)};`, resolveDir: ROOT, loader: "js" }));
        },
      },
      englishZod,
    ],
  });
}

/**
 * esbuild plugin: javascript-lp-solver (130 KB of code, only the campaign
 * policy solves an LP) is loaded from node_modules on first use, through an
 * object standing in for the solver, instead of being compiled by every
 * command that loads the planner.
 */
const lazyLpSolver = {
  name: "impactsim-lazy-lp-solver",
  setup(b) {
    b.onResolve({ filter: /^javascript-lp-solver$/ }, (args) => (args.importer.includes("/node_modules/") ? undefined : { path: "javascript-lp-solver", namespace: "lazy-lp-solver" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-lp-solver" }, () => ({
      contents: [
        'import { createRequire } from "node:module";',
        "const load = createRequire(import.meta.url);",
        "let solver;",
        "// The solver's methods read its own fields (this): they are called on it.",
        'export default new Proxy({}, { get: (_, key) => { solver ??= load("javascript-lp-solver"); const v = solver[key]; return typeof v === "function" ? v.bind(solver) : v; } });',
        "",
      ].join("\n"),
      loader: "js",
    }));
  },
};

/** Builds the bundle; returns the number of source files it was made from. */
export async function buildCli({ clean = false } = {}) {
  const { build } = await import("esbuild");
  const dist = join(ROOT, "dist");
  if (clean) for (const p of [BUNDLE, INPUTS, join(dist, "chunks"), join(dist, "vendor")]) rmSync(p, { recursive: true, force: true });
  const vendor = await buildVendor(build);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/cli/main.ts"],
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    plugins: [lazyPackages, lazyLpSolver, chooseExternals, englishZod],
    // Bundled CommonJS packages (seedrandom, the LP solver) call require(): give the ES module one.
    banner: { js: 'import { createRequire as __impactsimRequire } from "node:module"; const require = __impactsimRequire(import.meta.url);' },
    target: "node20",
    outdir: "dist",
    entryNames: "impactsim",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
    metafile: true,
    write: false,
    define: { __IMPACTSIM_BUILD__: JSON.stringify(BUILD_PLACEHOLDER) },
    minifyWhitespace: true,
    sourcemap: "linked",
    sourcesContent: false,
  });
  const tag = `.${process.pid}.tmp`;
  const files = [...vendor.outputFiles, ...result.outputFiles].sort((a, b) => Number(a.path === BUNDLE) - Number(b.path === BUNDLE));
  const id = buildId(files);
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path + tag, f.text.includes(BUILD_PLACEHOLDER) ? f.text.replaceAll(BUILD_PLACEHOLDER, id) : f.contents);
  }
  // Sources only: not packages, nor the modules the plugins make (named "namespace:path").
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes("node_modules/") && !/^[a-z-]+:/.test(p));
  writeFileSync(INPUTS + tag, JSON.stringify(inputs) + "\n");
  renameSync(INPUTS + tag, INPUTS);
  for (const f of files) renameSync(f.path + tag, f.path);
  pruneChunks(join(dist, "chunks"), new Set(files.map((f) => f.path)));
  return inputs.length;
}

/** Chunks of older builds are kept this long: a process started on one may still load a chunk lazily. */
const CHUNK_GRACE_MS = 24 * 3600 * 1000;

/**
 * Removes chunks (and their maps) that this build did not write and that are
 * older than CHUNK_GRACE_MS: each rebuild by the launcher writes chunks under
 * new names, and a checkout edited for a day gathered some 500 files (20 MB).
 * @param written absolute paths this build wrote (a chunk's map is kept with it)
 */
export function pruneChunks(dir, written, now = Date.now()) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (written.has(path) || written.has(path.replace(/\.map$/, ""))) continue;
    const s = statSync(path, { throwIfNoEntry: false });
    if (s && now - s.mtimeMs > CHUNK_GRACE_MS) rmSync(path, { force: true });
  }
}

const MAYBE = { throwIfNoEntry: false };

/**
 * Whether the bundle is missing or older than a source it was made from (a
 * stat per source, about 180). Run by the launcher before every command in a
 * checkout, in code not yet compiled: paths are concatenated, not joined
 * (path.join was a third of its 12 ms), as the inputs are relative paths
 * esbuild wrote below the root.
 * @param root the checkout (default: the one this script is in)
 */
export function isStale(root = ROOT) {
  const bundle = statSync(join(root, "dist", "impactsim.mjs"), MAYBE);
  if (!bundle) return true;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, "dist", "impactsim.inputs.json"), "utf8"));
  } catch {
    return true;
  }
  const built = bundle.mtimeMs;
  const base = root.endsWith(sep) ? root : root + sep;
  for (let i = 0; i < inputs.length; i++) {
    const s = statSync(base + inputs[i], MAYBE);
    if (s === undefined || s.mtimeMs > built) return true;
  }
  return false;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = await buildCli({ clean: process.argv.includes("--clean") });
  if (process.argv.includes("--verbose")) console.log(`built ${relative(process.cwd(), BUNDLE)} from ${n} sources`);
}
