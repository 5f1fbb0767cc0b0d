/**
 * Self-contained HTML report of one run folder (summary.json, jobs.csv,
 * sites.csv, workflows.csv): the data are prepared here, inlined as JSON with
 * d3's minified source and the CSS, and drawn in the browser by page.ts's
 * script, so the file opens offline. Waste figures are computed here
 * (waste.ts) and rendered as tables.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { EF_CATEGORIES, INDICATORS, PHASES } from "../core/index.js";
import { JOULES_PER_KWH } from "../core/index.js";
import { DEFAULT_SCORE_METHOD_PATH, readScoreMethod, SCORE_METHOD_VERSIONS } from "../io/index.js";
import type { RunSummary } from "../run/index.js";
import { checkRunFolder } from "../io/index.js";
import { PAGE_CSS, PAGE_JS } from "./page.js";
import { wasteReport, type JobRow, type WasteFigures, type WasteReport } from "./waste.js";

/** Jobs drawn in the Gantt chart at most; bigger runs are sampled. */
export const GANTT_MAX_JOBS = 2000;
/** Time bins per site drawn at most; longer series are averaged in groups. */
export const SITE_MAX_BINS = 2000;

type Row = Record<string, string>;

let d3Source: string | undefined;
/** d3's minified UMD bundle, read from node_modules (never fetched). */
export function d3MinSource(): string {
  if (d3Source === undefined) {
    const entry = createRequire(import.meta.url).resolve("d3");
    d3Source = readFileSync(join(dirname(entry), "d3.min.js"), "utf8");
  }
  return d3Source;
}

async function readCsv(path: string): Promise<Row[] | undefined> {
  if (!existsSync(path)) return undefined;
  return parse(await readFile(path, "utf8"), { columns: true, skip_empty_lines: true }) as Row[];
}

export interface SiteData {
  id: string;
  pue: number | null;
  nodes: number | null;
  /** Groups of this many consecutive bins were averaged (1: none). */
  aggregated: number;
  bins: { t0: number[]; t1: number[]; it: number[]; fac: number[]; busy: number[]; nodes: number[]; cc: number[] };
}

/** sites.csv per site, groups of consecutive bins averaged (duration-weighted) down to at most maxBins. */
export function siteData(rows: readonly Row[], summary: RunSummary | undefined, maxBins = SITE_MAX_BINS): SiteData[] {
  const bySite = new Map<string, Row[]>();
  for (const r of rows) {
    if (!bySite.has(r.site)) bySite.set(r.site, []);
    bySite.get(r.site)!.push(r);
  }
  return [...bySite.keys()].sort().map((id) => {
    const rs = bySite.get(id)!.slice().sort((a, b) => Number(a.start_s) - Number(b.start_s));
    const k = Math.max(1, Math.ceil(rs.length / maxBins));
    const bins: SiteData["bins"] = { t0: [], t1: [], it: [], fac: [], busy: [], nodes: [], cc: [] };
    for (let i = 0; i < rs.length; i += k) {
      const group = rs.slice(i, i + k);
      let d = 0;
      const acc = { it: 0, fac: 0, busy: 0, nodes: 0, cc: 0 };
      for (const r of group) {
        const dt = Math.max(0, Number(r.end_s) - Number(r.start_s)) || 1e-9;
        d += dt;
        acc.it += dt * Number(r.it_power_w);
        acc.fac += dt * Number(r.facility_power_w);
        acc.busy += dt * Number(r.busy_nodes);
        acc.nodes += dt * Number(r.nodes);
        acc.cc += dt * Number(r.cc_intensity_g_per_kwh);
      }
      bins.t0.push(Number(group[0].start_s));
      bins.t1.push(Number(group[group.length - 1].end_s));
      bins.it.push(acc.it / d);
      bins.fac.push(acc.fac / d);
      bins.busy.push(acc.busy / d);
      bins.nodes.push(acc.nodes / d);
      bins.cc.push(acc.cc / d);
    }
    const s = summary?.sites?.[id];
    return { id, pue: s?.pue ?? null, nodes: s?.nodes ?? null, aggregated: k, bins };
  });
}

/** One Gantt bar: [id, start, end, site, device, nodes, status, project, workflow, task, lane]. */
export type GanttJob = [string, number, number, string, string, number, string, string, string, string, number];

export interface GanttData {
  total: number;
  shown: number;
  /** Every stride-th job by start time is drawn. */
  stride: number;
  colourBy: "site" | "device";
  sites: { id: string; lanes: number }[];
  totalLanes: number;
  jobs: GanttJob[];
}

