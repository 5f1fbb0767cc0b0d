/**
 * Self-contained HTML report of a sweep folder (results.jsonl, summary.json,
 * sweep.json written by `impactsim sweep`): a trade-off scatter of every
 * variant (mean wait against single score) with the group means, their 95 %
 * intervals as error bars in both axes and the Pareto front of the means,
 * and a table of the groups. d3, the data and the CSS are inlined as in the
 * run report (runReport.ts), so the file opens offline.
 *
 * sweep/ sits above report/ in the layers, so the sweep's files are read here
 * as plain JSON with the few fields the report needs, not through src/sweep.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { JOULES_PER_KWH } from "../core/units.js";
import { PAGE_CSS, PAGE_HELPERS_JS } from "./page.js";
import { d3MinSource } from "./runReport.js";

/** Files of a sweep folder (as named by src/sweep/runSweep.ts). */
export const SWEEP_FILES = { manifest: "sweep.json", results: "results.jsonl", summary: "summary.json" } as const;

/** A folder is a sweep folder when it has results.jsonl and sweep.json. */
export function isSweepFolder(dir: string): boolean {
  return existsSync(join(dir, SWEEP_FILES.results)) && existsSync(join(dir, SWEEP_FILES.manifest));
}

type Values = Readonly<Record<string, unknown>>;

/** The fields of a results.jsonl line the report uses. */
interface ResultLine {
  index: number;
  group: number;
  replica: number;
  values: Values;
  seed?: number;
  summary?: { mean_wait_s?: number; single_score?: { total_pt?: number }; impacts?: { CC?: { total?: number } }; energy_j?: { facility?: number } };
  error?: { name?: string; message?: string };
}

/** An estimate of summary.json (stats.ts's Estimate). */
interface EstimateJson {
  n: number;
  mean: number;
  half_width: number | null;
  ci95: readonly [number, number] | null;
}

/** A group of summary.json (stats.ts's GroupSummary). */
interface GroupJson {
  group: number;
  values: Values;
  runs: number;
  failed: number;
  metrics: Record<"mean_wait_s" | "single_score_pt" | "cc_kgco2eq" | "energy_facility_j", EstimateJson> | null;
  on_front: boolean;
}

interface SummaryJson {
  variants?: number;
  failed?: number;
  interval?: string;
  groups?: GroupJson[];
}

/** Mean with its 95 % interval in display units; lo/hi null with one replica. */
export interface DisplayEstimate {
  mean: number;
  lo: number | null;
  hi: number | null;
}

export interface SweepVariantPoint {
  index: number;
  group: number;
  replica: number;
  seed: number | null;
  label: string;
  wait_h: number;
  score_pt: number;
}

export interface SweepGroupRow {
  group: number;
  label: string;
  runs: number;
  failed: number;
  wait_h: DisplayEstimate | null;
  score_pt: DisplayEstimate | null;
  cc_kgco2eq: DisplayEstimate | null;
  energy_kwh: DisplayEstimate | null;
  on_front: boolean;
}

