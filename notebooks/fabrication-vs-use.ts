/**
 * Notebook: how much of a job's climate-change impact is the fabrication of
 * the hardware, and how much the electricity it uses, on grids of different
 * carbon intensity?
 *
 *   npx tsx notebooks/fabrication-vs-use.ts
 *
 * One representative job: one node for one day (86,400 s) at 50 % and at
 * 100 % utilisation, on each node type of platforms/two-site-eu.json, on the
 * static grid factors of eight zones from low to high carbon intensity
 * (platforms/electricity/electricity_factors_by_zone.csv). Uses the project's
 * own models (power curve, embodied amortisation, factor table) and writes
 * results/notebooks/fabrication-vs-use.html and .json.
 */
import { categoryIndex, N_COORDS, PHASE_INDEX, PHASES } from "../src/core/categories.js";
import { JOULES_PER_KWH } from "../src/core/units.js";
import { readElectricityFactors } from "../src/io/electricityFactors.js";
import { loadPlatform } from "../src/io/platform.js";
import { shippedPath } from "../src/io/paths.js";
import { embodiedPerNodeSecond } from "../src/models/embodied.js";
import { powerCurveFromSpec } from "../src/models/power.js";
import { DEFAULT_OUT_DIR, esc, isMain, num, page, pct, table, writeOutputs } from "./lib.js";

export const PLATFORM = shippedPath("platforms/two-site-eu.json");
export const FACTORS = shippedPath("platforms/electricity/electricity_factors_by_zone.csv");
/** Zones from low to high carbon intensity (static gwp factors of the table). */
export const ZONES = ["SWE", "CHE", "FRA", "GBR", "DEU", "CHN", "IND", "POL"] as const;
export const UTILISATIONS = [0.5, 1] as const;
export const DURATION_S = 86_400;
const CC = categoryIndex("CC");

export interface ZoneResult {
  zone: string;
  country: string;
  /** Climate-change factor of the zone's electricity, kg CO2 eq per kWh. */
  gwp_kg_per_kwh: number;
  gwp_source: string;
  use_kgco2eq: number;
  embodied_kgco2eq: number;
  total_kgco2eq: number;
  /** embodied / total. */
  fabrication_share: number;
}

export interface CaseResult {
  node_type: string;
  utilisation: number;
  duration_s: number;
  power_w: number;
  pue: number;
  pue_site: string;
  energy_it_kwh: number;
  energy_facility_kwh: number;
  /** Embodied CC of the node-day by phase (fabrication, transport, endOfLife), kg CO2 eq. */
  embodied_by_phase_kgco2eq: Record<string, number>;
  embodied_kgco2eq: number;
  lifetime_years: number;
  /** Grid intensity at which embodied = use, g CO2 eq per kWh. */
  crossover_g_per_kwh: number;
  embodied_source: string;
  power_source: string;
  zones: ZoneResult[];
}

export interface FabricationVsUseResult {
  question: string;
  platform: string;
  factors: string;
  cases: CaseResult[];
}

/** The part of a factor vector's source text that names CC, and the zone's country. */
function ccSource(source: string): { country: string; cc: string } {
  const parts = source.split("; ");
  const country = /zone \w+ \(([^)]*)\)/.exec(parts[0])?.[1] ?? "";
  const part = parts.find((p) => {
    const i = p.indexOf(": ");
    return i > 0 && p.slice(0, i).split(" ").includes("CC");
  });
  return { country, cc: part ? part.slice(part.indexOf(": ") + 2) : source };
}

