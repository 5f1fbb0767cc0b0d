/**
 * Self-contained HTML report of a study folder (summary.json written by
 * `impactsim study`): for a lifetime study, cumulative climate change of
 * keeping against replacing year by year (where the lines cross, replacing
 * has paid back), the difference as a function of the grid's intensity and
 * of utilisation with the break-even points marked, footnote 33 on the
 * numbers, and the break-even conditions per category; for a growth study,
 * the options' mean wait against single score with the Pareto front, and
 * their totals. d3, the data and the CSS are inlined, so it opens offline.
 *
 * sweep/ sits above report/ in the layers, so summary.json is read here as
 * plain JSON with the fields the report needs, not through sweep/study.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PAGE_CSS, PAGE_HELPERS_JS } from "./page.js";
import { d3MinSource } from "./runReport.js";

/** A folder is a study folder when it has study.json and summary.json. */
export function isStudyFolder(dir: string): boolean {
  return existsSync(join(dir, "study.json")) && existsSync(join(dir, "summary.json"));
}

type PerIndicator = Record<string, number>;
interface YearJson {
  year: number;
  nodes: number;
  jobs: number;
  mean_wait_s: number;
  utilisation: number;
  energy_facility_kwh: number;
  total: PerIndicator;
  use: PerIndicator;
}
interface PlanJson {
  id: string;
  values: { option: string; rebound?: number; load?: number };
  years: YearJson[];
  totals: { total: PerIndicator; use: PerIndicator; single_score_pt: { total: number }; energy_facility_kwh: number; jobs: number; mean_wait_s: number; node_years: number };
}
interface Footnote {
  a: number;
  b1_t2: number;
  b2_t2p: number;
  replacing_pays: boolean;
  keeping_saves: number;
  a_old: number;
  b1_t1_t2: number;
  fabrication_dominates: boolean;
}
interface BreakEven {
  grid_factor: number | null;
  grid_per_kwh: number | null;
  grid_pays: string;
  remaining_years: number | null;
  premise_life_years: number | null;
  utilisation: number | null;
}
interface ComparisonJson {
  option: string;
  replace_at: number;
  rebound: number;
  load: number;
  t1_years: number;
  t2_years: number;
  delta: Record<string, { embodied: number; use: number; total: number; relative: number | null }>;
  delta_single_score_pt: number;
  footnote33: Record<string, Footnote>;
  break_even: Record<string, BreakEven>;
  from_replacement: { utilisation: { keep: number; replace: number }; mean_wait_s: { keep: number; replace: number }; jobs: { keep: number; replace: number } };
}
interface StudyJson {
  study?: string;
  kind?: "lifetime" | "growth";
  description?: string;
  years?: { from: number; to: number };
  embodied_accounting?: string;
  method?: string[];
  plans?: PlanJson[];
  lifetime?: { group: string; group_nodes: number; group_type: string; successor: { type: string; count: number }; keep_years: number | null; comparisons: ComparisonJson[] };
  growth?: { extra_work: number; from: number; options: { option: string; description: string; nodes_last_year: number; nodes_max: number; node_years: number; mean_wait_s: number; jobs: number; total: PerIndicator; single_score_pt: number; energy_facility_kwh: number; on_front: boolean; versus_reference: { cc_kgco2eq: number; single_score_pt: number; mean_wait_s: number } }[]; front: string[] };
}

/** The 16 categories and PE in file order, with units, for tables. */
const UNITS: Record<string, string> = {
  CC: "kg CO2 eq", ODP: "kg CFC-11 eq", HTC: "CTUh", HTNC: "CTUh", PM: "disease inc.", IR: "kBq U-235 eq", POCP: "kg NMVOC eq", AC: "mol H+ eq",
  EUT: "mol N eq", EUF: "kg P eq", EUM: "kg N eq", ETF: "CTUe", LU: "pt", WU: "m3 world eq", RUMM: "kg Sb eq", RUF: "MJ", PE: "MJ",
};

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number | null | undefined, digits = 4) =>
  x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x !== 0 && (Math.abs(x) >= 1e7 || Math.abs(x) < 1e-3) ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toLocaleString("en-GB");
