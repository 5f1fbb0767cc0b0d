/**
 * Network throughput: 100,000 transfers over 6 links with random sizes
 * (log-uniform, 1 kB to 10 GB) and random starts, driven as the simulator
 * would (advance to the earlier of the next start and nextEvent()). Two loads:
 * 0.9 of each link's capacity (few transfers active at once), and 1.5
 * (overloaded: the active set grows to thousands per link). Prints transfers/s
 * (best of the runs). Usage: npx tsx bench/network.ts [transfers] [runs]
 */
import { cpus } from "node:os";
import { Network, type LinkSpecRuntime } from "../src/sim/network.js";

const N = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);

const links: LinkSpecRuntime[] = [
  { bandwidth: 1.25e9, latency: 1e-4 },
  { bandwidth: 1.25e9, latency: 5e-3 },
  { bandwidth: 1.25e10, latency: 1e-3 },
  { bandwidth: 1.25e8, latency: 2e-2 },
  { bandwidth: 2.5e9, latency: 0 },
  { bandwidth: 1e9, latency: 5e-2 },
];

/** A small deterministic generator (LCG), so every run sees the same workload. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Workload {
  readonly link: Int32Array;
  readonly bytes: Float64Array;
  readonly at: Float64Array;
}

/** Transfers sorted by start; starts uniform over each link's horizon, sized so the link's load is `load`. */
function workload(load: number): Workload {
  const rnd = lcg(42);
  const link = new Int32Array(N);
  const bytes = new Float64Array(N);
  const total = new Float64Array(links.length);
  for (let i = 0; i < N; i++) {
    link[i] = Math.floor(rnd() * links.length);
    bytes[i] = Math.round(1e3 * 10 ** (7 * rnd()));
    total[link[i]] += bytes[i];
  }
  const raw = Array.from({ length: N }, (_, i) => ({
    link: link[i],
    bytes: bytes[i],
    at: rnd() * (total[link[i]] / (load * links[link[i]].bandwidth)),
  })).sort((a, b) => a.at - b.at);
  return {
    link: Int32Array.from(raw, (x) => x.link),
    bytes: Float64Array.from(raw, (x) => x.bytes),
    at: Float64Array.from(raw, (x) => x.at),
  };
}

interface Result {
  readonly completed: number;
  readonly advances: number;
  readonly peakActive: number;
  readonly end: number;
}

function run(w: Workload): Result {
  const net = new Network(links);
  let i = 0;
  let completed = 0;
  let advances = 0;
  let peakActive = 0;
  let end = 0;
  for (;;) {
    const next = net.nextEvent();
    const t = i < N && w.at[i] < next ? w.at[i] : next;
    if (t === Infinity) break;
    end = t;
    completed += net.advance(t).length;
    advances++;
    while (i < N && w.at[i] === t) {
      net.start(i, w.link[i], w.bytes[i], t);
      i++;
    }
    if ((advances & 1023) === 0) {
      let active = 0;
      for (let l = 0; l < links.length; l++) active += net.active(l);
      if (active > peakActive) peakActive = active;
    }
  }
  if (completed !== N) throw new Error(`bench: ${completed} of ${N} transfers completed`);
  return { completed, advances, peakActive, end };
}

console.log(`network bench: ${N.toLocaleString("en")} transfers over ${links.length} links (${cpus()[0]?.model ?? "unknown cpu"}, Node ${process.version})`);
for (const load of [0.9, 1.5]) {
  const w = workload(load);
  let best = Infinity;
  let result!: Result;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    result = run(w);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(
    `  load ${load}: ${result.advances.toLocaleString("en")} advances, peak ~${result.peakActive.toLocaleString("en")} active, ` +
      `last completion at ${result.end.toFixed(0)} s; best of ${runs}: ${best.toFixed(1)} ms, ` +
      `${Math.round(N / (best / 1000)).toLocaleString("en")} transfers/s`,
  );
}
