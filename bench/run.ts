/**
 * Benchmarks (not tests): figures and ratios, never pass/fail. Groups as in
 * STYLE.md: hot operations, targeted work, whole runs. Whole runs use the
 * 227,808-job KTH-SP2 x8 trace from ../shared/data when present (skipped
 * otherwise), measured as whole processes in CPU seconds (bench/measure.mjs,
 * bench/measure.py), best of alternating runs, beside what they are compared
 * with in the same run: the Python EASY peer (../shared/peers/easy-swf, when
 * python3 is there), the floor (bench/floor.mjs: gunzip and parse only),
 * `node -e ''` for start-up. Results are printed and written to
 * results/bench.json with the machine, Node version and commit; ratios are
 * against bench/baseline.json.
 *
 * Usage: npm run bench [-- --quick]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { cpus, totalmem } from "node:os";
import { Engine } from "../src/sim/engine.js";
import { powerCurveInterpolated } from "../src/models/power.js";
import { AdjustmentLog } from "../src/core/errors.js";
import { openSwf } from "../src/io/swf.js";
import { runScenario } from "../src/run/runScenario.js";
import { shippedPath } from "../src/io/paths.js";
import { bestOf } from "./lib.js";
import { benchCsv } from "./csv.js";

const quick = process.argv.includes("--quick");
const BIG_TRACE = shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");
/** The pure-Python EASY peer without energy accounting (../shared/peers/README.md), run beside impactsim. */
const PYTHON_PEER = shippedPath("../shared/peers/easy-swf/easy_swf.py");

interface Figure {
  group: string;
  name: string;
  value: number;
  unit: string;
}
const figures: Figure[] = [];
function report(group: string, name: string, value: number, unit: string): void {
  figures.push({ group, name, value, unit });
  const v = value >= 100 ? Math.round(value).toLocaleString("en") : value.toPrecision(4);
  console.log(`  ${name.padEnd(58)} ${v} ${unit}`);
}


