/**
 * Notebook: what do consolidation and switching idle nodes off do to energy,
 * impacts and waiting on the default scenario?
 *
 *   npx tsx notebooks/consolidation.ts
 *
 * Runs the default scenario under EASY backfilling (the baseline) and under the
 * consolidate policy with idle thresholds 0 s, the break-even time (the
 * policy's default) and 3600 s, each with keep_on 0 and 1, and writes
 * results/notebooks/consolidation.html and .json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JOULES_PER_KWH } from "../src/core/units.js";
import { loadPlatform } from "../src/io/platform.js";
import { loadScenario, resolveFrom } from "../src/io/scenario.js";
import { breakEvenSeconds } from "../src/planner/policies/consolidate.js";
import { DEFAULT_SCENARIO, runScenario } from "../src/run/runScenario.js";
import type { RunSummary } from "../src/run/summary.js";
import { DEFAULT_OUT_DIR, esc, isMain, num, page, pct, table, writeOutputs } from "./lib.js";

export interface Variant {
  readonly label: string;
  readonly policy: "easy" | "consolidate";
  readonly params: Readonly<Record<string, unknown>>;
}

/** The variants run, baseline first. */
export const VARIANTS: readonly Variant[] = [
  { label: "easy (baseline, all nodes on)", policy: "easy", params: {} },
  ...[0, 1].flatMap((keep) =>
    [
      { idle: "0 s (immediately)", p: { idle_s: 0 } },
      { idle: "break-even (default)", p: {} },
      { idle: "3600 s", p: { idle_s: 3600 } },
    ].map((v): Variant => ({ label: `consolidate, idle ${v.idle}, keep_on ${keep}`, policy: "consolidate", params: { ...v.p, keep_on: keep } })),
  ),
];

export interface VariantRow {
  label: string;
  policy: string;
  params: Readonly<Record<string, unknown>>;
  jobs: number;
  energy_kwh: { it: number; facility: number; overhead_it: number; overhead_facility: number; jobs_facility: number };
  /** Overhead (idle, off and switching nodes) / all site energy, facility level. */
  overhead_share: number;
  cc_kgco2eq: { total: number; by_phase: Record<string, number>; overhead: number };
  single_score_pt: { total: number; by_phase: Record<string, number> };
  mean_wait_s: number;
  wait_added_s: number;
  makespan_s: number;
  /** Node-seconds reserved by jobs / node-seconds available over the makespan. */
  utilisation_nodes: number;
  /** Relative to the baseline (positive = less). */
  facility_energy_saved: number;
  cc_saved: number;
  single_score_saved: number;
}

export interface NodeTypeIdle {
  node_type: string;
  idle_w: number;
  peak_w: number;
  idle_over_peak: number;
  off_w: number | null;
  break_even_s: number | null;
  source: string;
}

export interface ConsolidationResult {
  question: string;
  scenario: string;
  node_types: NodeTypeIdle[];
  rows: VariantRow[];
}

const kwh = (j: number) => j / JOULES_PER_KWH;

function row(v: Variant, s: RunSummary, base: RunSummary | undefined): VariantRow {
  const overheadCc = Object.values(s.sites).reduce((a, x) => a + x.overhead.impacts.CC.total, 0);
  const b = base ?? s;
  return {
    label: v.label,
    policy: v.policy,
    params: v.params,
    jobs: s.jobs,
    energy_kwh: {
      it: kwh(s.energy_j.it),
      facility: kwh(s.energy_j.facility),
      overhead_it: kwh(s.energy_j.overhead_it),
      overhead_facility: kwh(s.energy_j.overhead_facility),
      jobs_facility: kwh(s.energy_j.facility - s.energy_j.overhead_facility),
    },
    overhead_share: s.energy_j.facility > 0 ? s.energy_j.overhead_facility / s.energy_j.facility : 0,
    cc_kgco2eq: { total: s.impacts.CC.total, by_phase: { ...s.impacts.CC.by_phase }, overhead: overheadCc },
    single_score_pt: { total: s.single_score.total_pt, by_phase: { ...s.single_score.by_phase_pt } },
    mean_wait_s: s.mean_wait_s,
    wait_added_s: s.mean_wait_s - b.mean_wait_s,
    makespan_s: s.makespan_s,
    utilisation_nodes: s.utilisation_nodes,
    facility_energy_saved: 1 - s.energy_j.facility / b.energy_j.facility,
    cc_saved: 1 - s.impacts.CC.total / b.impacts.CC.total,
    single_score_saved: 1 - s.single_score.total_pt / b.single_score.total_pt,
  };
}