/** Computes every case; pure apart from reading the platform and the factor table. */
export async function compute(): Promise<FabricationVsUseResult> {
  const platform = await loadPlatform(PLATFORM);
  const factors = await readElectricityFactors(FACTORS);
  const zones = ZONES.map((z) => {
    const f = factors.get(z);
    if (!f) throw new Error(`fabrication-vs-use: zone ${z} is not in ${FACTORS}`);
    const { country, cc } = ccSource(f.source);
    return { zone: z, country, perJoule: f.values[CC], perKwh: f.values[CC] * JOULES_PER_KWH, source: cc };
  });
  const cases: CaseResult[] = [];
  for (const [name, t] of Object.entries(platform.node_types)) {
    const site = platform.sites.find((s) => s.nodes.some((n) => n.type === name));
    if (!site) throw new Error(`fabrication-vs-use: node type ${name} is on no site`);
    const curve = powerCurveFromSpec(t.power);
    const emb = embodiedPerNodeSecond(t, platform.lca_references);
    const byPhase: Record<string, number> = {};
    let embodied = 0;
    for (const ph of PHASES) {
      if (ph === "use") continue;
      const v = emb.perPhase[PHASE_INDEX[ph] * N_COORDS + CC] * DURATION_S;
      byPhase[ph] = v;
      embodied += v;
    }
    for (const u of UTILISATIONS) {
      const powerW = curve(u);
      const itJ = powerW * DURATION_S;
      const facilityJ = itJ * site.pue;
      cases.push({
        node_type: name,
        utilisation: u,
        duration_s: DURATION_S,
        power_w: powerW,
        pue: site.pue,
        pue_site: site.id,
        energy_it_kwh: itJ / JOULES_PER_KWH,
        energy_facility_kwh: facilityJ / JOULES_PER_KWH,
        embodied_by_phase_kgco2eq: byPhase,
        embodied_kgco2eq: embodied,
        lifetime_years: t.embodied.lifetime_years,
        crossover_g_per_kwh: (1000 * embodied) / (facilityJ / JOULES_PER_KWH),
        embodied_source: emb.source,
        power_source: t.power.source ?? "",
        zones: zones.map((z): ZoneResult => {
          const use = facilityJ * z.perJoule;
          return {
            zone: z.zone,
            country: z.country,
            gwp_kg_per_kwh: z.perKwh,
            gwp_source: z.source,
            use_kgco2eq: use,
            embodied_kgco2eq: embodied,
            total_kgco2eq: use + embodied,
            fabrication_share: embodied / (use + embodied),
          };
        }),
      });
    }
  }
  return {
    question: "How much of a job's climate-change impact is the fabrication of the hardware, and how much the electricity it uses, on grids of different carbon intensity?",
    platform: "platforms/two-site-eu.json",
    factors: "platforms/electricity/electricity_factors_by_zone.csv",
    cases,
  };
}

const caseId = (c: CaseResult) => `${c.node_type}-${Math.round(c.utilisation * 100)}`;
const caseLabel = (c: CaseResult) => `${c.node_type}, 1 node-day at ${Math.round(c.utilisation * 100)} % utilisation`;

/** Computes and writes fabrication-vs-use.html and fabrication-vs-use.json into outDir. */
export async function run(outDir: string = DEFAULT_OUT_DIR): Promise<{ html: string; json: string; result: FabricationVsUseResult }> {
  const result = await compute();
  const data = result.cases.map((c) => ({
    id: caseId(c),
    rows: c.zones.map((z) => ({ label: `${z.zone} ${z.country} (${num(1000 * z.gwp_kg_per_kwh, 3)} g/kWh)`, values: { embodied: z.embodied_kgco2eq, use: z.use_kgco2eq }, note: `embodied ${pct(z.fabrication_share)}` })),
  }));
  const script = String.raw`
NB.data.forEach(function (c) {
  NB.stacked("chart-" + c.id, { rows: c.rows, keys: ["embodied", "use"], colors: { embodied: "#9c755f", use: "#f28e2b" }, labels: { embodied: "embodied (fabrication incl. transport and end of life)", use: "use (electricity x PUE x grid factor)" }, unit: "kg CO2 eq", axis: "climate change of the job, kg CO2 eq" });
});
`;
  const html = page("Fabrication versus use: a job's climate impact on different grids", body(result), data, script);
  const paths = writeOutputs(outDir, "fabrication-vs-use", html, result);
  return { ...paths, result };
}

