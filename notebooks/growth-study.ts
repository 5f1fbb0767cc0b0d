/**
 * Notebook: to absorb more work, add CPU nodes, GPU nodes, keep old hardware
 * longer, or build at another site?
 *
 *   npx tsx notebooks/growth-study.ts
 *
 * Runs scenarios/studies/growth-eu.json (impactsim study growth) and sets its
 * options side by side: climate change by phase, single score, node counts,
 * mean wait from the year the extra work arrives, and the Pareto front of
 * mean wait against single score. Writes results/notebooks/growth-study.html
 * and .json, and the study's folder (summary.json, report.html) under
 * results/notebooks/studies/growth-eu/.
 */
import { join } from "node:path";
import { shippedPath } from "../src/io/index.js";
import { runStudy, type GrowthOptionResult, type StudySummary } from "../src/sweep/index.js";
import { DEFAULT_OUT_DIR, esc, isMain, num, page, table, writeOutputs } from "./lib.js";

export const STUDY = "growth-eu";

export interface GrowthStudyResult {
  question: string;
  description: string;
  report: string;
  extra_work: number;
  from: number;
  warnings: readonly string[];
  options: GrowthOptionResult[];
  front: readonly string[];
}

export async function compute(outDir: string = DEFAULT_OUT_DIR): Promise<GrowthStudyResult> {
  const out = join(outDir, "studies", STUDY);
  const o = await runStudy({ file: shippedPath(`scenarios/studies/${STUDY}.json`), kind: "growth", out });
  const s: StudySummary | undefined = o.summary;
  if (!s) throw new Error(`${STUDY}: ${o.failed} simulations failed: ${o.failures.map((f) => f.message).join("; ")}`);
  const g = s.growth!;
  return {
    question: "To absorb more work, which way costs the least impact for the waits it buys: more CPU nodes, GPU nodes for the work that can use them, older hardware kept longer, or nodes at another site?",
    description: s.description,
    report: o.report!,
    extra_work: g.extra_work,
    from: g.from,
    warnings: s.warnings,
    options: [...g.options],
    front: g.front,
  };
}

export async function run(outDir: string = DEFAULT_OUT_DIR): Promise<{ html: string; json: string; result: GrowthStudyResult }> {
  const result = await compute(outDir);
  const rows = result.options.map((o) => ({ label: o.option, values: { embodied: o.embodied.CC, use: o.use.CC }, note: `${o.on_front ? "on the front, " : ""}mean wait ${num(o.mean_wait_s / 3600, 3)} h` }));
  const script = String.raw`
NB.stacked("chart-cc", { rows: NB.data, keys: ["embodied", "use"], colors: { embodied: "#9c755f", use: "#f28e2b" }, labels: { embodied: "embodied (purchase: the year nodes are bought)", use: "use (simulated, on each site's grid)" }, unit: "kg CO2 eq", axis: "climate change over the horizon, kg CO2 eq" });
`;
  const html = page("Absorbing more work: CPU nodes, GPU nodes, longer lives or another site", body(result), rows, script);
  const paths = writeOutputs(outDir, "growth-study", html, result);
  return { ...paths, result };
}

function body(r: GrowthStudyResult): string {
  const main = table(
    ["front", "option", "nodes (last year)", "nodes (most)", "node-years", "mean wait from " + r.from + ", h", "CC use, kg", "CC embodied, kg", "CC total, kg", "single score, Pt", "facility energy, kWh", "CC vs reference, kg", "description"],
    r.options.map((o) => [o.on_front ? "*" : "", o.option, o.nodes_last_year, o.nodes_max, o.node_years, o.mean_wait_s / 3600, o.use.CC, o.embodied.CC, o.total.CC, o.single_score_pt, o.energy_facility_kwh, o.versus_reference.cc_kgco2eq, o.description]),
  );
  return `
<h2>Question</h2>
<p>${esc(r.question)}</p>
<h2>Study</h2>
<p>${esc(r.description)} <a href="${esc(join("studies", STUDY, "report.html"))}">Full report</a> (per year, per category).</p>
${r.warnings.length > 0 ? `<p class="note">${esc(r.warnings.join(" "))}</p>` : ""}
<h2>Climate change over the horizon</h2>
<div id="chart-cc" class="chart"></div>
<h2>Options</h2>
${main}
<p class="note">Pareto front (mean wait from ${r.from} and single score over the horizon, both minimised): ${esc(r.front.join(", "))}. The reference plan adds nothing: its waits are what the extra work costs without new hardware.</p>
<h2>Caveats</h2>
<ul>
<li>HPC2N's trace has no GPU jobs: the GPU option runs a share of the jobs (30 %, drawn per job) on GPU nodes at 5 times the speed, with the GPUs loaded as the node's cores are. Both figures are assumptions, not measurements; the GPU host is modelled as a Dell R640 (a proxy).</li>
<li>Each year replays the base workload and the 2020 grid series; the German grid's 5 % yearly fall is an illustrative trajectory, not a forecast. The Swedish site keeps the default PUE, so it differs by grid only.</li>
<li>Embodied impacts are charged the year hardware is bought (footnote 33's accounting); the hardware's life left at the horizon's end is not credited. summary.json gives the amortised totals beside.</li>
</ul>
<p class="note">Data: growth-study.json next to this page. Reproduce: <code>npx tsx notebooks/growth-study.ts</code>.</p>
`;
}

if (isMain(import.meta.url)) {
  const { html, json, result } = await run();
  for (const o of result.options) console.log(`${o.on_front ? "*" : " "} ${o.option}: ${o.nodes_last_year} nodes, wait ${num(o.mean_wait_s / 3600, 3)} h, CC ${num(o.total.CC)} kg, ${num(o.single_score_pt)} Pt`);
  console.log(`${html}\n${json}`);
}