const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : `${(100 * x).toFixed(1)} %`);
const scriptJson = (x: unknown) => JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

function table(head: readonly string[], rows: readonly (readonly string[])[], id = ""): string {
  return `<table${id ? ` id="${id}"` : ""}><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</table>`;
}

function lifetimeBody(s: StudyJson): string {
  const l = s.lifetime!;
  const cs = l.comparisons;
  const foot = table(
    ["option", "rebound", "load", "t1 / t2 (years)", "a: embodied added (kg)", "b1·t2: keep's use (kg)", "b2·t2': replace's use (kg)", "replacing pays?", "keeping saves (kg)", "a_old: replaced group's embodied (kg)", "b1·(t1+t2): its use (kg)", "fabrication dominates?"],
    cs.map((c) => {
      const f = c.footnote33.CC;
      return [esc(c.option), num(c.rebound), num(c.load), `${c.t1_years} / ${c.t2_years}`, num(f.a), num(f.b1_t2), num(f.b2_t2p), f.replacing_pays ? "<b>yes</b>" : "no", num(f.keeping_saves), num(f.a_old), num(f.b1_t1_t2), f.fabrication_dominates ? "yes" : "<b>no</b>"];
    }),
    "footnote33",
  );
  const first = cs[0];
  const perCategory = first
    ? table(
        ["indicator", "unit", "replace − keep", "relative", "replacing pays?", "grid break-even (per kWh)", "remaining years to pay back", "life at which use = fabrication (years)", "utilisation break-even"],
        Object.keys(first.delta).map((id) => {
          const d = first.delta[id];
          const b = first.break_even[id];
          const grid = b.grid_pays === "always" ? "always pays" : b.grid_pays === "never" ? "never pays" : `${num(b.grid_per_kwh)} (x${num(b.grid_factor, 3)}; pays ${b.grid_pays})`;
          return [id, esc(UNITS[id] ?? ""), num(d.total), pct(d.relative), first.footnote33[id].replacing_pays ? "<b>yes</b>" : "no", grid, num(b.remaining_years, 3), num(b.premise_life_years, 3), b.utilisation === null ? "n/a" : pct(b.utilisation)];
        }),
        "per-category",
      )
    : "";
  return `<p>Replacing group <b>${esc(l.group)}</b> (${l.group_nodes} × ${esc(l.group_type)}) with ${l.successor.count} × ${esc(l.successor.type)}; baseline: ${l.keep_years === null ? "kept for the whole horizon" : `kept ${l.keep_years} years, then renewed with the successor`}. Embodied accounting: ${esc(s.embodied_accounting)}.</p>
<h2>Cumulative climate change, keep against replace</h2>
<p class="note">Total climate change (use + embodied) summed year by year, one line per plan (solid: no rebound; dashed: with rebound). Replacing has paid back where its line falls under keep's.</p>
<div id="chart-cumulative" class="chart"></div>
<h2>Footnote 33 on the numbers (climate change)</h2>
<p class="note">Replacing pays only if b1·t2 &gt; a + b2·t2'. a: what replacing adds in embodied impacts; b1·t2 and b2·t2': use from the replacement year on, keep and replace (whole fleet). The premise "fabrication dominates" compares the replaced group's embodied impacts with its own use over its years in service.</p>
${foot}
<h2>Break-even on the grid</h2>
<p class="note">replace − keep of climate change as the grids' carbon intensity is scaled (every site and year by the same factor, at the simulated schedules); the x axis is the keep plan's mean intensity from the replacement year times that factor. Replacing pays below zero; the dot marks the break-even.</p>
<div id="chart-grid" class="chart"></div>
<h2>Break-even on utilisation</h2>
<p class="note">replace − keep of climate change at each load (workload factor) against the keep plan's utilisation from the replacement year on.</p>
<div id="chart-util" class="chart"></div>
<h2>Every category: ${esc(first?.option ?? "")}, rebound ${num(first?.rebound)}, load ${num(first?.load)}</h2>
<p class="note">The other categories are mostly materials (fabrication). Grid break-even: the per-kWh figure at which replacing breaks even (the factor on today's in brackets); remaining years: the use after replacing that would pay back the embodied impacts added, at the simulated yearly saving; life at which use = fabrication: the replaced group's service life at which its use would equal its embodied impacts (fabrication dominates below it).</p>
${perCategory}`;
}

