/**
 * Benchmarks (not tests): figures and ratios, never pass/fail. Groups as in
 * STYLE.md: hot operations, targeted work, whole runs. Whole runs use the
 * 227,808-job KTH-SP2 x8 trace from ../shared/data when present (skipped
 * otherwise). Results are printed and written to results/bench.json with the
 * machine, Node version and commit; ratios are against bench/baseline.json.
 *
 * Usage: npm run bench [-- --quick]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { Engine } from "../src/sim/engine.js";
import { powerCurveInterpolated } from "../src/models/power.js";
import { AdjustmentLog } from "../src/core/errors.js";
import { openSwf } from "../src/io/swf.js";
import { runScenario } from "../src/run/runScenario.js";
import { shippedPath } from "../src/io/paths.js";
import { bestOf } from "./lib.js";

const quick = process.argv.includes("--quick");
const BIG_TRACE = shippedPath("../shared/data/traces/KTH-SP2-x8-scale.swf.gz");
/** An independent pure-Python EASY simulator without energy accounting takes 3.4 s on the x8 trace here (issue #2). */
const PYTHON_EASY_REFERENCE_S = 3.4;

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
  const { benchWorkflow } = await import("./workflow.js");
  await benchWorkflow(2_000); // warm-up
  for (const w of [0, 1]) {
    let best = Infinity;
    for (let r = 0; r < (quick ? 1 : 3); r++) best = Math.min(best, (await benchWorkflow(10_000, w)).seconds);
    report("targeted", `10,000-task workflow, HEFT${w ? " impact-aware" : ""}, 3 sites, whole simulation`, best, "s");
  }
}

// --- whole runs ------------------------------------------------------------------
console.log("whole runs");
execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
function wholeProcess(args: string[]): { seconds: number; maxRssMb: number } {
  let seconds = Infinity;
  let maxRssMb = 0;
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, ["--expose-gc", shippedPath("bench/maxrss.mjs"), shippedPath("dist/impactsim.mjs"), ...args], { encoding: "utf8" });
    if (p.status !== 0) throw new Error(`impactsim ${args.join(" ")} failed: ${p.stderr}`);
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    maxRssMb = Math.max(maxRssMb, Number(p.stdout.trim().split("\n").pop()) / 1024);
  }
  return { seconds, maxRssMb };
}
{
  const w = wholeProcess(["run", "--quiet", "--out", shippedPath("results/bench-default")]);
  report("whole", "default scenario, whole process (3,145 jobs, 2 sites)", w.seconds, "s");
}
{
  // impactsim estimate from a cold start (issue 6 aims under 0.5 s): a new process each time.
  const at = ["--at", "2020-03-02T09:00:00+01:00"];
  const job = wholeProcess(["estimate", ...at, "--ntasks=32", "--time=4:00:00", "--json"]);
  report("whole", "estimate, cold start: 32-task job, idle, 25 starts x 2 sites", job.seconds, "s");
  const loaded = wholeProcess(["estimate", "--at", "2020-01-10T09:00:00+01:00", "--loaded", "--history", shippedPath("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz"), "--user", "5", "--ntasks=32", "--time=4:00:00", "--json"]);
  report("whole", "estimate, cold start: loaded by the trace replayed, history calibration", loaded.seconds, "s");
  const wf = wholeProcess(["estimate", "--scenario", shippedPath("scenarios/workflow-continuum.json"), "--workflow", shippedPath("traces/workflows/montage-chameleon-2mass-005d-001.json"), "--at", "86400", "--json"]);
  report("whole", "estimate, cold start: Montage workflow (58 tasks), 3 sites", wf.seconds, "s");
}
if (existsSync(BIG_TRACE)) {
  const t0 = performance.now();
  const out = await runScenario({ overrides: { workload: BIG_TRACE, out: shippedPath("results/bench-kth8"), summaryOnly: true } });
  const s = (performance.now() - t0) / 1000;
  report("whole", "KTH x8, EASY + full accounting, in process: jobs", out.summary.jobs / s, "jobs/s");
  report("whole", "KTH x8, EASY + full accounting, in process: events", out.result.events / s, "events/s");
  const w = wholeProcess(["run", "--workload", BIG_TRACE, "--summary-only", "--quiet", "--out", shippedPath("results/bench-kth8")]);
  report("whole", "KTH x8, EASY + full accounting, whole process", w.seconds, "s");
  report("whole", "KTH x8 whole process: peak resident memory", w.maxRssMb, "MB");
  report("whole", "KTH x8: speed-up over the pure-Python EASY (3.4 s)", PYTHON_EASY_REFERENCE_S / w.seconds, "x");
  const c = wholeProcess(["run", "--workload", BIG_TRACE, "--quiet", "--out", shippedPath("results/bench-kth8")]);
  report("whole", "KTH x8, whole process, default outputs (jobs, sites, nodes)", c.seconds, "s");
  // Shared nodes: the same trace on one 128-core node that every job shares (bench/platforms), next to the one-core nodes above.
  const shared = ["run", "--workload", BIG_TRACE, "--platform", shippedPath("bench/platforms/kth-128-core-node.json"), "--quiet", "--out", shippedPath("results/bench-kth8-shared")];
  const sh = wholeProcess([...shared, "--summary-only"]);
  report("whole", "KTH x8 on a shared 128-core node, EASY + full accounting, whole process", sh.seconds, "s");
  report("whole", "KTH x8: one-core nodes / one shared 128-core node (summary only)", w.seconds / sh.seconds, "x");
  const sc = wholeProcess(shared);
  report("whole", "KTH x8 on a shared 128-core node, whole process, default outputs", sc.seconds, "s");
} else console.log(`  (skipped KTH x8 runs: ${BIG_TRACE} not present)`);

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
    const b = base.figures.find((x) => x.name === f.name);
    if (b) console.log(`  ${f.name.padEnd(58)} ${(f.value / b.value).toFixed(2)}x baseline`);
  }
}
console.log(`written results/bench.json (commit ${commit})`);