/** Idle/peak ratios and break-even times of the scenario's node types, from the platform file. */
async function nodeTypes(scenarioPath: string): Promise<{ platformPath: string; types: NodeTypeIdle[] }> {
  const scenario = await loadScenario(scenarioPath);
  const platformPath = resolveFrom(scenarioPath, scenario.platform);
  const platform = await loadPlatform(platformPath);
  const types = Object.entries(platform.node_types).map(([name, t]): NodeTypeIdle => {
    if ("profile" in t.power) throw new Error(`consolidation: node type ${name} has a ${t.power.profile} power profile; this analysis reads measured curves`);
    const curve = t.power.curve_w ?? [];
    const peak = curve.length > 0 ? Math.max(...curve.map(([, w]) => w)) : (t.power.max_w ?? NaN);
    const off = t.power_states?.off;
    const be = off
      ? breakEvenSeconds(t.power.idle_w, { offWatts: off.w, switchOnSeconds: off.switch_on_s, switchOnWatts: off.switch_on_w, switchOffSeconds: off.switch_off_s, switchOffWatts: off.switch_off_w })
      : null;
    return { node_type: name, idle_w: t.power.idle_w, peak_w: peak, idle_over_peak: t.power.idle_w / peak, off_w: off?.w ?? null, break_even_s: be, source: t.power.source ?? "" };
  });
  return { platformPath, types };
}