function growthBody(s: StudyJson): string {
  const g = s.growth!;
  const rows = g.options.map((o) => [
    `${esc(o.option)}${o.on_front ? " *" : ""}`,
    esc(o.description),
    `${o.nodes_last_year} (max ${o.nodes_max})`,
    num(o.node_years),
    num(o.mean_wait_s / 3600),
    num(o.total.CC),
    num(o.single_score_pt),
    num(o.energy_facility_kwh),
    num(o.versus_reference.cc_kgco2eq),
  ]);
  return `<p>Absorbing ${pct(g.extra_work)} more work from ${g.from}. * : on the Pareto front of mean wait and single score.</p>
<h2>Mean wait against single score</h2>
<div id="chart-growth" class="chart"></div>
<h2>Options</h2>
${table(["option", "what", "nodes in the last year", "node-years", "mean wait from " + g.from + " (h)", "CC (kg CO2 eq)", "single score (Pt)", "facility energy (kWh)", "CC vs reference (kg)"], rows, "growth-options")}
<h2>Cumulative climate change</h2>
<div id="chart-cumulative" class="chart"></div>`;
}

/** Builds the study report's HTML from summary.json. */
export async function renderStudyReport(dir: string): Promise<string> {
  const d = resolve(dir);
  const s = JSON.parse(await readFile(join(d, "summary.json"), "utf8")) as StudyJson;
  const title = `impactsim ${s.kind ?? ""} study: ${s.study ?? d}`;
  const plans = (s.plans ?? []).map((p) => ({ id: p.id, values: p.values, years: p.years.map((y) => ({ year: y.year, cc: y.total.CC, wait_h: y.mean_wait_s / 3600 })), score: p.totals.single_score_pt.total, wait_h: p.totals.mean_wait_s / 3600 }));
  const comparisons = (s.lifetime?.comparisons ?? []).map((c) => ({ option: c.option, rebound: c.rebound, load: c.load, dE: c.delta.CC.embodied, dU: c.delta.CC.use, perKwh: c.break_even.CC.grid_per_kwh, factor: c.break_even.CC.grid_factor, util: c.from_replacement.utilisation.keep, dTotal: c.delta.CC.total, meanKwh: c.break_even.CC.grid_factor && c.break_even.CC.grid_per_kwh ? c.break_even.CC.grid_per_kwh / c.break_even.CC.grid_factor : null }));
  const data = { kind: s.kind, plans, comparisons, growth: s.growth?.options.map((o) => ({ option: o.option, wait_h: o.mean_wait_s / 3600, score: o.single_score_pt, on_front: o.on_front })) ?? [] };
  const body = s.kind === "lifetime" && s.lifetime ? lifetimeBody(s) : s.kind === "growth" && s.growth ? growthBody(s) : '<p class="missing">summary.json has no analysis.</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${PAGE_CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>${esc(s.description ?? "")}</p>
${body}
<h2>How the figures are made</h2>
<ul>${(s.method ?? []).map((m) => `<li>${esc(m)}</li>`).join("")}</ul>
<div id="tooltip"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${d3MinSource().replace(/<\/script/gi, "<\\/script")}</script>
<script>${STUDY_JS}</script>
</body></html>
`;
}

/**
 * Writes the study report to report.html in the study folder (or to `file`).
 * @returns the path of the HTML file
 */
export async function writeStudyReport(dir: string, file = join(dir, "report.html")): Promise<string> {
  const path = resolve(file);
  await writeFile(path, await renderStudyReport(dir));
  return path;
}

/** The browser script: line charts with a zero line and marked points, and the growth scatter. */
const STUDY_JS = String.raw`
(function () {
  "use strict";
${PAGE_HELPERS_JS}
  var colour = d3.scaleOrdinal(d3.schemeTableau10);
  // series: [{label, dash, points: [[x, y]], marks: [[x, y, text]]}]
  // xFormat: tick format of the x axis (years want no thousands separator).
  function lines(root, series, xLabel, yLabel, zero, xFormat) {
    var W = 1000, H = 340, M = { l: 80, r: 20, t: 10, b: 46 }, w = W - M.l - M.r;
    var xs = [], ys = zero ? [0] : [];
    series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    var x = d3.scaleLinear().domain(d3.extent(xs)).nice().range([0, w]);
    var y = d3.scaleLinear().domain(d3.extent(ys)).nice().range([H, 0]);
    legend(root, series.map(function (s, i) { return { color: colour(s.key || s.label), label: s.label }; }));
    var svg = root.append("svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(xFormat ? d3.axisBottom(x).tickValues(x.ticks(8).filter(Number.isInteger)).tickFormat(xFormat) : d3.axisBottom(x).ticks(8).tickFormat(numTicks(x, 8)))
      .append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 38).attr("text-anchor", "middle").text(xLabel);
    g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(8).tickFormat(numTicks(y, 8)))
      .append("text").attr("fill", "#222").attr("text-anchor", "middle").attr("transform", "rotate(-90)").attr("x", -H / 2).attr("y", -64).text(yLabel);
    if (zero && y.domain()[0] < 0 && y.domain()[1] > 0) g.append("line").attr("x1", 0).attr("x2", w).attr("y1", y(0)).attr("y2", y(0)).attr("stroke", "#888").attr("stroke-dasharray", "2,2");
    series.forEach(function (s) {
      var c = colour(s.key || s.label);
      g.append("path").datum(s.points).attr("fill", "none").attr("stroke", c).attr("stroke-width", 2).attr("stroke-dasharray", s.dash || null)
        .attr("d", d3.line().x(function (p) { return x(p[0]); }).y(function (p) { return y(p[1]); }));
      g.selectAll(null).data(s.points).join("circle").attr("cx", function (p) { return x(p[0]); }).attr("cy", function (p) { return y(p[1]); }).attr("r", 3).attr("fill", c)
        .on("mousemove", function (ev, p) { showTip(ev, s.label + "\n" + xLabel + ": " + fmt(p[0]) + "\n" + yLabel + ": " + fmt(p[1])); }).on("mouseleave", hideTip);
      (s.marks || []).forEach(function (m) {
        if (m[0] < x.domain()[0] || m[0] > x.domain()[1]) return;
        g.append("circle").attr("cx", x(m[0])).attr("cy", y(m[1])).attr("r", 6).attr("fill", "#fff").attr("stroke", c).attr("stroke-width", 2)
          .on("mousemove", function (ev) { showTip(ev, s.label + ": " + m[2]); }).on("mouseleave", hideTip);
        // Labels on the solid (rebound 0) series only: the dashed ones sit beside them and would overlap.
        if (!s.dash) g.append("text").attr("class", "lbl").attr("x", x(m[0]) + 8).attr("y", y(m[1]) - 8).text(m[2]);
      });
    });
  }
  var P = DATA.plans || [];
  guard("chart-cumulative", P.length > 0, "summary.json has no plans.", function (root) {
    var firstLoad = P[0].values.load;
    var shown = P.filter(function (p) { return p.values.load === undefined || p.values.load === firstLoad; });
    lines(root, shown.map(function (p) {
      var acc = 0;
      return { key: p.values.option, label: p.values.option + (p.values.rebound ? " (rebound " + p.values.rebound + ")" : ""), dash: p.values.rebound ? "6,3" : null,
        points: p.years.map(function (y) { acc += y.cc; return [y.year, acc / 1000]; }) };
    }), "year", "cumulative climate change (t CO2 eq)", false, d3.format("d"));
  });
  var C = DATA.comparisons || [];
  guard("chart-grid", C.some(function (c) { return c.meanKwh !== null; }), "No comparison has a grid break-even to draw.", function (root) {
    var shown = C.filter(function (c) { return c.load === C[0].load && c.meanKwh !== null; });
    var kmax = Math.max(3, d3.max(shown, function (c) { return c.factor !== null ? 1.5 * c.factor : 0; }));
    lines(root, shown.map(function (c) {
      var pts = d3.range(0, 41).map(function (i) { var k = kmax * i / 40; return [k * c.meanKwh * 1000, (c.dE + k * c.dU) / 1000]; });
      var marks = c.factor !== null ? [[c.factor * c.meanKwh * 1000, 0, "break-even " + fmt(c.factor * c.meanKwh * 1000) + " g/kWh"]] : [];
      marks.push([c.meanKwh * 1000, (c.dE + c.dU) / 1000, "as simulated"]);
      return { key: c.option, label: c.option + (c.rebound ? " (rebound " + c.rebound + ")" : ""), dash: c.rebound ? "6,3" : null, points: pts, marks: marks };
    }), "mean carbon intensity of the electricity (g CO2 eq/kWh)", "replace − keep, climate change (t CO2 eq)", true);
  });
  var loads = Array.from(new Set(C.map(function (c) { return c.load; })));
  guard("chart-util", loads.length > 1, "One load only: give lifetime.loads (e.g. [1, 2, 4]) for the utilisation break-even.", function (root) {
    var keys = Array.from(new Set(C.map(function (c) { return c.option + "|" + c.rebound; })));
    lines(root, keys.map(function (k) {
      var cs = C.filter(function (c) { return c.option + "|" + c.rebound === k; }).sort(function (a, b) { return a.util - b.util; });
      return { key: cs[0].option, label: cs[0].option + (cs[0].rebound ? " (rebound " + cs[0].rebound + ")" : ""), dash: cs[0].rebound ? "6,3" : null, points: cs.map(function (c) { return [100 * c.util, c.dTotal / 1000]; }) };
    }), "keep plan's utilisation from the replacement year (%)", "replace − keep, climate change (t CO2 eq)", true);
  });
  var Gr = DATA.growth || [];
  guard("chart-growth", Gr.length > 0, "summary.json has no growth options.", function (root) {
    var W = 1000, H = 360, M = { l: 80, r: 20, t: 10, b: 46 }, w = W - M.l - M.r;
    var x = d3.scaleLinear().domain(d3.extent(Gr, function (o) { return o.wait_h; })).nice().range([0, w]);
    var y = d3.scaleLinear().domain(d3.extent(Gr, function (o) { return o.score; })).nice().range([H, 0]);
    var svg = root.append("svg").attr("width", W).attr("height", H + M.t + M.b);
    var g = svg.append("g").attr("transform", "translate(" + M.l + "," + M.t + ")");
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + H + ")").call(d3.axisBottom(x).ticks(8).tickFormat(numTicks(x, 8)))
      .append("text").attr("fill", "#222").attr("x", w / 2).attr("y", 38).attr("text-anchor", "middle").text("mean wait (hours)");
    g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(8).tickFormat(numTicks(y, 8)))
      .append("text").attr("fill", "#222").attr("text-anchor", "middle").attr("transform", "rotate(-90)").attr("x", -H / 2).attr("y", -64).text("single score over the horizon (Pt)");
    var front = Gr.filter(function (o) { return o.on_front; }).sort(function (a, b) { return a.wait_h - b.wait_h; });
    if (front.length > 1) g.append("path").datum(front).attr("fill", "none").attr("stroke", "#000").attr("stroke-dasharray", "5,3").attr("d", d3.line().x(function (o) { return x(o.wait_h); }).y(function (o) { return y(o.score); }));
    Gr.forEach(function (o) {
      g.append("circle").attr("cx", x(o.wait_h)).attr("cy", y(o.score)).attr("r", 6).attr("fill", colour(o.option)).attr("stroke", o.on_front ? "#000" : "#fff").attr("stroke-width", 2)
        .on("mousemove", function (ev) { showTip(ev, o.option + (o.on_front ? " (on the front)" : "") + "\nmean wait " + fmt(o.wait_h) + " h\nsingle score " + fmt(o.score) + " Pt"); }).on("mouseleave", hideTip);
      g.append("text").attr("class", "lbl").attr("x", x(o.wait_h) + 9).attr("y", y(o.score) + 4).text(o.option);
    });
  });
})();
`;
