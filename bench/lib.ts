import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { shippedPath } from "../src/io/paths.js";

/** Shared by the benchmarks: the best (least) wall time of several runs of `f`, in ms, and its last value. */
export function bestOf<T>(runs: number, f: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = f();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, value };
}

/** A workload a benchmark runs: its name in the figures and its SWF file. */
export interface NamedWorkload {
  readonly name: string;
  readonly path: string;
}

/**
 * Least CPU seconds (user + system, bench/measure.mjs) of whole --summary-only
 * runs of the bundle under `policy` and under EASY on each workload, the two
 * alternated `runs` times. Figures, never pass/fail.
 */
export function againstEasy(policy: string, workloads: readonly NamedWorkload[], runs: number, bundle: string): { workload: string; policy: number; easy: number }[] {
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build first`);
  const cpu = (workload: string, p: string): number => {
    const args = [shippedPath("bench/measure.mjs"), bundle, "run", "--workload", workload, "--policy", p, "--summary-only", "--quiet", "--out", shippedPath(`results/bench-${p}`)];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`impactsim ${args.slice(2).join(" ")} failed: ${r.stderr}`);
    return (JSON.parse(r.stdout.trim().split("\n").pop()!) as { cpu_s: number }).cpu_s;
  };
  return workloads.map(({ name, path }) => {
    let least = Infinity;
    let easy = Infinity;
    for (let r = 0; r < runs; r++) {
      easy = Math.min(easy, cpu(path, "easy"));
      least = Math.min(least, cpu(path, policy));
    }
    return { workload: name, policy: least, easy };
  });
}