/** Runs every variant and writes consolidation.html and consolidation.json into outDir. */
export async function run(outDir: string = DEFAULT_OUT_DIR): Promise<{ html: string; json: string; result: ConsolidationResult }> {
  const scenarioPath = DEFAULT_SCENARIO;
  const work = mkdtempSync(join(tmpdir(), "impactsim-nb-consolidation-"));
  const summaries: RunSummary[] = [];
  try {
    for (const [i, v] of VARIANTS.entries()) {
      const out = await runScenario({ scenario: scenarioPath, overrides: { policy: v.policy, policyParams: v.params, out: join(work, String(i)), summaryOnly: true } });
      summaries.push(out.summary);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const rows = VARIANTS.map((v, i) => row(v, summaries[i], summaries[0]));
  const { types } = await nodeTypes(scenarioPath);
  const result: ConsolidationResult = {
    question: "What do consolidation and switching idle nodes off do to energy, climate change, the single score and waiting on the default scenario?",
    scenario: summaries[0].scenario,
    node_types: types,
    rows,
  };
  const html = page("Consolidation and switching idle nodes off", body(result), chartData(result), SCRIPT);
  const paths = writeOutputs(outDir, "consolidation", html, result);
  return { ...paths, result };
}

function chartData(r: ConsolidationResult) {
  return {
    energy: r.rows.map((x) => ({ label: x.label, values: { jobs: x.energy_kwh.jobs_facility, overhead: x.energy_kwh.overhead_facility } })),
    cc: r.rows.map((x) => ({ label: x.label, values: { fabrication: x.cc_kgco2eq.by_phase.fabrication + x.cc_kgco2eq.by_phase.transport + x.cc_kgco2eq.by_phase.endOfLife, use: x.cc_kgco2eq.by_phase.use } })),
    wait: r.rows.map((x) => ({ label: x.label, values: { wait: x.mean_wait_s / 3600 } })),
  };
}

const SCRIPT = String.raw`
NB.stacked("chart-energy", { rows: NB.data.energy, keys: ["jobs", "overhead"], colors: { jobs: "#4e79a7", overhead: "#e15759" }, labels: { jobs: "jobs", overhead: "overhead (idle, off, switching nodes)" }, unit: "kWh", axis: "facility energy, kWh (IT x PUE)" });
NB.stacked("chart-cc", { rows: NB.data.cc, keys: ["fabrication", "use"], colors: { fabrication: "#9c755f", use: "#f28e2b" }, labels: { fabrication: "embodied (fabrication incl. transport and end of life)", use: "use (electricity)" }, unit: "kg CO2 eq", axis: "climate change, kg CO2 eq" });
NB.stacked("chart-wait", { rows: NB.data.wait, keys: ["wait"], colors: { wait: "#76b7b2" }, labels: { wait: "mean wait" }, unit: "h", axis: "mean wait, hours" });
`;

function body(r: ConsolidationResult): string {
  const base = r.rows[0];
  const best = r.rows.slice(1).reduce((a, x) => (x.energy_kwh.facility < a.energy_kwh.facility ? x : a), r.rows[1]);
  const ratios = r.node_types.map((t) => `${t.node_type}: idle ${num(t.idle_w)} W / peak ${num(t.peak_w)} W = ${pct(t.idle_over_peak)}`).join("; ");
  const tableRows = r.rows.map((x) => [
    x.label,
    x.energy_kwh.it,
    x.energy_kwh.facility,
    x.energy_kwh.overhead_facility,
    pct(x.overhead_share),
    x.cc_kgco2eq.by_phase.fabrication + x.cc_kgco2eq.by_phase.transport + x.cc_kgco2eq.by_phase.endOfLife,
    x.cc_kgco2eq.by_phase.use,
    x.cc_kgco2eq.total,
    x.single_score_pt.by_phase.fabrication + x.single_score_pt.by_phase.transport + x.single_score_pt.by_phase.endOfLife,
    x.single_score_pt.by_phase.use,
    x.single_score_pt.total,
    x.mean_wait_s / 3600,
    x.wait_added_s / 3600,
    pct(x.facility_energy_saved),
    pct(x.cc_saved),
  ]);
  return `
<h2>Question</h2>
<p>${esc(r.question)} Switching nodes off saves the idle draw of nodes nobody uses, but a node that is off must boot (about 2.5 minutes here) before a job can use it, so jobs may wait longer; keeping nodes on a little longer (the idle threshold) or keeping a reserve on (keep_on) trades some of the saving back for waiting.</p>
<h2>Setup and assumptions</h2>
<ul>
<li>Scenario: <code>scenarios/default.json</code> (${esc(r.scenario)}): HPC2N 2002, first 3,170 jobs, replayed from 2020-01-01 on two sites: 4 Dell R640 on the French grid, 16 Dell R620 on the German grid (2020 carbon-intensity series), PUE 1.56 at both.</li>
<li>Baseline: EASY backfilling with every node always on. Variants: the <code>consolidate</code> policy (EASY that packs jobs on the lowest node ids, switches nodes idle for <code>idle_s</code> off and wakes them just in time), with <code>idle_s</code> = 0 (off as soon as idle), the break-even time (the policy's default: the idle gap beyond which off-and-on costs less energy than staying idle; ${r.node_types.map((t) => `${esc(t.node_type)} ${t.break_even_s === null ? "n/a" : num(t.break_even_s)} s`).join(", ")}) and 3600 s; each with <code>keep_on</code> = 0 and 1 idle node kept on per pool as a reserve.</li>
<li>Off-state figures (off ${r.node_types.map((t) => `${num(t.off_w ?? NaN)} W`).join(" / ")}, boot 151.52 s at 125.2 W, shutdown 6.1 s at 101.0 W) are <strong>not measured on these servers</strong>: they are Batsim's example cluster values, a proxy (see <code>platforms/SOURCES.md</code>, "Off state"). The saving depends mostly on the idle draw, which is measured (SPECpower), and much less on these.</li>
<li>Accounting: jobs are charged their nodes' draw times PUE times the grid's intensity at each instant, plus embodied impacts per node-second reserved; idle, off and switching nodes (energy and embodied) are the sites' overhead. Embodied impacts accrue whether a node is on or off, so switching off does not reduce them.</li>
</ul>
<h2>Is an idle node drawing about half its peak?</h2>
<p>The SPECTRUM blueprint says idle nodes draw about half their peak power. The two SPECpower_ssj2008 curves of the platform (<code>platforms/two-site-eu.json</code>, active idle over the 100 % load point) give ${esc(ratios)}: well below half. SPECpower's active idle is measured on tuned systems with power management on; older or untuned nodes, and HPC nodes with their daemons, file systems and network, idle higher, so the blueprint's figure may fit a real machine room better than these curves do. The simulator uses the curves, so the saving it finds is, if anything, an underestimate for a machine whose nodes idle at half their peak.</p>
<p>Even so, idle nodes are ${pct(base.overhead_share)} of the baseline's site energy (${num(base.energy_kwh.overhead_facility)} of ${num(base.energy_kwh.facility)} kWh, facility level): the machine is far from full (node utilisation ${pct(base.utilisation_nodes)}).</p>
<h2>Results</h2>
<p>Lowest facility energy: <strong>${esc(best.label)}</strong>, ${pct(best.facility_energy_saved)} less than the baseline (overhead share ${pct(best.overhead_share)}), ${pct(best.cc_saved)} less climate change and ${pct(best.single_score_saved)} less single score, with the mean wait ${best.wait_added_s >= 0 ? "up" : "down"} by ${num(Math.abs(best.wait_added_s) / 60)} min (from ${num(base.mean_wait_s / 3600)} h).</p>
${table(
  ["variant", "IT energy, kWh", "facility energy, kWh", "overhead (idle/off/switching), kWh", "overhead share of site energy", "CC embodied, kg CO2 eq", "CC use, kg CO2 eq", "CC total, kg CO2 eq", "single score embodied, pt", "single score use, pt", "single score total, pt", "mean wait, h", "wait added, h", "facility energy saved", "CC saved"],
  tableRows,
)}
<p class="note">Energy: IT is the nodes' draw, facility is IT x PUE; overhead is facility energy of nodes not running a job. "Embodied" is fabrication, which here includes transport and end of life (the Dell PCF and the ADEME figures are not split by phase). Single score: EF 3.1 normalisation and weighting (platforms' score method).</p>
<h2>Energy and climate change per variant</h2>
<div id="chart-energy" class="chart"></div>
<div id="chart-cc" class="chart"></div>
<h2>Mean wait per variant</h2>
<div id="chart-wait" class="chart"></div>
<h2>Reading it</h2>
<ul>
<li>Switching off cuts the overhead, not the jobs' own energy; embodied climate change does not move (nodes age whether on or off), so the climate and single-score savings are smaller in relative terms than the energy saving.</li>
<li>The idle threshold and the reserve trade energy for wait: compare the wait-added column.</li>
<li>Caveats: one trace, one seed; the off state is a proxy; boot failures and hardware wear from power cycling are not modelled.</li>
</ul>
<p class="note">Data: consolidation.json next to this page. Reproduce: <code>npx tsx notebooks/consolidation.ts</code>.</p>
`;
}

if (isMain(import.meta.url)) {
  const { html, json, result } = await run();
  const b = result.rows[0];
  for (const x of result.rows) {
    console.log(
      `${x.label.padEnd(52)} facility ${num(x.energy_kwh.facility).padStart(7)} kWh  overhead ${pct(x.overhead_share).padStart(7)}  CC ${num(x.cc_kgco2eq.total).padStart(6)} kg  wait ${num(x.mean_wait_s / 3600).padStart(5)} h (${x.mean_wait_s >= b.mean_wait_s ? "+" : "-"}${num(Math.abs(x.mean_wait_s - b.mean_wait_s) / 60)} min)`,
    );
  }
  console.log(`wrote ${html}\nwrote ${json}`);
}