/** Jobs sampled (every k-th by start time) to at most maxJobs and packed greedily into lanes per site. */
export function ganttData(rows: readonly Row[], maxJobs = GANTT_MAX_JOBS): GanttData {
  const sorted = rows
    .filter((r) => Number.isFinite(Number(r.start)) && Number.isFinite(Number(r.end)))
    .sort((a, b) => Number(a.start) - Number(b.start) || Number(a.job_id) - Number(b.job_id));
  const stride = Math.max(1, Math.ceil(sorted.length / maxJobs));
  const picked = sorted.filter((_, i) => i % stride === 0);
  const laneEnds = new Map<string, number[]>();
  const jobs: GanttJob[] = picked.map((r) => {
    const start = Number(r.start);
    const end = Number(r.end);
    const ends = laneEnds.get(r.site) ?? [];
    laneEnds.set(r.site, ends);
    let lane = ends.findIndex((e) => e <= start);
    if (lane < 0) lane = ends.push(end) - 1;
    else ends[lane] = end;
    return [r.job_id, start, end, r.site, r.device ?? "", Number(r.nodes), r.status, r.project ?? "", r.workflow ?? "", r.task ?? "", lane];
  });
  const sites = [...laneEnds.keys()].sort().map((id) => ({ id, lanes: laneEnds.get(id)!.length }));
  return {
    total: sorted.length,
    shown: jobs.length,
    stride,
    colourBy: sites.length > 1 ? "site" : "device",
    sites,
    totalLanes: sites.reduce((a, s) => a + s.lanes, 0),
    jobs,
  };
}

export interface ImpactData {
  phases: string[];
  method: string | null;
  score_total: number | null;
  categories: { id: string; name: string; unit: string; total: number; by_phase: Record<string, number>; proxy_share: number; missing_phases: string[]; score_pt: number | null; score_share: number | null }[];
}

/**
 * Impacts per EF category, then primary energy (PE, never weighted), with their phase split, proxy share and,
 * when the summary's method is one of the shipped table's (EF 3.1 or EF 3.0), their share of the single score.
 */
export async function impactData(summary: RunSummary): Promise<ImpactData> {
  let contributions: Map<string, number> | undefined;
  try {
    const version = SCORE_METHOD_VERSIONS.find((v) => summary.single_score?.method === `EF ${v}`) ?? "3.1";
    const method = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version });
    if (method.name === summary.single_score?.method) {
      contributions = new Map(EF_CATEGORIES.map((c, i) => [c.id, ((summary.impacts[c.id]?.total ?? 0) / method.normalisation[i]) * method.weights[i]]));
    }
  } catch {
    contributions = undefined; // the chart says the factors are not available
  }
  const scoreTotal = contributions ? [...contributions.values()].reduce((a, x) => a + x, 0) : null;
  const categories = INDICATORS.filter((c) => summary.impacts?.[c.id]).map((c) => {
    const s = summary.impacts[c.id];
    const pt = contributions?.get(c.id) ?? null;
    return {
      id: c.id,
      name: c.name,
      unit: c.unit,
      total: s.total,
      by_phase: s.by_phase,
      proxy_share: s.proxy_share,
      missing_phases: s.missing_phases,
      score_pt: pt,
      score_share: pt !== null && scoreTotal ? pt / scoreTotal : null,
    };
  });
  return { phases: [...PHASES], method: contributions ? summary.single_score.method : null, score_total: scoreTotal, categories };
}

export interface ProjectData {
  /** What the rows are: projects, or users when the run has a single project (one bar would say nothing). */
  by: "project" | "user";
  total: number;
  /** The one project, when the rows are its users. */
  project?: string;
  rows: { name: string; jobs: number; energy_kwh: number; cc_kgco2eq: number; single_score_pt: number }[];
}

/** The top n projects by facility energy. */
export function projectData(summary: RunSummary, n = 15): ProjectData {
  const all = Object.entries(summary.projects ?? {}).map(([name, p]) => ({
    name,
    jobs: p.jobs,
    energy_kwh: p.energy_facility_j / JOULES_PER_KWH,
    cc_kgco2eq: p.cc_kgco2eq,
    single_score_pt: p.single_score_pt,
  }));
  all.sort((a, b) => b.energy_kwh - a.energy_kwh || a.name.localeCompare(b.name));
  return { by: "project", total: all.length, rows: all.slice(0, n) };
}

