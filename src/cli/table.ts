/** The short summary table printed after a run. */
import type { RunSummary } from "../run/index.js";
import { JOULES_PER_KWH } from "../core/index.js";

// A figure that is not finite (no jobs to average, say) prints as n/a, never as NaN or Infinity.
const fmt = (x: number, digits = 3) => (!Number.isFinite(x) ? "n/a" : Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(digits) : x.toFixed(digits));

/** The job trace that ran, from the provenance inputs: --workload may have replaced the scenario's. */
function workloadOf(s: RunSummary): string | undefined {
  return s.provenance?.inputs?.find((i) => /\.swf(\.gz)?$/i.test(i.path))?.path;
}

export function formatSummaryTable(s: RunSummary): string {
  const rows: [string, string][] = [
    ["scenario", s.scenario],
    ...(workloadOf(s) ? [["workload", workloadOf(s)!] as [string, string]] : []),
    ["policy", `${s.provenance.policy.name} v${s.provenance.policy.version}`],
    ["jobs run (killed at walltime)", `${s.jobs} (${s.jobs_killed})`],
    ["trace records skipped or repaired", String(Object.values(s.adjustments.workload).reduce((a, b) => a + b, 0))],
    ["grid series rows repaired or extended", String(Object.values(s.adjustments.series).reduce((a, b) => a + b, 0))],
    ["jobs never run", String(Object.values(s.dropped).reduce((a, b) => a + b, 0))],
    ["makespan", `${fmt(s.makespan_s / 86400, 2)} d`],
    ["mean wait (p50 / p90)", `${fmt(s.mean_wait_s / 3600, 2)} h (${fmt(s.wait_percentiles_s.p50 / 3600, 2)} / ${fmt(s.wait_percentiles_s.p90 / 3600, 2)} h)`],
    ["mean bounded slowdown", fmt(s.mean_bounded_slowdown, 2)],
    ["utilisation (cores / nodes)", `${fmt(100 * s.utilisation, 1)} % / ${fmt(100 * s.utilisation_nodes, 1)} %`],
    ["energy IT / facility", `${fmt(s.energy_j.it / JOULES_PER_KWH, 1)} / ${fmt(s.energy_j.facility / JOULES_PER_KWH, 1)} kWh`],
    ["  of which overhead (idle, off)", `${fmt(s.energy_j.overhead_facility / JOULES_PER_KWH, 1)} kWh facility`],
    ["climate change (use / embodied)", `${fmt(s.impacts.CC.by_phase.use, 1)} / ${fmt(s.impacts.CC.total - s.impacts.CC.by_phase.use, 1)} kg CO2e`],
    [`single score (${s.single_score.method})`, `${fmt(s.single_score.total_pt, 4)} Pt`],
  ];
  for (const w of s.workflows) {
    rows.push([`workflow ${w.workflow} ${w.name} (${w.tasks} tasks)`, `makespan ${fmt(w.makespan_s / 3600, 2)} h, ${fmt(w.bytes_moved / 1e9, 2)} GB moved, ${fmt(w.cc_kgco2eq, 3)} kg CO2e`]);
  }
  if (s.transfers.count > 0) rows.push(["transfers between sites and tiers", `${s.transfers.count}, ${fmt(s.transfers.bytes / 1e9, 2)} GB, ${fmt(s.transfers.energy_j / JOULES_PER_KWH, 3)} kWh`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  let out = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n") + "\n";
  const missing = Object.entries(s.impacts).filter(([, c]) => c.missing_phases.length > 0).map(([id, c]) => `${id} (${c.missing_phases.join(", ")})`);
  const proxied = Object.entries(s.impacts).filter(([, c]) => c.proxy_share > 0.005).map(([id, c]) => `${id} ${fmt(100 * c.proxy_share, 0)} %`);
  if (proxied.length) out += `\nresting on proxies: ${proxied.join(", ")}\n`;
  if (missing.length) out += `missing figures (counted as 0, totals are lower bounds): ${missing.join(", ")}\n`;
  return out;
}
