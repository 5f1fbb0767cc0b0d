/**
 * Notebook: does replacing hardware for efficiency pay? SPECTRUM D6.1's
 * footnote 33 evaluated on simulated numbers.
 *
 *   npx tsx notebooks/lifetime-study.ts
 *
 * Runs the four lifetime studies of scenarios/studies/ (impactsim study
 * lifetime on each; the European case, a very carbon-intensive grid, a very
 * short service life, the successor's own product footprint) and sets their
 * footnote-33 terms side by side: replacing pays for a category when
 * b1·t2 > a + b2·t2'. Writes results/notebooks/lifetime-study.html and .json,
 * and each study's own folder (summary.json, report.html) under
 * results/notebooks/studies/.
 */
import { join } from "node:path";
import { shippedPath } from "../src/io/index.js";
import { runStudy, type LifetimeComparison, type StudySummary } from "../src/sweep/index.js";
import { DEFAULT_OUT_DIR, esc, isMain, num, page, table, writeOutputs } from "./lib.js";

export const STUDIES = ["lifetime-eu", "lifetime-carbon-intensive", "lifetime-short", "lifetime-eu-pcf"] as const;

export interface CaseRow {
  study: string;
  option: string;
  rebound: number;
  load: number;
  /** Footnote 33's terms for climate change, kg CO2 eq. */
  a: number;
  b1_t2: number;
  b2_t2p: number;
  replacing_pays: boolean;
  /** Premise: the replaced group's whole-life fabrication against its use over the horizon. */
  a_old: number;
  b1_t1_t2: number;
  fabrication_dominates: boolean;
  /** replace − keep, total over the horizon, under the study's rule (purchase) and amortised. */
  delta_purchase: number;
  delta_amortised: number;
  grid_break_even_g_per_kwh: number | null;
  grid_pays: string;
  premise_life_years: number | null;
  /** Categories (of the 16 and PE) in which replacing pays in this comparison. */
  pays_in: string[];
}

export interface LifetimeStudyResult {
  question: string;
  studies: { name: string; description: string; dir: string; report: string; warnings: readonly string[] }[];
  rows: CaseRow[];
}

function rowOf(study: string, c: LifetimeComparison): CaseRow {
  const f = c.footnote33.CC;
  const b = c.break_even.CC;
  return {
    study,
    option: c.option,
    rebound: c.rebound,
    load: c.load,
    a: f.a,
    b1_t2: f.b1_t2,
    b2_t2p: f.b2_t2p,
    replacing_pays: f.replacing_pays,
    a_old: f.a_old,
    b1_t1_t2: f.b1_t1_t2,
    fabrication_dominates: f.fabrication_dominates,
    delta_purchase: c.delta.CC.total,
    delta_amortised: c.delta_other_rule.CC,
    grid_break_even_g_per_kwh: b.grid_per_kwh === null ? null : 1000 * b.grid_per_kwh,
    grid_pays: b.grid_pays,
    premise_life_years: b.premise_life_years,
    pays_in: Object.entries(c.footnote33).filter(([, v]) => v.replacing_pays).map(([id]) => id),
  };
}

export async function compute(outDir: string = DEFAULT_OUT_DIR): Promise<LifetimeStudyResult> {
  const studies: LifetimeStudyResult["studies"] = [];
  const rows: CaseRow[] = [];
  for (const name of STUDIES) {
    const out = join(outDir, "studies", name);
    const o = await runStudy({ file: shippedPath(`scenarios/studies/${name}.json`), kind: "lifetime", out });
    const s: StudySummary = o.summary!;
    if (!s) throw new Error(`${name}: ${o.failed} simulations failed: ${o.failures.map((f) => f.message).join("; ")}`);
    studies.push({ name, description: s.description, dir: out, report: o.report!, warnings: s.warnings });
    for (const c of s.lifetime!.comparisons) rows.push(rowOf(name, c));
  }
  return { question: "Does replacing a fleet for efficiency pay, per impact category, and where does SPECTRUM D6.1's footnote 33 (it never does in Europe) stop holding?", studies, rows };
}

export async function run(outDir: string = DEFAULT_OUT_DIR): Promise<{ html: string; json: string; result: LifetimeStudyResult }> {
  const result = await compute(outDir);
  // One chart per study: for each comparison at rebound 0 and load 1, keep's use after M against replace's extra fabrication plus its use.
  const charts = STUDIES.map((name) => ({
    id: name,
    rows: result.rows
      .filter((r) => r.study === name && r.rebound === 0 && r.load === 1)
      .flatMap((r) => [
        { label: `${r.option}: keep`, values: { use: r.b1_t2, fab: 0 }, note: "b1·t2" },
        { label: `${r.option}: replace`, values: { use: r.b2_t2p, fab: r.a }, note: `a + b2·t2' (${r.replacing_pays ? "pays" : "does not pay"})` },
      ]),
  }));
  const script = String.raw`
NB.data.forEach(function (c) {
  NB.stacked("chart-" + c.id, { rows: c.rows, keys: ["fab", "use"], colors: { fab: "#9c755f", use: "#f28e2b" }, labels: { fab: "a: fabrication replacing adds", use: "use from the replacement year on" }, unit: "kg CO2 eq", axis: "climate change from the replacement year on, kg CO2 eq" });
});
`;
  const html = page("Replacing hardware for efficiency: footnote 33 on the numbers", body(result), charts, script);
  const paths = writeOutputs(outDir, "lifetime-study", html, result);
  return { ...paths, result };
}