/** The top n users by facility energy, from jobs.csv rows (jobs only, as for projects). */
export function userData(rows: readonly Row[], project: string, n = 15): ProjectData {
  const by = new Map<string, ProjectData["rows"][number]>();
  for (const r of rows) {
    const name = r.user ?? "";
    const u = by.get(name) ?? { name, jobs: 0, energy_kwh: 0, cc_kgco2eq: 0, single_score_pt: 0 };
    const add = (x: string | undefined) => (Number.isFinite(Number(x)) ? Number(x) : 0);
    u.jobs++;
    u.energy_kwh += add(r.energy_facility_j) / JOULES_PER_KWH;
    u.cc_kgco2eq += add(r.cc_kgco2eq);
    u.single_score_pt += add(r.single_score_pt);
    by.set(name, u);
  }
  const all = [...by.values()].map((u) => ({ ...u, name: `user ${u.name}` }));
  all.sort((a, b) => b.energy_kwh - a.energy_kwh || a.name.localeCompare(b.name, "en", { numeric: true }));
  return { by: "user", total: all.length, project, rows: all.slice(0, n) };
}

/** Projects, or the users of the one project when there is only one (a single bar would say nothing). */
function projectsOrUsers(summary: RunSummary, jobs: readonly Row[] | undefined): ProjectData {
  const projects = projectData(summary);
  if (projects.total > 1 || !jobs || jobs.length === 0 || !("user" in jobs[0])) return projects;
  return userData(jobs, projects.rows[0]?.name ?? "");
}

function projectsNote(p: ProjectData | null): string {
  if (!p) return "";
  if (p.by === "user") return `The trace has one project${p.project ? ` (${esc(p.project)})` : ""}, so its users are shown instead: the top ${p.rows.length} of ${p.total} by facility energy.`;
  return `Top ${p.rows.length} of ${p.total} projects by facility energy.`;
}

/**
 * The report's title and inputs line, from summary.json's provenance: the
 * workload that actually ran (a --workload replaces the scenario's trace, so
 * the scenario's name alone would mislead), the policy and the scenario.
 */
export function runTitle(summary: RunSummary | undefined, dir: string): { title: string; inputs: string } {
  if (!summary) return { title: `impactsim run report: ${dir}`, inputs: "" };
  const inputs = summary.provenance?.inputs ?? [];
  // SWF is the one job-trace format; workflows and platforms are JSON.
  const trace = inputs.find((i) => /\.swf(\.gz)?$/i.test(i.path));
  const policy = summary.provenance?.policy?.name;
  const title = `impactsim run report: ${trace ? basename(trace.path) : `scenario ${summary.scenario}`}${policy ? ` under ${policy}` : ""}${trace ? ` (scenario ${summary.scenario})` : ""}`;
  const list = inputs.length ? `Inputs (with their SHA-256 in summary.json's provenance): ${inputs.map((i) => i.path).join(", ")}; seed ${summary.provenance.seed}.` : "";
  return { title, inputs: list };
}

/** A note on credits: categories whose total is negative lower the single score, so the other shares add up to more than 100 %. */
export function creditsNote(impacts: ImpactData | null): string {
  const negative = (impacts?.categories ?? []).filter((c) => c.total < 0 || (c.score_share !== null && c.score_share < 0));
  if (negative.length === 0) return "";
  const positive = (impacts?.categories ?? []).reduce((a, c) => a + (c.score_share !== null && c.score_share > 0 ? c.score_share : 0), 0);
  const phases = [...new Set(negative.flatMap((c) => Object.entries(c.by_phase).filter(([, v]) => v < 0).map(([p]) => p)))];
  return (
    `Credits: ${negative.map((c) => `${c.name} (${num(c.total)} ${c.unit})`).join(", ")} ${negative.length === 1 ? "is" : "are"} negative` +
    (phases.length ? ` in the ${phases.join(" and ")} phase${phases.length === 1 ? "" : "s"}` : "") +
    ": the life-cycle data give negative figures there (credits, such as for recycling at end of life; see each node type's source in the platform file), kept as they are." +
    ` Their bars point left of zero and lower the single score${positive > 1 ? `, so the positive shares add up to ${pc(positive)}` : ""}.`
  );
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number, digits = 4) => (!Number.isFinite(x) ? "n/a" : x !== 0 && (Math.abs(x) >= 1e7 || Math.abs(x) < 1e-3) ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toLocaleString("en-GB"));
const pc = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : "n/a");
const kwh = (j: number) => num(j / JOULES_PER_KWH);

