/**
 * impactsim as a package, checked as issue 11 checks it: `npm pack`, the
 * tarball installed into an empty folder, then from plain Node (no tsx, no
 * loader) `import { policyEasyBackfill, estimate, runScenario } from
 * "impactsim"` and a 20-line policy of the user's own run on a bundled
 * scenario with impacts in its summary; a consumer .ts file type-checked by
 * the project's tsc against the installed declarations (skipLibCheck off, so
 * the declarations themselves are checked); the installed `impactsim run` with
 * a policy module; the compiled sweep worker, which needs no tsx.
 *
 * The package is packed from a copy of the shipped files (package.json
 * "files") in a temporary folder, so its prepack build never touches this
 * checkout's dist/ while other tests run. Dependencies come from the local npm
 * cache (`npm install --offline`; `--prefer-offline` if the cache misses one).
 * About 35 s on this project's two-core machine when lightly loaded, 60-100 s
 * while other test files keep both cores busy: the build (tsc), the install
 * and the consumer's type check take most of it.
 *
 * Skipped only when IMPACTSIM_SKIP_PACKAGE_TEST=1 is set (e.g. offline with an
 * empty npm cache); CI never sets it.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/io/paths.js";

const SKIP = process.env.IMPACTSIM_SKIP_PACKAGE_TEST === "1";
if (SKIP) console.warn("test/package: SKIPPED because IMPACTSIM_SKIP_PACKAGE_TEST=1 (the packed package is not checked)");

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a plain Node child: no loader or option inherited from the test runner. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  return env;
}

function run(file: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    execFile(file, args, { cwd, env: plainEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

async function npm(args: readonly string[], cwd: string): Promise<Ran> {
  return run(process.platform === "win32" ? "npm.cmd" : "npm", args, cwd);
}

function ok(r: Ran, what: string): Ran {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return r;
}

let work: string;
let consumer: string;
const timings: string[] = [];

async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const out = await f();
  timings.push(`${what} ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return out;
}

describe.skipIf(SKIP)("impactsim packed and installed into an empty folder", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "impactsim-package-"));
    // The shipped files, with what the build needs, copied apart from this checkout.
    const source = join(work, "source");
    mkdirSync(source);
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { files: string[] };
    for (const entry of [...pkg.files, "package.json", "tsconfig.json", "tsconfig.build.json"]) {
      if (entry === "dist" || !existsSync(join(PACKAGE_ROOT, entry))) continue;
      mkdirSync(dirname(join(source, entry)), { recursive: true });
      cpSync(join(PACKAGE_ROOT, entry), join(source, entry), { recursive: true });
    }
    symlinkSync(join(PACKAGE_ROOT, "node_modules"), join(source, "node_modules"), "dir");
    const packed = join(work, "packed");
    mkdirSync(packed);
    await timed("npm pack (prepare: the CLI bundle; prepack: build:lib)", async () => ok(await npm(["pack", "--pack-destination", packed, "--silent"], source), "npm pack"));
    const tarball = readdirSync(packed).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${packed}`);

    consumer = join(work, "consumer");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await timed("npm install of the tarball", async () => {
      const install = ["install", "--no-audit", "--no-fund", "--ignore-scripts", join(packed, tarball)];
      const offline = await npm([...install, "--offline"], consumer);
      if (offline.code !== 0) ok(await npm([...install, "--prefer-offline"], consumer), "npm install");
    });
  });

  afterAll(() => {
    if (timings.length > 0) console.info(`test/package: ${timings.join(", ")}`);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the installed package holds the library build with declarations for every entry point, the CLI bundle, the compiled sweep and CSV workers and docs/library.md", () => {
    const installed = join(consumer, "node_modules", "impactsim");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { exports: Record<string, { types: string; default: string } | string> };
    expect(Object.keys(manifest.exports)).toEqual([".", "./core", "./models", "./io", "./planner", "./sim", "./accounting", "./run", "./live", "./package.json"]);
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === "string") continue;
      expect(existsSync(join(installed, target.types)), `${subpath}: ${target.types}`).toBe(true);
      expect(existsSync(join(installed, target.default)), `${subpath}: ${target.default}`).toBe(true);
    }
    expect(existsSync(join(installed, "dist", "impactsim.mjs"))).toBe(true);
    expect(existsSync(join(installed, "dist", "lib", "sweep", "worker.mjs"))).toBe(true);
    expect(existsSync(join(installed, "dist", "lib", "io", "csvThread.worker.mjs"))).toBe(true);
    expect(existsSync(join(installed, "docs", "library.md"))).toBe(true);
  });

  it("plain Node imports policyEasyBackfill, estimate and runScenario from impactsim and runs a 20-line custom policy on a bundled scenario, with impacts in its summary", async () => {
    writeFileSync(
      join(consumer, "run.mjs"),
      `import { policyEasyBackfill, estimate, runScenario, shippedPath } from "impactsim";

// Shortest requested time first, first fit, no reservation; asks estimate() once on its first job.
let estimates = -1;
function policyShortestFirst() {
  return {
    name: "shortest-first",
    version: "1",
    params: {},
    decide(view) {
      if (estimates < 0 && view.queue.length > 0) estimates = estimate(view.queue[0], view).length;
      const free = view.pools.map((p) => p.freeNodes);
      const out = [];
      for (const job of [...view.queue].sort((a, b) => a.walltime - b.walltime || a.id - b.id)) {
        const pool = view.pools.findIndex((p, i) => !(job.gpus > 0) && Math.ceil(job.cores / p.coresPerNode) <= free[i]);
        if (pool < 0) continue;
        free[pool] -= Math.ceil(job.cores / view.pools[pool].coresPerNode);
        out.push({ kind: "start", jobId: job.id, pool });
      }
      return out;
    },
  };
}

const { summary } = await runScenario({ scenario: shippedPath("scenarios/default.json"), policy: policyShortestFirst(), overrides: { out: "out-run", summaryOnly: true } });
let deep;
try {
  await import("impactsim/dist/lib/run/runScenario.js");
  deep = "imported";
} catch (err) {
  deep = err.code;
}
console.log(JSON.stringify({ easy: policyEasyBackfill().name, estimates, policy: summary.provenance.policy, jobs: summary.jobs, cc: summary.impacts.CC.total, score: summary.single_score.total_pt, deep, loaders: process.execArgv }));
`,
    );
    const r = ok(await timed("plain Node run", () => run(process.execPath, ["run.mjs"], consumer)), "node run.mjs");
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { easy: string; estimates: number; policy: { name: string }; jobs: number; cc: number; score: number; deep: string; loaders: string[] };
    expect(out.loaders).toEqual([]);
    expect(out.easy).toBe("easy");
    expect(out.estimates).toBeGreaterThan(0);
    expect(out.policy.name).toBe("shortest-first");
    expect(out.jobs).toBeGreaterThan(3000);
    expect(out.cc).toBeGreaterThan(0);
    expect(out.score).toBeGreaterThan(0);
    // Only the entry points of "exports" are reachable.
    expect(out.deep).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("a consumer .ts file type-checks against the installed declarations with the project's tsc (skipLibCheck off)", async () => {
    writeFileSync(
      join(consumer, "consumer.ts"),
      `import { policyEasyBackfill, estimate, runScenario, shippedPath, type ClusterView, type Decision, type Estimate, type Policy, type RunOutput } from "impactsim";
import { POLICIES, type WorldEvent } from "impactsim/planner";
import { loadPlatform, type PlatformSpec } from "impactsim/io";
import { EF_CATEGORIES, InputError } from "impactsim/core";
import { buildPlatform, type PlatformModel } from "impactsim/models";
import { simulate, type SimulationOptions } from "impactsim/sim";
import { Accountant } from "impactsim/accounting";
import { choosePolicy, type PolicyFactory, type RunSummary } from "impactsim/run";

const firstFit: PolicyFactory = (params) => ({
  name: "first-fit",
  version: "1",
  params,
  decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
    if (happened.length === 0) return [];
    const free = view.pools.map((p) => p.freeNodes);
    const out: Decision[] = [];
    for (const job of view.queue) {
      const pool = view.pools.findIndex((p, i) => Math.ceil(job.cores / p.coresPerNode) <= free[i]);
      if (pool >= 0) {
        free[pool] -= Math.ceil(job.cores / view.pools[pool].coresPerNode);
        out.push({ kind: "start", jobId: job.id, pool });
      }
    }
    return out;
  },
});

const easy: Policy = policyEasyBackfill();
const ran: Promise<RunOutput> = runScenario({ scenario: shippedPath("scenarios/default.json"), policy: easy });
const summary: Promise<RunSummary> = ran.then((r) => r.summary);
const platform: Promise<PlatformSpec> = loadPlatform(shippedPath("platforms/two-site-eu.json"));
const estimates = (view: ClusterView): Estimate[] => (view.queue.length > 0 ? estimate(view.queue[0], view) : []);
const model = (m: PlatformModel): SimulationOptions["platform"] => m;
export const used = [firstFit, summary, platform, estimates, model, POLICIES, EF_CATEGORIES.length, InputError, buildPlatform, simulate, Accountant, choosePolicy];
`,
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ["consumer.ts"] }),
    );
    const tsc = join(PACKAGE_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = await timed("tsc on the consumer", () => run(process.execPath, [tsc, "-p", consumer], consumer));
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("the installed impactsim run takes the README's policy module, which imports impactsim, and refuses a missing module with exit 3 naming it", async () => {
    const readme = readFileSync(join(PACKAGE_ROOT, "README.md"), "utf8");
    const example = /```js\n\/\/ my-policy\.mjs:[^\n]*\n([\s\S]*?)```/.exec(readme);
    expect(example, "README: a js block starting with // my-policy.mjs").not.toBeNull();
    writeFileSync(join(consumer, "my-policy.mjs"), example![1]);
    const bin = join(consumer, "node_modules", "impactsim", "bin", "impactsim.js");
    const r = ok(
      await timed("installed impactsim run", () => run(process.execPath, [bin, "run", "--policy-module", "my-policy.mjs", "--policy-params", '{"limit":2}', "--out", "out-cli", "--summary-only", "--quiet"], consumer)),
      "impactsim run --policy-module",
    );
    // The installed launcher runs the bundle, never falling back to the sources.
    expect(r.stderr).toBe("");
    const summary = JSON.parse(readFileSync(join(consumer, "out-cli", "summary.json"), "utf8")) as { provenance: { policy: unknown; inputs: { path: string }[] }; impacts: { CC: { total: number } } };
    expect(summary.provenance.policy).toEqual({ name: "easy-limited", version: "1", params: { limit: 2 } });
    expect(summary.provenance.inputs.map((i) => i.path)).toContain("my-policy.mjs");
    expect(summary.impacts.CC.total).toBeGreaterThan(0);

    const refused = await run(process.execPath, [bin, "run", "--policy-module", "my-policy.mjs", "--policy-params", '{"limt":2}', "--out", "out-refused", "--quiet"], consumer);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('my-policy.mjs: factory(params): refused the parameters given {"limt":2}: RangeError: unknown parameter "limt"');
    const missing = await run(process.execPath, [bin, "run", "--policy-module", "no-such-policy.mjs", "--out", "out-missing", "--quiet"], consumer);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("no-such-policy.mjs: cannot read the policy module: no such file");
    for (const e of [refused, missing]) expect(e.stderr).not.toMatch(/^\s+at\s/m);
  });

  it("the compiled sweep worker runs tasks on worker threads with tsx out of reach", async () => {
    const pool = join(consumer, "node_modules", "impactsim", "dist", "lib", "sweep", "pool.js");
    const trace = join(PACKAGE_ROOT, "test", "fixtures", "swf", "good.swf");
    writeFileSync(
      join(consumer, "pool.mjs"),
      `import { pathToFileURL } from "node:url";
const { createPool, WORKER_URL } = await import(pathToFileURL(${JSON.stringify(pool)}).href);
const pool = createPool({ workers: 2 });
try {
  const results = await Promise.all(["fcfs", "easy"].map((policy) => pool.run({ id: policy, overrides: { workload: ${JSON.stringify(trace)}, policy } })));
  console.log(JSON.stringify({ worker: WORKER_URL, results: results.map((r) => [r.id, r.summary.provenance.policy.name, r.summary.jobs]) }));
} finally {
  await pool.close();
}
`,
    );
    // tsx moved out of reach: a worker that needed it would fail to load.
    const tsx = join(consumer, "node_modules", "tsx");
    renameSync(tsx, `${tsx}.away`);
    let r: Ran;
    try {
      r = ok(await timed("compiled sweep worker", () => run(process.execPath, ["pool.mjs"], consumer)), "node pool.mjs");
    } finally {
      renameSync(`${tsx}.away`, tsx);
    }
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { worker: string; results: [string, string, number][] };
    expect(out.worker).toMatch(/node_modules\/impactsim\/dist\/lib\/sweep\/worker\.mjs$/);
    expect(out.results.map(([id, name]) => [id, name])).toEqual([
      ["fcfs", "fcfs"],
      ["easy", "easy"],
    ]);
    expect(out.results.every(([, , jobs]) => jobs > 0)).toBe(true);
  });
});