console.log(`impactsim bench on ${cpus()[0]?.model ?? "?"} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

// --- hot operations -----------------------------------------------------------
console.log("hot operations");
{
  const n = 1_000_000;
  const { ms } = bestOf(3, () => {
    const e = new Engine();
    let sink = 0;
    const k = e.defineKind("tick", 0, (p) => {
      sink += p;
    });
    // a rolling window of 1,000 pending events, as in a busy cluster
    for (let i = 0; i < 1000; i++) e.schedule(i * 0.5, k, i, i);
    for (let i = 1000; i < n; i++) {
      e.step();
      e.schedule(e.now + 500 + (i % 97), k, i, i);
    }
    while (e.step());
    return sink;
  });
  report("hot", "engine schedule + step (1,000 pending)", n / (ms / 1000), "events/s");
}
{
  const curve = powerCurveInterpolated({ idle: 55, points: [[0.1, 125], [0.2, 151], [0.3, 176], [0.4, 202], [0.5, 232], [0.6, 261], [0.7, 301], [0.8, 357], [0.9, 421], [1, 469]] });
  const n = 2_000_000;
  const { ms } = bestOf(3, () => {
    let s = 0;
    for (let i = 0; i < n; i++) s += curve((i % 1000) / 999);
    return s;
  });
  report("hot", "11-point power curve evaluation", n / (ms / 1000), "evals/s");
}

// --- targeted work -------------------------------------------------------------
console.log("targeted work");
if (existsSync(BIG_TRACE)) {
  let ms = Infinity;
  let jobs = 0;
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const t0 = performance.now();
    const reader = await openSwf(BIG_TRACE, { mode: "lenient", log: new AdjustmentLog() });
    jobs = 0;
    for await (const b of reader.batches()) jobs += b.length;
    ms = Math.min(ms, performance.now() - t0);
  }
  report("targeted", "SWF read, KTH x8 (gzip, lenient)", jobs / (ms / 1000), "jobs/s");
} else console.log(`  (skipped SWF read: ${BIG_TRACE} not present)`);
{
  // jobs.csv-like rows (bench/csv.ts): the writer against rows built as strings, as before issue 13; the same bytes.
  // Best of 3 even when quick (50,000 rows: about 3 s): one round swung the ratio from 4.4x to 3.6x with the writer unchanged.
  const c = benchCsv(quick ? 50_000 : 227_808, 3);
  if (!c.same) throw new Error("bench/csv.ts: the CSV writer's bytes differ from the string-built rows'");
  report("targeted", "jobs.csv-like rows (KTH x8 count), CSV writer", c.writerMs / 1000, "s");
  report("targeted", "CSV writer: x faster than rows built as strings", c.previousMs / c.writerMs, "x");
}

{
  const { benchWorkflow } = await import("./workflow.js");
  await benchWorkflow(2_000); // warm-up
  for (const w of [0, 1]) {
    let best = Infinity;
    for (let r = 0; r < (quick ? 1 : 3); r++) best = Math.min(best, (await benchWorkflow(10_000, w)).seconds);
    report("targeted", `10,000-task workflow, HEFT${w ? " impact-aware" : ""}, 3 sites, whole simulation`, best, "s");
  }
}

{
  // impactsim serve (bench/serve.ts, its own process): ledger charges per second, and decision latency with 10,000 jobs queued.
  const r = spawnSync(process.execPath, [...process.execArgv, shippedPath("bench/serve.ts"), "--json", ...(quick ? ["--queued", "2000", "--seconds", "3", "--max-seconds", "2", "--charges", "5000"] : [])], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench/serve.ts failed: ${r.stderr}`);
  const f = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
  report("targeted", "serve: ledger charges, one transaction each (SQLite)", f["ledger charges, one transaction each (SQLite)"], "charges/s");
  for (const k of ["request latency p50", "request latency p99", "decision pass p50", "decision pass p99"]) report("targeted", `serve: ${k}, ${quick ? "2,000" : "10,000"} queued, 200 requests/s`, f[k], "ms");
  if (f["  request latency p99, steady state"] !== undefined) report("targeted", `serve: request latency p99 after the first second (steady state), ${quick ? "2,000" : "10,000"} queued`, f["  request latency p99, steady state"], "ms");
  report("targeted", "serve: achieved rate (200 requests/s offered)", f["achieved rate"], "requests/s");
  report("targeted", "serve: most served, 8 clients in closed loop", f["most served (clients in closed loop)"], "requests/s");
  // Where a request's time goes on a busy machine: the service's own time and CPU, and how long its event loop waited (for a CPU).
  for (const k of ["service CPU per request (user+system)", "service time per request p99", "service event-loop delay p99"]) report("targeted", `serve: ${k}, ${quick ? "2,000" : "10,000"} queued, 200 requests/s`, f[k], "ms");
  report("targeted", "serve: GET /healthz, service CPU per request (the HTTP stack alone)", f["GET /healthz in closed loop: service CPU per request"], "ms");
}