/** JSON safe to place inside a script element. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function wasteRowCells(w: WasteFigures): string {
  return [
    w.jobs, w.jobs_killed, kwh(w.energy_facility_j), kwh(w.killed.energy_facility_j), num(w.killed.cc_kgco2eq), num(w.killed.single_score_pt),
    pc(w.unused_cores.share), kwh(w.unused_cores.energy_facility_j), num(w.unused_cores.cc_kgco2eq),
    num(w.packing.node_hours_reserved), num(w.packing.node_hours_perfect), pc(w.packing.utilisation_vs_request),
  ].map((c) => `<td>${typeof c === "number" ? c : esc(c)}</td>`).join("");
}

const WASTE_HEAD =
  "<tr><th rowspan=2></th><th rowspan=2>jobs</th><th rowspan=2>killed</th><th rowspan=2>facility energy (kWh)</th><th colspan=3>killed at walltime</th><th colspan=3>reserved but unused cores</th><th colspan=3>packing</th></tr>" +
  "<tr><th>energy (kWh)</th><th>CC (kg CO2 eq)</th><th>single score (Pt)</th><th>share of core-hours</th><th>energy (kWh)</th><th>CC (kg CO2 eq)</th><th>node-hours reserved</th><th>node-hours, perfect packing</th><th>cores requested / reserved</th></tr>";

/** The waste section: definitions, per-site and per-project tables. */
export function wasteHtml(w: WasteReport): string {
  const siteRows = Object.entries(w.by_site).map(([id, s]) => `<tr><td>${esc(id)}</td>${wasteRowCells(s)}</tr>`).join("");
  const projects = Object.entries(w.by_project).sort(([, a], [, b]) => b.energy_facility_j - a.energy_facility_j);
  const projectRows = projects.map(([id, p]) => `<tr><td>${esc(id)}</td>${wasteRowCells(p)}</tr>`).join("");
  const idleRows = [...Object.entries(w.by_site), ["all sites", w.total] as const]
    .map(([id, s]) => `<tr><td>${esc(id)}</td><td>${kwh(s.idle.energy_it_j)}</td><td>${kwh(s.idle.energy_facility_j)}</td><td>${pc(s.idle.share_of_site_facility_energy)}</td><td>${num(s.idle.cc_use_kgco2eq)}</td><td>${num(s.idle.cc_embodied_kgco2eq)}</td><td>${num(s.idle.cc_kgco2eq)}</td><td>${num(s.idle.single_score_pt)}</td></tr>`)
    .join("");
  const defs = Object.entries(w.definitions).map(([k, v]) => `<li><b>${esc(k)}</b>: ${esc(v)}</li>`).join("");
  return `
<h3>Idle nodes while on (site overhead)</h3>
<table id="waste-idle"><tr><th rowspan=2>site</th><th rowspan=2>IT energy (kWh)</th><th rowspan=2>facility energy (kWh)</th><th rowspan=2>share of site facility energy</th><th colspan=3>climate change (kg CO2 eq)</th><th rowspan=2>single score, all phases (Pt)</th></tr><tr><th>electricity (use)</th><th>embodied</th><th>total</th></tr>${idleRows}</table>
<p class="note" id="idle-note">Idle nodes are charged their electricity and the embodied impacts (fabrication, transport, end of life, amortised over their lifetime) of the time they sat idle or off: climate change is split into the two; the single score covers all phases.</p>
<h3>Per site</h3>
<table id="waste-sites">${WASTE_HEAD}${siteRows}<tr><td><b>all</b></td>${wasteRowCells(w.total)}</tr></table>
<h3>Per project</h3>
<table id="waste-projects">${WASTE_HEAD}${projectRows}</table>
<ul class="note">${defs}</ul>`;
}

function workflowHtml(rows: readonly Row[] | undefined): string {
  if (!rows || rows.length === 0) return "";
  const cols = ["workflow", "name", "tasks", "makespan_s", "static_critical_path_s", "energy_facility_j", "cc_kgco2eq", "single_score_pt", "tasks_per_site"].filter((c) => c in rows[0]);
  const body = rows.slice(0, 200).map((r) => `<tr>${cols.map((c) => `<td>${esc(/^[-0-9.e]+$/i.test(r[c]) ? num(Number(r[c])) : r[c])}</td>`).join("")}</tr>`).join("");
  return `<h2>Workflows</h2>${rows.length > 200 ? `<p class="note">First 200 of ${rows.length} workflows.</p>` : ""}<table id="workflows"><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>${body}</table>`;
}

export interface RunReport {
  html: string;
  waste: WasteReport | undefined;
}

