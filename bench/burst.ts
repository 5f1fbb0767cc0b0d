/**
 * A burst of queued jobs: the first N jobs of the KTH-SP2 trace all submitted
 * at time 0, under EASY, whole process, beside the pure-Python EASY peer
 * (../shared/peers/easy-swf, --normalise walltime: impactsim's SWF semantics)
 * on the same file, runs alternated, the least wall time of each kept (the
 * machine's speed drifts: only the ratio of one run carries over). Both are
 * quadratic without an index of the queue; issue 13 asks impactsim to be at
 * least 10x faster. Figures, never pass/fail.
 *
 * Usage: npx tsx bench/burst.ts [jobs=20000] [runs=3] [bundle=dist/impactsim.mjs]
 * (run `npm run build` first for the default bundle.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { shippedPath } from "../src/io/paths.js";

const KTH = shippedPath("../shared/data/traces/KTH-SP2-1996-2.1-cln.swf.gz");
const PEER = shippedPath("../shared/peers/easy-swf/easy_swf.py");

/** Writes the burst trace (the header kept, every submit time 0) and returns its path. */
export function burstTrace(jobs: number): string {
  const out = shippedPath(`results/burst-${jobs}.swf`);
  if (existsSync(out)) return out;
  const lines = gunzipSync(readFileSync(KTH)).toString("utf8").split("\n");
  const header = lines.filter((l) => l.startsWith(";"));
  const rows = lines.filter((l) => l.trim() !== "" && !l.startsWith(";")).slice(0, jobs);
  if (rows.length < jobs) throw new Error(`${KTH} has ${rows.length} jobs, fewer than ${jobs}`);
  const burst = rows.map((l) => {
    const f = l.trim().split(/\s+/);
    f[1] = "0";
    return f.join(" ");
  });
  mkdirSync(shippedPath("results"), { recursive: true });
  writeFileSync(out, [...header, ...burst].join("\n") + "\n");
  return out;
}

function seconds(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const p = spawnSync(cmd, args, { encoding: "utf8" });
  if (p.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${p.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** Least wall times of impactsim and of the peer over `runs` alternated runs, s. */
export function benchBurst(jobs: number, runs: number, bundle = shippedPath("dist/impactsim.mjs")): { impactsim: number; peer: number } {
  const trace = burstTrace(jobs);
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build first`);
  let impactsim = Infinity;
  let peer = Infinity;
  for (let r = 0; r < runs; r++) {
    impactsim = Math.min(impactsim, seconds(process.execPath, [bundle, "run", "--workload", trace, "--policy", "easy", "--summary-only", "--quiet", "--out", shippedPath("results/bench-burst")]));
    peer = Math.min(peer, seconds("python3", [PEER, trace, "--normalise", "walltime"]));
  }
  return { impactsim, peer };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const jobs = Number(process.argv[2] ?? 20_000);
  const runs = Number(process.argv[3] ?? 3);
  const { impactsim, peer } = benchBurst(jobs, runs, process.argv[4]);
  console.log(`${jobs.toLocaleString("en")}-job burst under EASY, whole process (least of ${runs}): impactsim ${impactsim.toFixed(2)} s, Python peer ${peer.toFixed(2)} s: ${(peer / impactsim).toFixed(1)}x`);
}
