/**
 * Runs one scenario under several policies and compares them with the first
 * (the baseline): impacts saved and wait added, overall and per QoS class.
 */
import { JOULES_PER_KWH } from "../core/index.js";
import { runScenario, type RunOverrides } from "./runScenario.js";
import type { RunSummary } from "./summary.js";

export interface PolicyChoice {
  readonly name: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface ComparisonRow {
  readonly policy: string;
  readonly class: string;
  readonly jobs: number;
  readonly mean_wait_s: number;
  /** Jobs started later than their QoS allowed (blank for "all" without classes). */
  readonly late_starts: number;
  readonly energy_facility_kwh: number;
  readonly cc_kgco2eq: number;
  readonly single_score_pt: number;
  /** Relative to the baseline's same class: impact saved (positive = less) and wait added, s. */
  readonly cc_saved: number;
  readonly single_score_saved: number;
  readonly wait_added_s: number;
}

function label(p: PolicyChoice): string {
  return p.params && Object.keys(p.params).length > 0 ? `${p.name}${JSON.stringify(p.params)}` : p.name;
}

/** Rows per policy: the whole run ("all"), then each QoS class. */
function rowsOf(s: RunSummary): { class: string; jobs: number; wait: number; late: number; energy: number; cc: number; score: number }[] {
  const classes = Object.entries(s.qos);
  const late = classes.reduce((a, [, q]) => a + q.started_after_allowed_delay, 0);
  const rows = [{ class: "all", jobs: s.jobs, wait: s.mean_wait_s, late, energy: s.energy_j.facility, cc: s.impacts.CC.total, score: s.single_score.total_pt }];
  for (const [name, q] of classes) rows.push({ class: name, jobs: q.jobs, wait: q.mean_wait_s, late: q.started_after_allowed_delay, energy: q.energy_facility_j, cc: q.cc_kgco2eq, score: q.single_score_pt });
  return rows;
}

export async function comparePolicies(options: { scenario?: string; policies: readonly PolicyChoice[]; overrides?: RunOverrides; outRoot?: string }): Promise<{ rows: ComparisonRow[]; summaries: RunSummary[] }> {
  if (options.policies.length === 0) throw new RangeError("comparePolicies: expected at least one policy, got none");
  const summaries: RunSummary[] = [];
  for (const [i, p] of options.policies.entries()) {
    const out = await runScenario({
      scenario: options.scenario,
      overrides: { ...options.overrides, policy: p.name, policyParams: p.params ?? {}, out: `${options.outRoot ?? "results/compare"}/${i}-${p.name}`, summaryOnly: true },
    });
    summaries.push(out.summary);
  }
  const base = new Map(rowsOf(summaries[0]).map((r) => [r.class, r]));
  const rows: ComparisonRow[] = [];
  summaries.forEach((s, i) => {
    for (const r of rowsOf(s)) {
      const b = base.get(r.class);
      rows.push({
        policy: label(options.policies[i]),
        class: r.class,
        jobs: r.jobs,
        mean_wait_s: r.wait,
        late_starts: r.late,
        energy_facility_kwh: r.energy / JOULES_PER_KWH,
        cc_kgco2eq: r.cc,
        single_score_pt: r.score,
        cc_saved: b && b.cc !== 0 ? 1 - r.cc / b.cc : 0,
        single_score_saved: b && b.score !== 0 ? 1 - r.score / b.score : 0,
        wait_added_s: b ? r.wait - b.wait : 0,
      });
    }
  });
  return { rows, summaries };
}

export function formatComparison(rows: readonly ComparisonRow[]): string {
  const header = ["policy", "class", "jobs", "mean wait h", "wait added h", "late starts", "energy kWh", "CC kg", "CC saved", "score Pt", "score saved"];
  const lines = rows.map((r) => [
    r.policy,
    r.class,
    String(r.jobs),
    (r.mean_wait_s / 3600).toFixed(2),
    (r.wait_added_s / 3600).toFixed(2),
    String(r.late_starts),
    r.energy_facility_kwh.toFixed(1),
    r.cc_kgco2eq.toFixed(2),
    `${(100 * r.cc_saved).toFixed(1)} %`,
    r.single_score_pt.toFixed(4),
    `${(100 * r.single_score_saved).toFixed(1)} %`,
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
  const fmt = (cells: string[]) => cells.map((c, k) => (k < 2 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ");
  return [fmt(header), ...lines.map(fmt)].join("\n") + "\n";
}