// --- whole runs ------------------------------------------------------------------
console.log("whole runs: CPU seconds of the whole process, best of alternating runs (the machine may be busy)");
execFileSync(process.execPath, [shippedPath("scripts/build.mjs"), "--clean"], { stdio: "inherit" });
const MEASURE = shippedPath("bench/measure.mjs");
/** What the fresh-clone path runs (`npm ci` built dist/; the launcher checks it against the sources) and the bundle run directly. */
const LAUNCHER = shippedPath("bin/impactsim.js");
const BUNDLE = shippedPath("dist/impactsim.mjs");
interface Measured {
  cpu: number;
  /** The main thread's CPU in the run of least CPU (bench/measure.mjs; null without /proc): the rest is V8's compiler and collector threads, and any worker thread. */
  mainCpu: number | null;
  wall: number;
  maxRssMb: number;
}
/** A command, its arguments and, optionally, variables added to the environment. */
type Command = readonly [string, readonly string[], Readonly<Record<string, string>>?];
const node = (entry?: string, ...args: string[]): Command => [process.execPath, [MEASURE, ...(entry ? [entry] : []), ...args]];
const withEnv = ([cmd, args]: Command, env: Readonly<Record<string, string>>): Command => [cmd, args, env];
function once([cmd, args, env]: Command): Measured {
  const t0 = performance.now();
  const p = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26, ...(env ? { env: { ...process.env, ...env } } : {}) });
  if (p.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${p.stderr}`);
  const m = JSON.parse(p.stdout.trim().split("\n").pop()!) as { cpu_s: number; main_cpu_s?: number | null; max_rss_kb: number };
  return { cpu: m.cpu_s, mainCpu: m.main_cpu_s ?? null, wall: (performance.now() - t0) / 1000, maxRssMb: m.max_rss_kb / 1024 };
}
/** Runs the commands in turn, `rounds` times, and keeps each one's least CPU time (and its largest memory). */
function alternate<K extends string>(commands: Partial<Record<K, Command>>, rounds = quick ? 1 : 3): Record<K, Measured> {
  const best = {} as Record<K, Measured>;
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(commands) as K[]) {
      const m = once(commands[k]!);
      const b = best[k];
      best[k] = b === undefined ? m : { cpu: Math.min(b.cpu, m.cpu), mainCpu: m.cpu < b.cpu ? m.mainCpu : b.mainCpu, wall: Math.min(b.wall, m.wall), maxRssMb: Math.max(b.maxRssMb, m.maxRssMb) };
    }
  }
  return best;
}
{
  // Fixed cost: a 10-job run (the head of the shipped HPC2N trace) and estimate from a cold start, against Node's own start.
  mkdirSync(shippedPath("results"), { recursive: true });
  const ten = shippedPath("results/bench-ten-jobs.swf");
  let n = 0;
  const lines = gunzipSync(readFileSync(shippedPath("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz"))).toString("utf8").split("\n");
  writeFileSync(ten, lines.filter((l) => l.startsWith(";") || (l.trim() !== "" && n++ < 10)).join("\n") + "\n");
  const at = ["--at", "2020-03-02T09:00:00+01:00"];
  // The first run after a build checks its input files and remembers them checked (io/parseCache.ts checkedOnce), as a
  // user's first run does: measured apart, so the figures below are those of every later start whatever runs first.
  const run10 = node(LAUNCHER, "run", "--workload", ten, "--quiet", "--out", shippedPath("results/bench-ten"));
  const firstRun = once(run10);
  const m = alternate(
    {
      node: node(),
      run10,
      run10bundle: node(BUNDLE, "run", "--workload", ten, "--quiet", "--out", shippedPath("results/bench-ten")),
      estimate: node(LAUNCHER, "estimate", ...at, "--ntasks=32", "--time=4:00:00", "--json"),
      // Without the parse cache (io/parseCache.ts): the grid series and the factor table parsed from their CSV, as on a first start.
      estimateParsed: withEnv(node(LAUNCHER, "estimate", ...at, "--ntasks=32", "--time=4:00:00", "--json"), { IMPACTSIM_CACHE: "off" }),
    },
    quick ? 1 : 5,
  );
  report("whole", "node -e '' (Node's own start)", m.node.cpu, "s CPU");
  report("whole", "10-job run, cold start, launcher (fresh-clone path)", m.run10.cpu, "s CPU");
  report("whole", "10-job run, cold start: x node -e ''", m.run10.cpu / m.node.cpu, "x");
  report("whole", "10-job run, first run after a build (inputs checked and remembered): x node -e ''", firstRun.cpu / m.node.cpu, "x");
  report("whole", "10-job run, cold start, bundle: x node -e ''", m.run10bundle.cpu / m.node.cpu, "x");
  report("whole", "estimate, cold start: 32-task job, idle, 25 starts x 2 sites", m.estimate.cpu, "s CPU");
  report("whole", "estimate, cold start: x node -e ''", m.estimate.cpu / m.node.cpu, "x");
  report("whole", "estimate, cold start without the parse cache: x node -e ''", m.estimateParsed.cpu / m.node.cpu, "x");
}
{
  // Sweeps (bench/sweep.ts): scenarios/sweep-default.json on 1 worker (in-process) and 2 worker threads, whole processes of the bundle.
  const { benchSweep } = await import("./sweep.js");
  const s = await benchSweep(quick ? 1 : 2);
  if (!s.identical) throw new Error("bench/sweep.ts: the sweep's results differ between 1 and 2 workers");
  report("whole", "sweep-default (9 variants), 1 worker, whole process", s.one.cpu, "s CPU");
  report("whole", "sweep-default, 2 workers, whole process", s.two.cpu, "s CPU");
  report("whole", "sweep, 2 workers: wall-time speed-up (depends on the load)", s.speedup, "x");
  report("whole", "sweep, default lanes: wall-time speed-up over 1 worker (depends on the load)", s.autoSpeedup, "x");
  report("whole", "sweep, 2 workers: parallel overhead, CPU 2 workers / 1", s.overhead, "x");
  report("whole", "sweep, 2 workers: critical path, main or busiest worker", s.criticalPath, "s CPU");
  report("whole", "sweep, 2 workers: speed-up bound on 2 idle cores (bench/sweep.ts)", s.speedupBound, "x");
  if (!quick) {
    // 200 variants (bench/sweep-200.json): each thread's warm-up a small part of its work, as in a real study. One round: about 2 min.
    const l = await benchSweep(1, shippedPath("bench/sweep-200.json"));
    if (!l.identical) throw new Error("bench/sweep.ts: the 200-variant sweep's results differ between 1 and 2 workers");
    report("whole", "sweep-200 (200 variants), 1 worker, whole process", l.one.cpu, "s CPU");
    report("whole", "sweep-200, 2 workers: wall-time speed-up (depends on the load)", l.speedup, "x");
    report("whole", "sweep-200, default lanes: wall-time speed-up over 1 worker (depends on the load)", l.autoSpeedup, "x");
    report("whole", "sweep-200, 2 workers: parallel overhead, CPU 2 workers / 1", l.overhead, "x");
    report("whole", "sweep-200, 2 workers: speed-up bound on 2 idle cores (bench/sweep.ts)", l.speedupBound, "x");
  }
}
{
  const m = alternate({
    defaults: node(LAUNCHER, "run", "--quiet", "--out", shippedPath("results/bench-default")),
    loaded: node(LAUNCHER, "estimate", "--at", "2020-01-10T09:00:00+01:00", "--loaded", "--history", shippedPath("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz"), "--user", "5", "--ntasks=32", "--time=4:00:00", "--json"),
    workflow: node(LAUNCHER, "estimate", "--scenario", shippedPath("scenarios/workflow-continuum.json"), "--workflow", shippedPath("traces/workflows/montage-chameleon-2mass-005d-001.json"), "--at", "86400", "--json"),
  });
  report("whole", "default scenario, whole process (3,145 jobs, 2 sites)", m.defaults.cpu, "s CPU");
  report("whole", "estimate, cold start: loaded by the trace replayed, history calibration", m.loaded.cpu, "s CPU");
  report("whole", "estimate, cold start: Montage workflow (58 tasks), 3 sites", m.workflow.cpu, "s CPU");
}
if (existsSync(BIG_TRACE)) {
  const t0 = performance.now();
  const out = await runScenario({ overrides: { workload: BIG_TRACE, out: shippedPath("results/bench-kth8"), summaryOnly: true } });
  const s = (performance.now() - t0) / 1000;
  report("whole", "KTH x8, EASY + full accounting, in process: jobs", out.summary.jobs / s, "jobs/s");
  report("whole", "KTH x8, EASY + full accounting, in process: events", out.result.events / s, "events/s");
  const kth = (...more: string[]) => ["run", "--workload", BIG_TRACE, "--quiet", "--out", shippedPath("results/bench-kth8"), ...more];
  const peer = existsSync(PYTHON_PEER) && spawnSync("python3", ["--version"]).status === 0;
  const m = alternate({
    floor: node(shippedPath("bench/floor.mjs"), BIG_TRACE),
    summary: node(LAUNCHER, ...kth("--summary-only")),
    table: node(LAUNCHER, ...kth("--summary-only", "--impact-table")),
    defaults: node(LAUNCHER, ...kth()),
    bundle: node(BUNDLE, ...kth()),
    ...(peer ? { peer: ["python3", [shippedPath("bench/measure.py"), PYTHON_PEER, BIG_TRACE, "--normalise", "walltime", "--out", shippedPath("results/bench-kth8-peer.csv")]] as Command } : {}),
  });
  report("whole", "KTH x8 floor: gunzip + parse only (bench/floor.mjs)", m.floor.cpu, "s CPU");
  report("whole", "KTH x8, EASY + full accounting, summary only", m.summary.cpu, "s CPU");
  report("whole", "KTH x8, summary only: x the floor", m.summary.cpu / m.floor.cpu, "x");
  // Beside it, the main thread alone: V8 compiles the hot path on its own threads (0.45-0.55 s of CPU a process,
  // README), and libuv's pool decompresses the trace (about 0.12 s for x8), which the floor does on its main thread.
  if (m.summary.mainCpu !== null) report("whole", "KTH x8, summary only: main thread's CPU (gunzip and V8's compiler run beside it)", m.summary.mainCpu, "s CPU");
  report("whole", "KTH x8 summary only: peak resident memory", m.summary.maxRssMb, "MB");
  report("whole", "KTH x8, summary only + impacts.arrow (per-job impact table)", m.table.cpu, "s CPU");
  report("whole", "KTH x8, impacts.arrow: x summary only", m.table.cpu / m.summary.cpu, "x");
  report("whole", "KTH x8, default outputs (jobs, sites, nodes), launcher", m.defaults.cpu, "s CPU");
  report("whole", "KTH x8, default outputs, bundle run directly", m.bundle.cpu, "s CPU");
  report("whole", "KTH x8 default outputs: peak resident memory", m.defaults.maxRssMb, "MB");
  if (m.peer) {
    report("whole", "KTH x8, pure-Python EASY peer (no accounting), with its CSV", m.peer.cpu, "s CPU");
    report("whole", "KTH x8: peer / impactsim, summary only", m.peer.cpu / m.summary.cpu, "x");
    report("whole", "KTH x8: peer / impactsim, default outputs (launcher)", m.peer.cpu / m.defaults.cpu, "x");
    // What a user waits for, load permitting: jobs.csv is formatted on the second core (io/csvThread.ts), which CPU time does not show.
    report("whole", "KTH x8: peer / impactsim, wall time, summary only (depends on the load)", m.peer.wall / m.summary.wall, "x");
    report("whole", "KTH x8: peer / impactsim, wall time, default outputs, launcher (depends on the load)", m.peer.wall / m.defaults.wall, "x");
  } else console.log(`  (skipped the Python peer: ${existsSync(PYTHON_PEER) ? "no python3" : `${PYTHON_PEER} not present`})`);
  // Shared nodes: the same trace on one 128-core node that every job shares (bench/platforms), next to the one-core nodes above.
  const shared = ["run", "--workload", BIG_TRACE, "--platform", shippedPath("bench/platforms/kth-128-core-node.json"), "--quiet", "--out", shippedPath("results/bench-kth8-shared")];
  const sh = alternate({ summary: node(LAUNCHER, ...shared, "--summary-only"), defaults: node(LAUNCHER, ...shared) }, 1);
  report("whole", "KTH x8 on a shared 128-core node, summary only", sh.summary.cpu, "s CPU");
  report("whole", "KTH x8: one-core nodes / one shared 128-core node (summary only)", m.summary.cpu / sh.summary.cpu, "x");
  report("whole", "KTH x8 on a shared 128-core node, default outputs", sh.defaults.cpu, "s CPU");
} else console.log(`  (skipped KTH x8 runs: ${BIG_TRACE} not present)`);

// Policies against EASY on the same trace, summary only, whole processes alternated: the shipped KTH-SP2 (28,476 jobs),
// and KTH x8 too in the full bench. Summary only keeps no reasons (ClusterView.explain false), as sweeps and compare.
{
  const KTH = shippedPath("traces/KTH-SP2-1996-2.1-cln.swf.gz");
  const traces: [string, string][] = [["KTH-SP2", KTH], ...(!quick && existsSync(BIG_TRACE) ? [["KTH x8", BIG_TRACE] as [string, string]] : [])];
  for (const [label, trace] of traces) {
    const policies = label === "KTH-SP2" ? ["easy", "consolidate", "weighted", "conservative", "campaign"] : ["easy", "consolidate", "weighted"];
    const m = alternate(Object.fromEntries(policies.map((p) => [p, node(BUNDLE, "run", "--workload", trace, "--policy", p, "--summary-only", "--quiet", "--out", shippedPath(`results/bench-policy-${p}`))])));
    report("whole", `${label}, EASY, summary only, bundle`, m.easy.cpu, "s CPU");
    for (const p of policies.slice(1)) report("whole", `${label}, ${p}, summary only: x EASY`, m[p].cpu / m.easy.cpu, "x");
  }
}

// A burst of 20,000 queued jobs under EASY beside the pure-Python EASY peer, whole processes, same run, alternated (bench/burst.ts).
if (existsSync(shippedPath("../shared/peers/easy-swf/easy_swf.py")) && existsSync(shippedPath("../shared/data/traces/KTH-SP2-1996-2.1-cln.swf.gz"))) {
  const { benchBurst } = await import("./burst.js");
  const b = benchBurst(20_000, quick ? 1 : 3);
  report("whole", "20,000-job burst, EASY, whole process", b.impactsim.cpu, "s CPU");
  report("whole", "20,000-job burst: speed-up over the pure-Python EASY peer (same run)", b.peer.cpu / b.impactsim.cpu, "x");
  // The rest of its CPU is V8's compiler and collector threads: in a run this short, about as much as the main thread.
  if (b.impactsim.main !== null) report("whole", "20,000-job burst: main thread's CPU", b.impactsim.main, "s CPU");
} else console.log("  (skipped the burst: the Python peer or the KTH-SP2 trace is not present)");

// Peak memory against trace length: KTH x8 and x32 (911,232 jobs) derived from the shipped log (bench/memory.ts); full bench only (x32 costs about 35 s of CPU).
if (!quick && existsSync(shippedPath("../shared/data/traces/KTH-SP2-1996-2.1-cln.swf.gz"))) {
  const { benchMemory } = await import("./memory.js");
  const [x8, x32] = benchMemory([8, 32]);
  for (const r of [x8, x32]) {
    report("whole", `KTH x${r.copies} (${r.jobs.toLocaleString("en")} jobs), summary only: peak resident memory`, r.summary.maxRssMb, "MB");
    report("whole", `KTH x${r.copies}, default outputs: peak resident memory`, r.defaults.maxRssMb, "MB");
  }
  report("whole", "KTH x32 / x8 peak memory, default outputs (trace 4x longer)", x32.defaults.maxRssMb / x8.defaults.maxRssMb, "x");
  report("whole", "KTH x32, EASY + full accounting, default outputs", x32.defaults.cpu, "s CPU");
}

// --- record and compare --------------------------------------------------------------
let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
} catch {
  /* not a git checkout */
}
const record = { machine: `${cpus()[0]?.model} x${cpus().length}`, node: process.version, commit, figures };
mkdirSync(shippedPath("results"), { recursive: true });
writeFileSync(shippedPath("results/bench.json"), JSON.stringify(record, null, 2) + "\n");
const baselinePath = shippedPath("bench/baseline.json");
if (existsSync(baselinePath)) {
  const base = JSON.parse(readFileSync(baselinePath, "utf8")) as typeof record;
  console.log(`against baseline ${base.commit} (${base.node}):`);
  for (const f of figures) {
    // Figures compare only in the same unit (whole-process figures were wall seconds before issue 13, CPU seconds since).
    const b = base.figures.find((x) => x.name === f.name && x.unit === f.unit);
    if (b) console.log(`  ${f.name.padEnd(58)} ${(f.value / b.value).toFixed(2)}x baseline`);
  }
}
console.log(`written results/bench.json (commit ${commit})`);