export interface SweepReportData {
  name: string | null;
  variants: SweepVariantPoint[];
  /** Variants that failed or lack the two figures. */
  failed: number;
  groups: SweepGroupRow[];
  interval: string | null;
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** "k=v, k=v" of a variant's values (strings bare, everything else as JSON). */
export function valuesLabel(values: Values | undefined): string {
  const entries = Object.entries(values ?? {});
  if (entries.length === 0) return "(base)";
  return entries.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(", ");
}

function display(e: EstimateJson | undefined, scale: number): DisplayEstimate | null {
  if (!e || !finite(e.mean)) return null;
  const ci = e.ci95 && finite(e.ci95[0]) && finite(e.ci95[1]) ? e.ci95 : null;
  return { mean: e.mean / scale, lo: ci ? ci[0] / scale : null, hi: ci ? ci[1] / scale : null };
}

async function readJson<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The parsable lines of results.jsonl (others, such as a truncated last line, are skipped). */
async function readResults(path: string): Promise<ResultLine[] | undefined> {
  if (!existsSync(path)) return undefined;
  return (await readFile(path, "utf8")).split("\n").flatMap((line) => {
    if (line.trim() === "") return [];
    try {
      const r = JSON.parse(line) as ResultLine;
      return r && typeof r === "object" && finite(r.index) && finite(r.group) ? [r] : [];
    } catch {
      return [];
    }
  });
}

/** The report's data from the parsed files; missing files give empty parts, never an exception. */
export function sweepReportData(results: readonly ResultLine[] | undefined, summary: SummaryJson | undefined, name: string | null = null): SweepReportData {
  const variants: SweepVariantPoint[] = [];
  let failed = 0;
  for (const r of [...(results ?? [])].sort((a, b) => a.index - b.index)) {
    const wait = r.summary?.mean_wait_s;
    const score = r.summary?.single_score?.total_pt;
    if (!finite(wait) || !finite(score)) {
      failed++;
      continue;
    }
    variants.push({ index: r.index, group: r.group, replica: finite(r.replica) ? r.replica : 0, seed: finite(r.seed) ? r.seed : null, label: valuesLabel(r.values), wait_h: wait / 3600, score_pt: score });
  }
  const groups: SweepGroupRow[] = (Array.isArray(summary?.groups) ? summary.groups : [])
    .filter((g) => g && finite(g.group))
    .map((g) => ({
      group: g.group,
      label: valuesLabel(g.values),
      runs: finite(g.runs) ? g.runs : 0,
      failed: finite(g.failed) ? g.failed : 0,
      wait_h: display(g.metrics?.mean_wait_s, 3600),
      score_pt: display(g.metrics?.single_score_pt, 1),
      cc_kgco2eq: display(g.metrics?.cc_kgco2eq, 1),
      energy_kwh: display(g.metrics?.energy_facility_j, JOULES_PER_KWH),
      on_front: g.on_front === true,
    }));
  return { name, variants, failed, groups, interval: typeof summary?.interval === "string" ? summary.interval : null };
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number, digits = 4) => (!Number.isFinite(x) ? "n/a" : x !== 0 && (Math.abs(x) >= 1e7 || Math.abs(x) < 1e-3) ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toLocaleString("en-GB"));
const est = (e: DisplayEstimate | null) => (e === null ? "n/a" : e.lo === null || e.hi === null ? num(e.mean) : `${num(e.mean)} ± ${num((e.hi - e.lo) / 2)}`);

function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function groupTable(groups: readonly SweepGroupRow[]): string {
  if (groups.length === 0) return '<p class="missing">summary.json is missing or has no groups: no group table.</p>';
  const rows = groups
    .map((g) => `<tr><td>${g.group}</td><td>${esc(g.label)}</td><td>${g.runs}${g.failed ? ` (${g.failed} failed)` : ""}</td><td>${est(g.wait_h)}</td><td>${est(g.score_pt)}</td><td>${est(g.cc_kgco2eq)}</td><td>${est(g.energy_kwh)}</td><td>${g.on_front ? "yes" : ""}</td></tr>`)
    .join("");
  return `<table id="sweep-groups"><tr><th>group</th><th>values</th><th>runs</th><th>mean wait (h)</th><th>single score (Pt)</th><th>CC (kg CO2 eq)</th><th>facility energy (kWh)</th><th>on front</th></tr>${rows}</table>`;
}

/** Builds the sweep report's HTML. Missing or unreadable files only leave their parts out, with a note. */
export async function renderSweepReport(dir: string): Promise<string> {
  const d = resolve(dir);
  const manifest = await readJson<{ name?: unknown; variants?: unknown }>(join(d, SWEEP_FILES.manifest));
  const results = await readResults(join(d, SWEEP_FILES.results));
  const summary = await readJson<SummaryJson>(join(d, SWEEP_FILES.summary));
  const name = typeof manifest?.name === "string" ? manifest.name : null;
  const data = sweepReportData(results, summary, name);
  const missing = Object.values(SWEEP_FILES).filter((f) => !existsSync(join(d, f)));
  const title = `impactsim sweep report: ${name ?? d}`;
  const front = data.groups.filter((g) => g.on_front).map((g) => g.group);
  const headline = `<p>${data.variants.length} variant(s) drawn${data.failed ? `, ${data.failed} failed or without figures (left out)` : ""}, ${data.groups.length} group(s)${front.length ? `; on the Pareto front of the group means: group(s) ${front.join(", ")}` : ""}.${data.interval ? ` Intervals: ${esc(data.interval)}.` : ""}</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${PAGE_CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
${headline}
${missing.length ? `<p class="missing">Missing from ${esc(d)}: ${missing.map(esc).join(", ")}; their parts are left out.</p>` : ""}
<h2>Trade-off: mean wait against single score</h2>
<p class="note">One small dot per variant, coloured by group (variants of a group differ only by seed); one large outlined dot per group mean with its 95 % interval as error bars in both axes; group means on the Pareto front (both figures minimised) are ringed in black and joined by a line. Hover a dot for its values.</p>
<div id="chart-tradeoff" class="chart"></div>
<h2>Groups</h2>
${groupTable(data.groups)}
<div id="tooltip"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${d3MinSource().replace(/<\/script/gi, "<\\/script")}</script>
<script>${SWEEP_JS}</script>
</body></html>
`;
}

/**
 * Writes the sweep report to report.html in the sweep folder (or to `file`).
 * @returns the path of the HTML file
 */
export async function writeSweepReport(dir: string, file = join(dir, "report.html")): Promise<string> {
  const html = await renderSweepReport(dir);
  const path = resolve(file);
  await writeFile(path, html);
  return path;
}

/** The browser script: the trade-off chart, drawn inside a guard (a note instead of an exception). */
export const SWEEP_JS = String.raw`
(function () {
  "use strict";
${PAGE_HELPERS_JS}
  function est(e) { return e === null ? "n/a" : fmt(e.mean) + (e.lo !== null && e.hi !== null ? " [" + fmt(e.lo) + ", " + fmt(e.hi) + "]" : ""); }

  guard("chart-tradeoff", DATA.variants && DATA.variants.length > 0, "results.jsonl is missing or has no variant with figures: no trade-off chart.", function (root) {
    var V = DATA.variants;
    var G = (DATA.groups || []).filter(function (g) { return g.wait_h !== null && g.score_pt !== null; });
    var labelOf = {};
    V.forEach(function (v) { labelOf[v.group] = v.label; });
    G.forEach(function (g) { labelOf[g.group] = g.label; });
    var keys = Object.keys(labelOf).map(Number).sort(function (a, b) { return a - b; });
    var colour = d3.scaleOrdinal(keys, d3.schemeTableau10.concat(d3.schemeSet3));
    legend(root, keys.map(function (k) { return { color: colour(k), label: "group " + k + ": " + labelOf[k], round: true }; })
      .concat(G.some(function (g) { return g.on_front; }) ? [{ color: "#fff", border: "2px solid #000", label: "Pareto front of the group means", round: true }] : []));
    var W = 1000, H = 480, M = { l: 70, r: 20, t: 10, b: 46 }, w = W - M.l - M.r;
    // Extents cover variants, means and interval ends.
    var xs = V.map(function (v) { return v.wait_h; }), ys = V.map(function (v) { return v.score_pt; });
    G.forEach(function (g) {
      [g.wait_h.mean, g.wait_h.lo, g.wait_h.hi].forEach(function (x) { if (x !== null && isFinite(x)) xs.push(x); });
      [g.score_pt.mean, g.score_pt.lo, g.score_pt.hi].forEach(function (y) { if (y !== null && isFinite(y)) ys.push(y); });
    });
    function domain(a) { var lo = d3.min(a), hi = d3.max(a), pad = (hi - lo) * 0.05 || Math.abs(lo) * 0.05 || 1; return [lo - pad, hi + pad]; }
    var x = d3.scaleLinear().domain(domain(xs)).nice().range([0, w]);
    var y = d3.scaleLinear().domain(domain(ys)).nice().range([H, 0]);
    var svg = root.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).ticks(8))
      .append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 38).attr("text-anchor", "middle").text("mean wait (hours)");
    g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(8))
      .append("text").attr("fill", "#222").attr("text-anchor", "middle").attr("transform", "rotate(-90)").attr("x", -H / 2).attr("y", -52).text("single score (Pt)");
    // Pareto front of the group means, joined in order of mean wait.
    var front = G.filter(function (d) { return d.on_front; }).sort(function (a, b) { return a.wait_h.mean - b.wait_h.mean; });
    if (front.length > 1) g.append("path").datum(front).attr("class", "front").attr("fill", "none").attr("stroke", "#000").attr("stroke-width", 1.5).attr("stroke-dasharray", "5,3")
      .attr("d", d3.line().x(function (d) { return x(d.wait_h.mean); }).y(function (d) { return y(d.score_pt.mean); }));
    // Every variant.
    g.selectAll("circle.variant").data(V).join("circle").attr("class", "variant mark")
      .attr("cx", function (v) { return x(v.wait_h); }).attr("cy", function (v) { return y(v.score_pt); }).attr("r", 3.5)
      .attr("fill", function (v) { return colour(v.group); }).attr("fill-opacity", 0.6)
      .on("mousemove", function (ev, v) { showTip(ev, "variant " + v.index + " (group " + v.group + ", replica " + v.replica + (v.seed !== null ? ", seed " + v.seed : "") + ")\n" + v.label + "\nmean wait " + fmt(v.wait_h) + " h\nsingle score " + fmt(v.score_pt) + " Pt"); })
      .on("mouseleave", hideTip)
      .append("title").text(function (v) { return "variant " + v.index + ": " + v.label + "\nmean wait " + fmt(v.wait_h) + " h, single score " + fmt(v.score_pt) + " Pt"; });
    // Group means with their 95 % intervals.
    var means = g.selectAll("g.group-mean").data(G).join("g").attr("class", "group-mean");
    means.filter(function (d) { return d.wait_h.lo !== null && d.wait_h.hi !== null; }).append("line").attr("class", "ci")
      .attr("x1", function (d) { return x(d.wait_h.lo); }).attr("x2", function (d) { return x(d.wait_h.hi); })
      .attr("y1", function (d) { return y(d.score_pt.mean); }).attr("y2", function (d) { return y(d.score_pt.mean); })
      .attr("stroke", function (d) { return colour(d.group); }).attr("stroke-width", 1.5);
    means.filter(function (d) { return d.score_pt.lo !== null && d.score_pt.hi !== null; }).append("line").attr("class", "ci")
      .attr("x1", function (d) { return x(d.wait_h.mean); }).attr("x2", function (d) { return x(d.wait_h.mean); })
      .attr("y1", function (d) { return y(d.score_pt.lo); }).attr("y2", function (d) { return y(d.score_pt.hi); })
      .attr("stroke", function (d) { return colour(d.group); }).attr("stroke-width", 1.5);
    means.append("circle").attr("class", "mean")
      .attr("cx", function (d) { return x(d.wait_h.mean); }).attr("cy", function (d) { return y(d.score_pt.mean); }).attr("r", 6)
      .attr("fill", function (d) { return colour(d.group); }).attr("stroke", function (d) { return d.on_front ? "#000" : "#fff"; }).attr("stroke-width", function (d) { return d.on_front ? 2.5 : 1.5; })
      .on("mousemove", function (ev, d) { showTip(ev, "group " + d.group + (d.on_front ? " (on the Pareto front)" : "") + ": " + d.label + "\n" + d.runs + " run(s)" + (d.failed ? ", " + d.failed + " failed" : "") + "\nmean wait " + est(d.wait_h) + " h\nsingle score " + est(d.score_pt) + " Pt"); })
      .on("mouseleave", hideTip)
      .append("title").text(function (d) { return "group " + d.group + ": " + d.label + "\nmean wait " + est(d.wait_h) + " h, single score " + est(d.score_pt) + " Pt (95 % interval)"; });
  });
})();
`;