/** Builds the report and the waste figures of a run folder. Missing files only leave their charts out. */
export async function buildRunReport(outDir: string): Promise<RunReport> {
  const dir = resolve(outDir);
  // Every file must be the one the summary's run wrote: a report never mixes two runs.
  const summary = (await checkRunFolder(dir)) as unknown as RunSummary;
  const [jobs, sites, workflows] = await Promise.all([readCsv(join(dir, "jobs.csv")), readCsv(join(dir, "sites.csv")), readCsv(join(dir, "workflows.csv"))]);
  const waste = jobs && summary ? wasteReport(jobs as JobRow[], summary) : undefined;
  const gantt = jobs && jobs.length > 0 ? ganttData(jobs) : null;
  const data = {
    sites: sites ? siteData(sites, summary) : null,
    gantt,
    impacts: summary?.impacts ? await impactData(summary) : null,
    projects: summary?.projects ? projectsOrUsers(summary, jobs) : null,
  };
  const { title, inputs } = runTitle(summary, dir);
  const credits = creditsNote(data.impacts);
  const missing = ["summary.json", "jobs.csv", "sites.csv"].filter((f) => !existsSync(join(dir, f)));
  const headline = summary
    ? `<p>${summary.jobs} jobs (${summary.jobs_killed} killed at walltime), facility energy ${kwh(summary.energy_j.facility)} kWh of which ${kwh(summary.energy_j.overhead_facility)} kWh site overhead (idle, off), climate change ${num(summary.impacts.CC?.total ?? NaN)} kg CO2 eq, single score ${num(summary.single_score.total_pt)} Pt (${esc(summary.single_score.method)}).</p>`
    : "";
  const ganttNote = gantt
    ? gantt.stride > 1
      ? `Sampled: ${gantt.shown} of ${gantt.total} jobs are drawn (every ${gantt.stride}th by start time). `
      : `All ${gantt.total} jobs are drawn. `
    : "";
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${PAGE_CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
${headline}
${inputs ? `<p class="note" id="inputs">${esc(inputs)}</p>` : ""}
${missing.length ? `<p class="missing">Missing from ${esc(dir)}: ${missing.map(esc).join(", ")}; their charts are left out.</p>` : ""}
<h2>Power, grid intensity and utilisation per site</h2>
<p class="note">Per site: IT and facility power (kW, each site on its own scale); the grid's climate-change intensity (g CO2 eq/kWh) aligned underneath, on one scale shared by every site so their grids compare at a glance; utilisation as busy nodes over nodes (%). Hover for values.</p>
<div id="chart-power" class="chart"></div>
<h2>Jobs (Gantt)</h2>
<p class="note">${ganttNote}Each row (lane) holds jobs that do not overlap on a site, packed greedily: lanes are not nodes. Coloured by ${gantt?.colourBy ?? "site"}; workflow tasks have a black outline, jobs killed at their walltime a red one. Hover a bar for the job.</p>
<div id="chart-gantt" class="chart"></div>
<h2>Impacts by EF category and life-cycle phase</h2>
<p class="note">Left: each category's split between life-cycle phases as a 100 % stacked bar (shares of the absolute values, so credits count by size); the last row is primary energy (PE, MJ), kept beside the 16 categories and not weighted. Right: each category normalised and weighted, as its share of the single score, so categories can be compared. The percentage after a bar is the share of the category resting on documented proxies. ⚠ and lighter bars: more than 10 % of the category rests on documented proxies; * : a phase had missing figures (counted as zero, a lower bound). Hover for totals and units.</p>
<div id="chart-impacts" class="chart"></div>
${credits ? `<p class="note credits" id="credits-note">${esc(credits)}</p>` : ""}
<h2>Energy and impacts by ${data.projects?.by ?? "project"}</h2>
<p class="note">${projectsNote(data.projects)} Jobs only: the sites' idle overhead is not charged to ${data.projects?.by === "user" ? "users" : "projects"}.</p>
<div id="chart-projects" class="chart"></div>
<h2>Waste</h2>
<div id="waste">${waste ? wasteHtml(waste) : '<p class="missing">jobs.csv or summary.json is missing: no waste figures.</p>'}</div>
${workflowHtml(workflows)}
<div id="tooltip"></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${d3MinSource().replace(/<\/script/gi, "<\\/script")}</script>
<script>${PAGE_JS}</script>
</body></html>
`;
  return { html, waste };
}

/** The HTML report of a run folder, self-contained (d3, data and CSS inlined). */
export async function renderRunReport(outDir: string): Promise<string> {
  return (await buildRunReport(outDir)).html;
}

/**
 * Writes report.html (or `file`) and waste.json into the run folder.
 * @returns the path of the HTML file
 */
export async function writeRunReport(outDir: string, file = join(outDir, "report.html")): Promise<string> {
  const { html, waste } = await buildRunReport(outDir);
  const path = resolve(file);
  await writeFile(path, html);
  if (waste) await writeFile(join(resolve(outDir), "waste.json"), JSON.stringify(waste, null, 2) + "\n");
  return path;
}