function body(r: FabricationVsUseResult): string {
  const zones = r.cases[0].zones;
  const crossTable = table(
    ["case", "power, W", "facility energy, kWh", "embodied CC, kg CO2 eq", "lifetime, years", "crossover intensity, g CO2 eq/kWh"],
    r.cases.map((c) => [caseLabel(c), c.power_w, c.energy_facility_kwh, c.embodied_kgco2eq, c.lifetime_years, c.crossover_g_per_kwh]),
  );
  const shareTable = table(
    ["zone", "grid, g CO2 eq/kWh", ...r.cases.map((c) => `${c.node_type} ${Math.round(c.utilisation * 100)} %: use / embodied / total, kg (embodied share)`)],
    zones.map((z, i) => [
      `${z.zone} ${z.country}`,
      1000 * z.gwp_kg_per_kwh,
      ...r.cases.map((c) => {
        const x = c.zones[i];
        return `${num(x.use_kgco2eq, 3)} / ${num(x.embodied_kgco2eq, 3)} / ${num(x.total_kgco2eq, 3)} (${pct(x.fabrication_share)})`;
      }),
    ]),
  );
  const sources = table(
    ["zone", "country", "gwp, kg CO2 eq/kWh", "source (reference year)"],
    zones.map((z) => [z.zone, z.country, z.gwp_kg_per_kwh, z.gwp_source]),
  );
  const charts = r.cases.map((c) => `<h3>${esc(caseLabel(c))} (${num(c.power_w)} W, crossover ${num(c.crossover_g_per_kwh, 3)} g/kWh)</h3>\n<div id="chart-${esc(caseId(c))}" class="chart"></div>`).join("\n");
  const nodeSources = r.cases
    .filter((c, i) => r.cases.findIndex((d) => d.node_type === c.node_type) === i)
    .map((c) => `<li><strong>${esc(c.node_type)}</strong>: power: ${esc(c.power_source)}<br>embodied: ${esc(c.embodied_source)}</li>`)
    .join("\n");
  return `
<h2>Question</h2>
<p>${esc(r.question)} A job is charged the electricity its node draws (times the site's PUE, times the grid's climate-change factor) and a share of the node's embodied impacts (fabrication, transport and end of life, spread evenly over the node's lifetime, per node-second). On a low-carbon grid the embodied share dominates; on a coal-heavy grid the electricity does. The crossover intensity is the grid factor at which both are equal.</p>
<h2>Setup</h2>
<ul>
<li>Job: one node for ${num(r.cases[0].duration_s / 3600)} hours at 50 % and 100 % utilisation, on each node type of <code>${esc(r.platform)}</code>, with the PUE of the site it stands on there (${r.cases.map((c) => `${esc(c.node_type)}: ${num(c.pue)} at ${esc(c.pue_site)}`).filter((s, i, a) => a.indexOf(s) === i).join(", ")}).</li>
<li>Power: the node type's SPECpower_ssj2008 curve (<code>powerCurveFromSpec</code>), read at the utilisation.</li>
<li>Embodied: <code>embodiedPerNodeSecond</code> on the node type (whole-life embodied CC over its lifetime) times the duration.</li>
<li>Grids: static yearly climate-change factors of eight zones from <code>${esc(r.factors)}</code> (Boavizta's compiled table; the preferred row per zone), not the hourly series the default scenario uses.</li>
</ul>
<h2>Crossover intensities</h2>
${crossTable}
<p class="note">Below the crossover intensity, fabrication outweighs use for this job. For comparison, the zones below range from ${num(1000 * zones[0].gwp_kg_per_kwh, 3)} to ${num(1000 * zones[zones.length - 1].gwp_kg_per_kwh, 3)} g CO2 eq/kWh.</p>
<h2>Climate change of the job per zone</h2>
${charts}
<h2>Table</h2>
${shareTable}
<h2>Caveats</h2>
<ul>
<li><strong>Dell PCF scope</strong> (dell-r640): the product carbon footprint's "without use" figure covers manufacture, transport and end of life with no phase split used here; all of it is booked as fabrication. A PCF is a screening-level estimate with a wide uncertainty range.</li>
<li><strong>Lifetime</strong>: the embodied figure per node-second scales as 1 / lifetime. The R640 uses the 4 years of the PCF's own use scenario; keeping it 6 years would cut its embodied share per job by a third. The R620's 6 years are Boavizta's usual server lifetime.</li>
<li><strong>Proxies</strong>: the R620 has no product footprint of its own: ADEME's generic rack server stands in for it. Only climate change is shown here; the other EF categories of the R640 are proxies scaled from the same generic server.</li>
<li>An idle node's share of embodied and idle energy (the site's overhead) is not charged to the job here; nor is the network, storage, or cooling beyond the PUE.</li>
<li>Static yearly grid factors hide hourly and seasonal variation (the default scenario uses hourly French and German series instead), and the factors of the table come from different sources and years (listed below).</li>
</ul>
<h2>Grid factor sources</h2>
${sources}
<h2>Node type sources</h2>
<ul>${nodeSources}</ul>
<p class="note">Data: fabrication-vs-use.json next to this page. Reproduce: <code>npx tsx notebooks/fabrication-vs-use.ts</code>.</p>
`;
}

if (isMain(import.meta.url)) {
  const { html, json, result } = await run();
  for (const c of result.cases) {
    console.log(`${caseLabel(c)}: ${num(c.power_w)} W, ${num(c.energy_facility_kwh)} kWh facility, embodied ${num(c.embodied_kgco2eq)} kg, crossover ${num(c.crossover_g_per_kwh, 3)} g/kWh`);
    console.log("  " + c.zones.map((z) => `${z.zone} ${pct(z.fabrication_share)}`).join("  "));
  }
  console.log(`wrote ${html}\nwrote ${json}`);
}
