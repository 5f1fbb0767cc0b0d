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
import { JOULES_PER_KWH } from "../core/index.js";
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
  /** Null where the result lacks it. */
  cc_kgco2eq: number | null;
  energy_kwh: number | null;
}

export interface SweepGroupRow {
  group: number;
  label: string;
  runs: number;
  failed: number;
  /** Replicas behind the means and intervals (0 without figures). */
  n: number;
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
    const cc = r.summary?.impacts?.CC?.total;
    const energy = r.summary?.energy_j?.facility;
    variants.push({
      index: r.index,
      group: r.group,
      replica: finite(r.replica) ? r.replica : 0,
      seed: finite(r.seed) ? r.seed : null,
      label: valuesLabel(r.values),
      wait_h: wait / 3600,
      score_pt: score,
      cc_kgco2eq: finite(cc) ? cc : null,
      energy_kwh: finite(energy) ? energy / JOULES_PER_KWH : null,
    });
  }
  const groups: SweepGroupRow[] = (Array.isArray(summary?.groups) ? summary.groups : [])
    .filter((g) => g && finite(g.group))
    .map((g) => ({
      group: g.group,
      label: valuesLabel(g.values),
      runs: finite(g.runs) ? g.runs : 0,
      failed: finite(g.failed) ? g.failed : 0,
      n: finite(g.metrics?.single_score_pt?.n) ? g.metrics.single_score_pt.n : 0,
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
const est = (e: DisplayEstimate | null, n = 0) =>
  e === null ? "n/a" : e.lo === null || e.hi === null ? num(e.mean) : `${num(e.mean)} ± ${num((e.hi - e.lo) / 2)}${n === 2 ? " †" : ""}`;

/** Student's t(0.975, 1): a 95 % interval from two runs is 12.7 times their standard error wide on each side. */
const T_975_1 = 12.706;

/** A warning when some groups have two replicas (an interval that says little) or one (no interval). */
export function replicasWarning(groups: readonly SweepGroupRow[]): string {
  const two = groups.filter((g) => g.n === 2).map((g) => g.group);
  const one = groups.filter((g) => g.n === 1).map((g) => g.group);
  const parts: string[] = [];
  const list = (ids: number[]) => `${ids.length === 1 ? "Group" : "Groups"} ${ids.join(", ")}`;
  if (two.length) {
    parts.push(
      `${list(two)} ${two.length === 1 ? "has" : "have"} 2 runs: a 95 % interval from two runs is ±${T_975_1} standard errors (Student's t with one degree of freedom), so it is too wide to compare groups, and a zero width only means the two runs agreed. These intervals are marked † in the table and drawn dashed.`,
    );
  }
  if (one.length) parts.push(`${list(one)} ${one.length === 1 ? "has" : "have"} one run: no interval at all.`);
  if (parts.length === 0) return "";
  return `${parts.join(" ")} Run 5 or more replicas per group (a sweep's "seed": {"replicas": N}) for intervals worth reading.`;
}

function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function groupTable(groups: readonly SweepGroupRow[]): string {
  if (groups.length === 0) return '<p class="missing">summary.json is missing or has no groups: no group table.</p>';
  const rows = groups
    .map((g) => `<tr><td>${g.group}</td><td>${esc(g.label)}</td><td>${g.runs}${g.failed ? ` (${g.failed} failed)` : ""}</td><td>${est(g.wait_h, g.n)}</td><td>${est(g.score_pt, g.n)}</td><td>${est(g.cc_kgco2eq, g.n)}</td><td>${est(g.energy_kwh, g.n)}</td><td>${g.on_front ? "yes" : ""}</td></tr>`)
    .join("");
  return `<table id="sweep-groups"><tr><th>group</th><th>values</th><th>runs</th><th>mean wait (h)</th><th>single score (Pt)</th><th>CC (kg CO2 eq)</th><th>facility energy (kWh)</th><th>on front</th></tr>${rows}</table><p class="note">Means ± the half-width of their 95 % interval over the replicas of each group${groups.some((g) => g.n === 2) ? "; †: from two runs only (see the warning above)" : ""}.</p>`;
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
  const warning = replicasWarning(data.groups);
  const headline = `<p>${data.variants.length} variant(s) drawn${data.failed ? `, ${data.failed} failed or without figures (left out)` : ""}, ${data.groups.length} group(s)${front.length ? `; on the Pareto front of the group means: group(s) ${front.join(", ")}` : ""}.${data.interval ? ` Intervals: ${esc(data.interval)}.` : ""}</p>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${PAGE_CSS}${SWEEP_CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
${headline}
${missing.length ? `<p class="missing">Missing from ${esc(d)}: ${missing.map(esc).join(", ")}; their parts are left out.</p>` : ""}
${warning ? `<p class="warning" id="replicas-warning">⚠ ${esc(warning)}</p>` : ""}
<h2>Trade-off: mean wait against single score</h2>
<p class="note">One filled dot per variant, coloured by group (variants of a group differ only by seed), drawn over a ring for the group mean; where runs coincide, a label says how many. Each mean's 95 % interval is drawn as error bars in both axes, cut at the chart's edge with an arrow where it reaches beyond (the axes fit the runs, not the intervals). Group means on the Pareto front (both figures minimised) are ringed in black and joined by a dashed line. Hover a dot for its values.</p>
<div id="chart-tradeoff" class="chart"></div>
<h2>Groups</h2>
${groupTable(data.groups)}
<h2>Replicas per group and figure</h2>
<p class="note">Each group's runs on each of the four figures: one dot per replica, a bar for the group mean and a line for its 95 % interval (cut at the panel's edge with an arrow where it reaches beyond). Runs that coincide are labelled with their count.</p>
<div id="chart-groups" class="chart"></div>
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

/** The sweep page's own style: the warning about too few replicas. */
const SWEEP_CSS = `
.warning { color: #7a4a00; background: #fff4dd; border-left: 4px solid #e0a000; padding: .5em .8em; }
`;

/** The browser script: the trade-off chart and the per-figure strips, drawn inside guards (a note instead of an exception). */
export const SWEEP_JS = String.raw`
(function () {
  "use strict";
${PAGE_HELPERS_JS}
  function est(e) { return e === null ? "n/a" : fmt(e.mean) + (e.lo !== null && e.hi !== null ? " [" + fmt(e.lo) + ", " + fmt(e.hi) + "]" : ""); }
  // Axes fit the runs and the means; an interval reaching beyond is cut at the edge, with an arrow there.
  function domain(a) { var lo = d3.min(a), hi = d3.max(a), pad = (hi - lo) * 0.08 || Math.abs(lo) * 0.05 || 1; return [lo - pad, hi + pad]; }
  function span(scale, lo, hi) { var d = scale.domain(); return { a: scale(Math.max(lo, d[0])), b: scale(Math.min(hi, d[1])), cutLo: lo < d[0], cutHi: hi > d[1] }; }
  // A small arrowhead at (x, y) pointing along (dx, dy), marking an interval cut at the chart's edge.
  function arrow(g, x, y, dx, dy, colour) {
    var s = 6, px = -dy, py = dx;
    g.append("path").attr("class", "ci-cut").attr("fill", colour)
      .attr("d", "M" + (x + dx * s) + "," + (y + dy * s) + "L" + (x + px * s * 0.6) + "," + (y + py * s * 0.6) + "L" + (x - px * s * 0.6) + "," + (y - py * s * 0.6) + "Z");
  }
  // Runs drawn at the same pixel (a seed that changes nothing gives identical replicas) are counted, so a label can say so.
  function coincident(points, px, py) {
    var m = new Map();
    points.forEach(function (p) { var k = Math.round(px(p)) + "," + Math.round(py(p)); m.set(k, (m.get(k) || []).concat([p])); });
    return Array.from(m.values()).filter(function (ps) { return ps.length > 1; });
  }
  var V = DATA.variants || [];
  var G = (DATA.groups || []).filter(function (g) { return g.wait_h !== null && g.score_pt !== null; });
  var labelOf = {};
  V.forEach(function (v) { labelOf[v.group] = v.label; });
  G.forEach(function (g) { labelOf[g.group] = g.label; });
  var keys = Object.keys(labelOf).map(Number).sort(function (a, b) { return a - b; });
  var colour = d3.scaleOrdinal(keys, d3.schemeTableau10.concat(d3.schemeSet3));

  guard("chart-tradeoff", V.length > 0, "results.jsonl is missing or has no variant with figures: no trade-off chart.", function (root) {
    legend(root, keys.map(function (k) { return { color: colour(k), label: "group " + k + ": " + labelOf[k], round: true }; })
      .concat([{ color: "#fff", border: "2px solid #888", label: "ring: group mean", round: true }])
      .concat(G.some(function (g) { return g.on_front; }) ? [{ color: "#fff", border: "2px solid #000", label: "black ring: on the Pareto front of the group means", round: true }] : []));
    var W = 1000, H = 400, M = { l: 70, r: 20, t: 10, b: 46 }, w = W - M.l - M.r;
    var xs = V.map(function (v) { return v.wait_h; }).concat(G.map(function (g) { return g.wait_h.mean; }));
    var ys = V.map(function (v) { return v.score_pt; }).concat(G.map(function (g) { return g.score_pt.mean; }));
    var x = d3.scaleLinear().domain(domain(xs)).nice().range([0, w]);
    var y = d3.scaleLinear().domain(domain(ys)).nice().range([H, 0]);
    var svg = root.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).ticks(8).tickFormat(numTicks(x, 8)))
      .append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 38).attr("text-anchor", "middle").text("mean wait (hours)");
    g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(8).tickFormat(numTicks(y, 8)))
      .append("text").attr("fill", "#222").attr("text-anchor", "middle").attr("transform", "rotate(-90)").attr("x", -H / 2).attr("y", -56).text("single score (Pt)");
    // Pareto front of the group means, joined in order of mean wait.
    var front = G.filter(function (d) { return d.on_front; }).sort(function (a, b) { return a.wait_h.mean - b.wait_h.mean; });
    if (front.length > 1) g.append("path").datum(front).attr("class", "front").attr("fill", "none").attr("stroke", "#000").attr("stroke-width", 1.2).attr("stroke-dasharray", "5,3")
      .attr("d", d3.line().x(function (d) { return x(d.wait_h.mean); }).y(function (d) { return y(d.score_pt.mean); }));
    // Group means: intervals (dashed from two runs) and a ring, under the runs.
    G.forEach(function (d) {
      var c = colour(d.group), dash = d.n === 2 ? "4,3" : null, cx = x(d.wait_h.mean), cy = y(d.score_pt.mean);
      var mg = g.append("g").attr("class", "group-mean");
      if (d.wait_h.lo !== null && d.wait_h.hi !== null) {
        var sx = span(x, d.wait_h.lo, d.wait_h.hi);
        mg.append("line").attr("class", "ci").attr("x1", sx.a).attr("x2", sx.b).attr("y1", cy).attr("y2", cy).attr("stroke", c).attr("stroke-width", 1.5).attr("stroke-dasharray", dash);
        if (sx.cutLo) arrow(mg, sx.a, cy, -1, 0, c);
        if (sx.cutHi) arrow(mg, sx.b, cy, 1, 0, c);
      }
      if (d.score_pt.lo !== null && d.score_pt.hi !== null) {
        var sy = span(y, d.score_pt.lo, d.score_pt.hi);
        mg.append("line").attr("class", "ci").attr("x1", cx).attr("x2", cx).attr("y1", sy.a).attr("y2", sy.b).attr("stroke", c).attr("stroke-width", 1.5).attr("stroke-dasharray", dash);
        if (sy.cutLo) arrow(mg, cx, sy.a, 0, 1, c);
        if (sy.cutHi) arrow(mg, cx, sy.b, 0, -1, c);
      }
      mg.append("circle").attr("class", "mean").attr("cx", cx).attr("cy", cy).attr("r", 9)
        .attr("fill", "#fff").attr("fill-opacity", 0.5).attr("stroke", d.on_front ? "#000" : c).attr("stroke-width", d.on_front ? 2.5 : 2)
        .on("mousemove", function (ev) { showTip(ev, "group " + d.group + (d.on_front ? " (on the Pareto front)" : "") + ": " + d.label + "\n" + d.runs + " run(s)" + (d.failed ? ", " + d.failed + " failed" : "") + "\nmean wait " + est(d.wait_h) + " h\nsingle score " + est(d.score_pt) + " Pt" + (d.n === 2 ? "\n(interval from two runs: see the warning)" : "")); })
        .on("mouseleave", hideTip)
        .append("title").text("group " + d.group + ": " + d.label + "\nmean wait " + est(d.wait_h) + " h, single score " + est(d.score_pt) + " Pt (95 % interval)");
    });
    // Every run, drawn over the means so none hides under its group's ring.
    g.selectAll("circle.variant").data(V).join("circle").attr("class", "variant mark")
      .attr("cx", function (v) { return x(v.wait_h); }).attr("cy", function (v) { return y(v.score_pt); }).attr("r", 4)
      .attr("fill", function (v) { return colour(v.group); }).attr("stroke", "#fff").attr("stroke-width", 0.8)
      .on("mousemove", function (ev, v) { showTip(ev, "variant " + v.index + " (group " + v.group + ", replica " + v.replica + (v.seed !== null ? ", seed " + v.seed : "") + ")\n" + v.label + "\nmean wait " + fmt(v.wait_h) + " h\nsingle score " + fmt(v.score_pt) + " Pt"); })
      .on("mouseleave", hideTip)
      .append("title").text(function (v) { return "variant " + v.index + ": " + v.label + "\nmean wait " + fmt(v.wait_h) + " h, single score " + fmt(v.score_pt) + " Pt"; });
    coincident(V, function (v) { return x(v.wait_h); }, function (v) { return y(v.score_pt); }).forEach(function (ps) {
      g.append("text").attr("class", "lbl stack").attr("x", x(ps[0].wait_h) + 11).attr("y", y(ps[0].score_pt) - 8).attr("fill", "#333").text(ps.length + " runs here");
    });
  });

  // Each figure's replicas per group: where the spread of a group lies, and how its mean and interval sit on it.
  guard("chart-groups", V.length > 0, "results.jsonl is missing or has no variant with figures: no per-group chart.", function (root) {
    var metrics = [
      { v: "wait_h", g: "wait_h", label: "mean wait (h)" },
      { v: "score_pt", g: "score_pt", label: "single score (Pt)" },
      { v: "cc_kgco2eq", g: "cc_kgco2eq", label: "climate change (kg CO2 eq)" },
      { v: "energy_kwh", g: "energy_kwh", label: "facility energy (kWh)" },
    ];
    var byGroup = {};
    (DATA.groups || []).forEach(function (d) { byGroup[d.group] = d; });
    var W = 1000, M = { l: 70, r: 10, t: 18, b: 46 }, gapX = 28, pw = (W - M.l - M.r - 3 * gapX) / 4, rowH = 28, H = keys.length * rowH;
    var svg = root.append("svg").attr("class", "chart-svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    var yb = d3.scaleBand(keys, [0, H]).padding(0.25);
    keys.forEach(function (k) { g.append("text").attr("class", "lbl").attr("x", -8).attr("y", yb(k) + yb.bandwidth() / 2 + 4).attr("text-anchor", "end").attr("fill", colour(k)).text("group " + k).append("title").text(labelOf[k]); });
    metrics.forEach(function (m, i) {
      var panel = g.append("g").attr("class", "strip").attr("transform", "translate(" + i * (pw + gapX) + ",0)");
      var runs = V.filter(function (v) { return v[m.v] !== null && isFinite(v[m.v]); });
      var vals = runs.map(function (v) { return v[m.v]; });
      keys.forEach(function (k) { var e = byGroup[k] && byGroup[k][m.g]; if (e) vals.push(e.mean); });
      if (vals.length === 0) { panel.append("text").attr("class", "lbl").attr("y", H / 2).text(m.label + ": not in the results"); return; }
      var x = d3.scaleLinear().domain(domain(vals)).nice().range([0, pw]);
      panel.append("rect").attr("width", pw).attr("height", H).attr("fill", "#fafafa").attr("stroke", "#eee");
      keys.forEach(function (k) {
        var d = byGroup[k], e = d && d[m.g], c = colour(k), cy = yb(k) + yb.bandwidth() / 2;
        if (e && e.lo !== null && e.hi !== null) {
          var s = span(x, e.lo, e.hi);
          panel.append("line").attr("class", "ci").attr("x1", s.a).attr("x2", s.b).attr("y1", cy).attr("y2", cy).attr("stroke", c).attr("stroke-width", 1.5).attr("stroke-dasharray", d.n === 2 ? "4,3" : null);
          if (s.cutLo) arrow(panel, s.a, cy, -1, 0, c);
          if (s.cutHi) arrow(panel, s.b, cy, 1, 0, c);
        }
        if (e) panel.append("line").attr("class", "mean-bar").attr("x1", x(e.mean)).attr("x2", x(e.mean)).attr("y1", yb(k)).attr("y2", yb(k) + yb.bandwidth()).attr("stroke", "#222").attr("stroke-width", 2)
          .append("title").text("group " + k + " mean: " + est(e) + " " + m.label);
        var mine = runs.filter(function (v) { return v.group === k; });
        panel.selectAll(null).data(mine).join("circle").attr("class", "replica").attr("cx", function (v) { return x(v[m.v]); }).attr("cy", cy).attr("r", 3.5)
          .attr("fill", c).attr("fill-opacity", 0.75).attr("stroke", "#fff").attr("stroke-width", 0.6)
          .append("title").text(function (v) { return "variant " + v.index + " (replica " + v.replica + "): " + fmt(v[m.v]) + " " + m.label; });
        coincident(mine, function (v) { return x(v[m.v]); }, function () { return cy; }).forEach(function (ps) {
          panel.append("text").attr("class", "lbl stack").attr("x", x(ps[0][m.v]) + 6).attr("y", cy - 6).attr("fill", "#333").text("×" + ps.length);
        });
      });
      panel.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).ticks(4).tickFormat(numTicks(x, 4)))
        .append("text").attr("fill", "#222").attr("x", pw / 2).attr("y", 36).attr("text-anchor", "middle").text(m.label);
    });
  });
})();
`;