const yes = (b: boolean) => (b ? "yes" : "no");

function body(r: LifetimeStudyResult): string {
  const main = table(
    ["study", "option", "rebound", "load", "a", "b1·t2", "b2·t2'", "pays", "a_old", "b1·(t1+t2)", "fabrication dominates", "Δ total (purchase)", "Δ total (amortised)", "grid break-even, g/kWh", "premise life, years", "replacing pays in"],
    r.rows.map((x) => [x.study, x.option, x.rebound, x.load, x.a, x.b1_t2, x.b2_t2p, yes(x.replacing_pays), x.a_old, x.b1_t1_t2, yes(x.fabrication_dominates), x.delta_purchase, x.delta_amortised, x.grid_break_even_g_per_kwh === null ? x.grid_pays : `${num(x.grid_break_even_g_per_kwh, 3)} (${x.grid_pays})`, x.premise_life_years ?? "n/a", x.pays_in.join(" ") || "none"]),
  );
  const studies = r.studies.map((s) => `<li><strong>${esc(s.name)}</strong>: ${esc(s.description)} <a href="${esc(join("studies", s.name, "report.html"))}">report</a>${s.warnings.length > 0 ? `<br><em>${esc(s.warnings.join(" "))}</em>` : ""}</li>`).join("\n");
  const charts = STUDIES.map((n) => `<h3>${esc(n)} (rebound 0, load 1)</h3>\n<div id="chart-${esc(n)}" class="chart"></div>`).join("\n");
  return `
<h2>Question</h2>
<p>${esc(r.question)} Footnote 33: with a the fabrication of the new hardware and b1, b2 the use impacts per unit of time before and after, replacing pays only if b1·t2 > a + b2·t2'; as fabrication dominates use (a > b1·(t1 + t2)), it never does. Here every term comes from year-by-year simulations of the bundled European case (HPC2N's workload on 4 Dell R640 in France and 16 Dell R620 in Germany, 2020 hourly grid series), 2020-2027: "keep" the 16 R620s against "replace" them in 2021, 2023 or 2025 with 5 R640-class nodes.</p>
<h2>Studies</h2>
<ul>${studies}</ul>
<h2>Footnote 33, climate change (kg CO2 eq)</h2>
${charts}
${main}
<p class="note">a: embodied impacts replacing adds over the horizon (purchase accounting: the successor's whole fabrication, transport and end of life the year it is bought). b1·t2, b2·t2': use-phase impacts of the whole fleet from the replacement year on, keep and replace (idle nodes and extra work included). a_old, b1·(t1+t2): the premise, the replaced group's own embodied impacts against its use over its years in service. Δ total: replace − keep over the horizon, under purchase and under straight-line amortisation. Grid break-even: the per-kWh intensity (keep's mean times the factor) at which replacing breaks even; "above" means replacing pays on dirtier grids. Premise life: the service life at which the replaced group's use equals its fabrication (fabrication dominates below it).</p>
<h2>Reading</h2>
<ul>
<li><strong>European case</strong> (lifetime-eu): replacing never pays for climate change, at any replacement year, rebound or load; the footnote's conclusion holds on the numbers. At load 1 its premise holds too (fabrication dominates); at loads 2 and 4 it does not, yet replacing still does not pay over the years left: the premise is sufficient, not necessary.</li>
<li><strong>A very carbon-intensive grid</strong> (lifetime-carbon-intensive, the German site on Serbia's 900 g/kWh): use dominates fabrication, and replacing in 2021 pays without rebound; with rebound 1 (the extra capacity filled with extra work) it no longer does.</li>
<li><strong>A very short service life</strong> (lifetime-short: the R620s renewed after 3 years anyway): the footnote's "2a" is not there, the successor is bought in either plan, so bringing the renewal forward pays under purchase accounting; amortised, it does not (the successor's life used up earlier is charged).</li>
<li><strong>Equal fabrications</strong> are an assumption of the footnote: with the R640's own product footprint (lifetime-eu-pcf, 5 x 1,314 kg against 16 x 3,660 kg of ADEME's generic server for the R620s, two sources of different method) replacing pays in every category.</li>
<li>Other categories: see each study's report; the embodied figures of the other categories are proxies (ADEME's generic server) and primary energy has no embodied figure (counted as 0), so replacing "pays" in PE by construction.</li>
</ul>
<h2>Caveats</h2>
<ul>
<li>Each year replays the base workload and the 2020 grid series (no trajectory in these studies); the R620s' embodied figures are ADEME's generic rack server standing in for them.</li>
<li>The successor of equal fabrication is an assumption (scenarios/studies/nodes/r640-equal-fabrication.json), as the footnote's.</li>
</ul>
<p class="note">Data: lifetime-study.json next to this page. Reproduce: <code>npx tsx notebooks/lifetime-study.ts</code>.</p>
`;
}

if (isMain(import.meta.url)) {
  const { html, json, result } = await run();
  for (const x of result.rows.filter((r) => r.rebound === 0 && r.load === 1)) {
    console.log(`${x.study} ${x.option}: a ${num(x.a)}, b1·t2 ${num(x.b1_t2)}, b2·t2' ${num(x.b2_t2p)} -> ${x.replacing_pays ? "pays" : "does not pay"}; fabrication dominates: ${yes(x.fabrication_dominates)}`);
  }
  console.log(`${html}\n${json}`);
}
