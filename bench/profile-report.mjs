// Where a run's CPU time or allocation goes, by source function: reads a V8
// CPU profile (node --cpu-prof) or a sampling heap profile (bench/alloc.mjs)
// of the bundle and maps each frame to src/ through dist/'s source maps.
// Usage: node bench/profile-report.mjs FILE.cpuprofile|FILE.heapprofile [top=30]
// Figures, never pass/fail; on a busy machine prefer allocation (the same
// from run to run) to CPU time.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sourceMap from "source-map-js";

const consumers = new Map();

/** "file.ts:line name" of a call frame in a dist/ file with a source map, else "name url:line". */
export function frameName(cf) {
  const url = cf.url ?? "";
  let consumer = consumers.get(url);
  if (consumer === undefined) {
    consumer = null;
    if (url.includes("/dist/")) {
      try {
        consumer = new sourceMap.SourceMapConsumer(JSON.parse(readFileSync(fileURLToPath(url) + ".map", "utf8")));
      } catch {
        // no map beside it: named by the bundle's position
      }
    }
    consumers.set(url, consumer);
  }
  const at = consumer?.originalPositionFor({ line: cf.lineNumber + 1, column: cf.columnNumber });
  if (at?.source) return `${at.source.split("/").slice(-2).join("/")}:${at.line}${cf.functionName ? ` ${cf.functionName}` : ""}`;
  return `${cf.functionName || "(anonymous)"} ${url.split("/").slice(-1)[0]}:${cf.lineNumber + 1}`;
}

/** Self cost by function of a CPU profile (seconds) or a heap profile (bytes), largest first. */
export function selfCost(profile) {
  const by = new Map();
  const add = (cf, v) => {
    const k = frameName(cf);
    by.set(k, (by.get(k) ?? 0) + v);
  };
  if (profile.head) {
    const walk = (n) => {
      if (n.selfSize) add(n.callFrame, n.selfSize);
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
  } else {
    const node = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) add(node.get(profile.samples[i]).callFrame, profile.timeDeltas[i] / 1e6);
  }
  return [...by].sort((a, b) => b[1] - a[1]);
}

/** The report's lines: total, then the top functions with their share. */
export function report(profile, top = 30) {
  const rows = selfCost(profile);
  const total = rows.reduce((s, [, v]) => s + v, 0);
  const unit = profile.head ? (v) => `${(v / 1e6).toFixed(1)} MB` : (v) => `${v.toFixed(2)} s`;
  return [`total ${unit(total)}`, ...rows.slice(0, top).map(([k, v]) => `${unit(v).padStart(10)} ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: node bench/profile-report.mjs FILE.cpuprofile|FILE.heapprofile [top=30]\n");
    process.exit(2);
  }
  process.stdout.write(report(JSON.parse(readFileSync(file, "utf8")), Number(top ?? 30)).join("\n") + "\n");
}
