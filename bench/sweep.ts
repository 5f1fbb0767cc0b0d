/**
 * Benchmark (not a test): sweep scaling of the worker pool on
 * scenarios/sweep-default.json (9 variants: 3 policies x 3 seeds of qos-eu)
 * or another sweep file (`--file`: bench/sweep-200.json has 200 variants,
 * 4 policies x 5 PUE values x 10 seeds of the same scenario, so that each
 * thread's warm-up is a small part of its work), run as whole processes of
 * the bundle (`impactsim sweep --workers 1`, the in-process reference,
 * `--workers 2`, and the default: up to the cores, worker threads started once
 * the work left repays them), alternated, best of `rounds`.
 *
 * Wall time on a machine other work shares says little, so beside the
 * wall-time speed-up it prints figures that do not depend on the load, from
 * the CPU time of each thread of the process (read from /proc every 20 ms,
 * Linux; the last 20 ms of a thread may be missed):
 * - parallel overhead: CPU of the 2-worker process / CPU of the 1-worker one
 *   (what running on threads costs on top of the runs: each worker loading
 *   the bundle and compiling hot code again, two heaps);
 * - critical path: the busier of the main thread (lane 0 of the pool: it runs
 *   variants itself, sweep/pool.ts) and the busiest worker thread, CPU;
 * - speed-up bound on 2 idle cores: a process needs at least its busiest
 *   thread's CPU and half its whole CPU of wall time, so the 1-worker run
 *   takes at least max(main thread, CPU / 2) (V8's compiler and GC threads
 *   already run on the second core beside its one lane) and the 2-worker run
 *   max(critical path, CPU / 2); the bound is the ratio of the two.
 * It checks that both runs write byte-identical results and that each process
 * exits by itself (no thread or child keeps it alive; a timeout of 120 s
 * plus 2 s a variant).
 *
 * Usage: npx tsx bench/sweep.ts [--rounds N] (default 2) [--file SWEEP.json] [--node-flags="FLAGS"]
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { basename, join, relative, resolve as resolvePath } from "node:path";
import { shippedPath } from "../src/io/paths.js";

const SWEEP = shippedPath("scenarios/sweep-default.json");
const BUNDLE = shippedPath("dist/impactsim.mjs");
const MEASURE = shippedPath("bench/measure.mjs");
const TICK_S = 0.01; // /proc CPU times are in clock ticks of 10 ms (USER_HZ 100 on Linux)

export interface SweepRun {
  /** Lanes asked for; undefined: the default. */
  readonly workers: number | undefined;
  readonly wall: number;
  /** CPU seconds of the whole process (measure.mjs at exit). */
  readonly cpu: number;
  /** CPU seconds of the main thread, and of each other thread, busiest first (from /proc). */
  readonly mainCpu: number;
  readonly threadCpu: readonly number[];
  readonly results: string;
}

/** CPU seconds of each thread of a process now, by thread id (empty once it has exited). */
function threadTimes(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      // Fields after the command name (which may hold spaces) start at ")": utime and stime are fields 14 and 15.
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) * TICK_S);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

/** Variants of a sweep file: the product of its parameters' value counts (a `replicas` entry counts its replicas). */
function variantCount(file: string): number {
  const params = (JSON.parse(readFileSync(file, "utf8")) as { parameters?: Record<string, unknown> }).parameters ?? {};
  let n = 1;
  for (const v of Object.values(params)) n *= Array.isArray(v) ? v.length : Number((v as { replicas?: number }).replicas ?? 1);
  return n;
}

