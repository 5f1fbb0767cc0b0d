// Peak memory against trace length (issue 13: "memory for x8 at most 200 MB and
// flat in trace length (measure a 911k-job trace)"). Derives KTH-SP2 x8 and
// x32 (911,232 jobs) from the shipped 28,476-job log the way
// ../shared/data/SOURCES.md says x8 was made: the log repeated, each copy
// shifted by the log's span plus one day, job numbers and preceding-job numbers
// renumbered (the derived x8's job lines equal the shipped x8's). Runs each through the bundle, summary only and with the default
// outputs, and prints CPU seconds and peak resident memory of the whole process.
//
//   npx tsx bench/memory.ts [--copies 8,32]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { shippedPath } from "../src/io/paths.js";

const SOURCE = shippedPath("../shared/data/traces/KTH-SP2-1996-2.1-cln.swf.gz");
const DAY = 86_400;

/** The log repeated `copies` times (SOURCES.md's recipe for KTH-SP2-x8-scale), gzipped into dir; returns its path and job count. */
export function scaledTrace(copies: number, dir: string): { path: string; jobs: number } {
  const lines = gunzipSync(readFileSync(SOURCE)).toString("utf8").split("\n");
  const header = lines.filter((l) => l.startsWith(";") && !/^;\s*Max(Jobs|Records):/.test(l));
  const jobs = lines.filter((l) => !l.startsWith(";") && l.trim() !== "").map((l) => l.trim().split(/\s+/));
  // SWF fields: 1 job number, 2 submit time (seconds from the log's start), 17 preceding job number (-1 when none).
  // The log's span is its last submit time, from its start at 0; jobs are numbered 1, 2, ... over all copies.
  const span = Math.max(...jobs.map((f) => Number(f[1])));
  const number = new Map(jobs.map((f, i) => [f[0], i + 1]));
  const out: string[] = [`; Scale-test trace derived by bench/memory.ts: the KTH-SP2 cleaned log repeated ${copies} times, each copy`, `; shifted by ${span + DAY} s (the log's span plus one day), jobs renumbered. For benchmarks only, not a real workload.`, ...header];
  for (let c = 0; c < copies; c++) {
    const shift = c * (span + DAY);
    const offset = c * jobs.length;
    jobs.forEach((f, i) => {
      const g = f.slice();
      g[0] = String(i + 1 + offset);
      g[1] = String(Number(f[1]) + shift);
      const preceding = number.get(f[16]);
      if (preceding !== undefined) g[16] = String(preceding + offset);
      out.push(g.join(" "));
    });
  }
  const path = join(dir, `KTH-SP2-x${copies}.swf.gz`);
  writeFileSync(path, gzipSync(out.join("\n") + "\n", { level: 1 }));
  return { path, jobs: copies * jobs.length };
}

interface Measured {
  cpu: number;
  maxRssMb: number;
}

function measure(args: readonly string[]): Measured {
  const p = spawnSync(process.execPath, [shippedPath("bench/measure.mjs"), shippedPath("dist/impactsim.mjs"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`impactsim ${args.join(" ")} failed: ${p.stderr}`);
  const m = JSON.parse(p.stdout.trim().split("\n").pop()!) as { cpu_s: number; max_rss_kb: number };
  return { cpu: m.cpu_s, maxRssMb: m.max_rss_kb / 1024 };
}

/** Peak memory and CPU per copy count, summary only and default outputs. */
export function benchMemory(copies: readonly number[]): { copies: number; jobs: number; summary: Measured; defaults: Measured }[] {
  const dir = join(tmpdir(), `impactsim-bench-memory-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    return copies.map((c) => {
      const { path, jobs } = scaledTrace(c, dir);
      const run = (...more: string[]) => ["run", "--workload", path, "--quiet", "--out", join(dir, "out"), ...more];
      const summary = measure(run("--summary-only"));
      const defaults = measure(run());
      rmSync(join(dir, "out"), { recursive: true, force: true });
      rmSync(path, { force: true });
      return { copies: c, jobs, summary, defaults };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(SOURCE)) {
    console.log(`skipped: ${SOURCE} not present`);
    process.exit(0);
  }
  const at = process.argv.indexOf("--copies");
  const copies = at > 0 ? process.argv[at + 1].split(",").map(Number) : [8, 32];
  execFileSync(process.execPath, [shippedPath("scripts/build.mjs")], { stdio: "inherit" });
  const rows = benchMemory(copies);
  for (const r of rows) {
    console.log(`KTH x${r.copies} (${r.jobs.toLocaleString("en")} jobs): summary only ${r.summary.cpu.toFixed(2)} s CPU, ${r.summary.maxRssMb.toFixed(0)} MB; default outputs ${r.defaults.cpu.toFixed(2)} s CPU, ${r.defaults.maxRssMb.toFixed(0)} MB`);
  }
  if (rows.length > 1) {
    const [a, b] = [rows[0], rows[rows.length - 1]];
    console.log(`peak memory x${b.copies} / x${a.copies} (trace ${(b.jobs / a.jobs).toFixed(0)}x longer): summary only ${(b.summary.maxRssMb / a.summary.maxRssMb).toFixed(2)}x, default outputs ${(b.defaults.maxRssMb / a.defaults.maxRssMb).toFixed(2)}x`);
  }
}