/** One sweep as a whole process (`workers` undefined: the default lanes); rejects when it fails or does not exit by itself within 120 s plus 2 s a variant. */
export function runSweepProcess(workers: number | undefined, file = SWEEP, nodeFlags: readonly string[] = []): Promise<SweepRun> {
  const out = shippedPath(`results/bench-sweep-${basename(file, ".json")}-w${workers ?? "default"}`);
  rmSync(out, { recursive: true, force: true });
  const limitS = 120 + 2 * variantCount(file);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const lanes = workers === undefined ? [] : ["--workers", String(workers)];
    const child = spawn(process.execPath, [...nodeFlags, MEASURE, BUNDLE, "sweep", file, ...lanes, "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    const last = new Map<number, number>();
    const poll = setInterval(() => {
      for (const [tid, s] of threadTimes(child.pid!)) last.set(tid, s);
    }, 20);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sweep with ${workers} worker(s) did not exit within ${limitS} s (something kept the process alive)`));
    }, limitS * 1000);
    child.on("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timeout);
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`sweep with ${workers} worker(s) failed (exit ${code}): ${stderr}`));
      const m = JSON.parse(stdout.trim().split("\n").pop()!) as { cpu_s: number };
      const mainCpu = last.get(child.pid!) ?? 0;
      last.delete(child.pid!);
      resolve({ workers, wall, cpu: m.cpu_s, mainCpu, threadCpu: [...last.values()].sort((a, b) => b - a), results: readFileSync(join(out, "results.jsonl"), "utf8") });
    });
  });
}

export interface SweepBench {
  readonly one: SweepRun;
  readonly two: SweepRun;
  /** The default lanes (no --workers). */
  readonly auto: SweepRun;
  /** Wall-time speed-up, 1 worker / the default (depends on the load). */
  readonly autoSpeedup: number;
  /** Wall-time speed-up, 1 worker / 2 workers (depends on the load). */
  readonly speedup: number;
  /** CPU of the 2-worker process / CPU of the 1-worker process. */
  readonly overhead: number;
  /** The busier of the main thread and the busiest worker thread, CPU seconds, 2 workers. */
  readonly criticalPath: number;
  /** max(main thread, CPU / 2) of the 1-worker process / max(critical path, CPU / 2) of the 2-worker one (see the module comment). */
  readonly speedupBound: number;
  readonly identical: boolean;
}

/** Best (least CPU) of `rounds` alternated runs of a sweep file with 1 and 2 workers. */
export async function benchSweep(rounds = 2, file = SWEEP, nodeFlags: readonly string[] = []): Promise<SweepBench> {
  let one: SweepRun | undefined;
  let two: SweepRun | undefined;
  let auto: SweepRun | undefined;
  let identical = true;
  for (let r = 0; r < rounds; r++) {
    const a = await runSweepProcess(1, file, nodeFlags);
    const b = await runSweepProcess(2, file, nodeFlags);
    const c = await runSweepProcess(undefined, file, nodeFlags);
    identical &&= a.results === b.results && a.results === c.results && (one === undefined || one.results === a.results);
    if (!one || a.cpu < one.cpu) one = a;
    if (!two || b.cpu < two.cpu) two = b;
    if (!auto || c.wall < auto.wall) auto = c;
  }
  // The busiest worker thread: of the threads other than the main one, the busiest (V8's helper threads do less).
  const criticalPath = Math.max(two!.mainCpu, two!.threadCpu[0] ?? 0);
  const speedupBound = Math.max(one!.mainCpu, one!.cpu / 2) / Math.max(criticalPath, two!.cpu / 2);
  return { one: one!, two: two!, auto: auto!, autoSpeedup: one!.wall / auto!.wall, speedup: one!.wall / two!.wall, overhead: two!.cpu / one!.cpu, criticalPath, speedupBound, identical };
}

if (process.argv[1] && /bench[\\/]sweep\.ts$/.test(process.argv[1])) {
  const i = process.argv.indexOf("--rounds");
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 2;
  const j = process.argv.indexOf("--file");
  const file = j >= 0 ? resolvePath(process.argv[j + 1]) : SWEEP;
  // Node or V8 flags for both processes (e.g. --node-flags=--no-concurrent-recompilation), to compare runtimes' settings.
  const nodeFlags = process.argv.filter((a) => a.startsWith("--node-flags=")).flatMap((a) => a.slice("--node-flags=".length).split(" ").filter(Boolean));
  console.log(`impactsim sweep bench on ${cpus()[0]?.model ?? "?"} x${cpus().length}, Node ${process.version}: ${relative(process.cwd(), file)} (${variantCount(file)} variants), bundle, best of ${rounds} alternated`);
  if (nodeFlags.length > 0) console.log(`  node flags: ${nodeFlags.join(" ")}`);
  const b = await benchSweep(rounds, file, nodeFlags);
  const f = (x: number) => x.toFixed(2);
  console.log(`  1 worker (in-process)  wall ${f(b.one.wall)} s  CPU ${f(b.one.cpu)} s  main thread ${f(b.one.mainCpu)} s  busiest other threads ${b.one.threadCpu.slice(0, 4).map(f).join(", ")} s`);
  console.log(`  2 workers (threads)    wall ${f(b.two.wall)} s  CPU ${f(b.two.cpu)} s  main thread ${f(b.two.mainCpu)} s  busiest threads ${b.two.threadCpu.slice(0, 4).map(f).join(", ")} s`);
  console.log(`  default lanes          wall ${f(b.auto.wall)} s  CPU ${f(b.auto.cpu)} s  (threads start once the work left repays them)`);
  console.log(`  speed-up (wall, depends on the load)        ${f(b.speedup)}x; default lanes ${f(b.autoSpeedup)}x`);
  console.log(`  parallel overhead (CPU 2 workers / 1)       ${f(b.overhead)}x`);
  console.log(`  critical path (main or busiest worker, CPU) ${f(b.criticalPath)} s`);
  console.log(`  speed-up bound on 2 idle cores              ${f(b.speedupBound)}x`);
  console.log(`  results identical: ${b.identical ? "yes" : "NO"}`);
  if (!b.identical) process.exitCode = 1;
}
