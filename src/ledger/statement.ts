/**
 * Statements and exports of the durable ledger: what a project (or a user)
 * spent over a period, by life-cycle phase and category, per user, with what
 * was wasted (jobs killed at their walltime, requested time left unused,
 * reserved cores left idle), so users can see where to improve; and the
 * entries as CSV.
 */
import { ENERGY, fsum, INDICATORS, N_COORDS, PHASES } from "../core/index.js";
import { amountIn, sumEntries, type Balance, type Entry, type LedgerStore, type Unit } from "./store.js";

export interface Statement {
  readonly project: string;
  readonly user?: string;
  readonly from: number;
  readonly to: number;
  readonly entries: number;
  readonly jobs: number;
  readonly energy_it_kwh: number;
  readonly energy_facility_kwh: number;
  readonly single_score_pt: number;
  /** Per indicator column (e.g. cc_kgco2eq): total and by phase. */
  readonly impacts: Record<string, { total: number; by_phase: Record<string, number> }>;
  /** Share of the figures measured, modelled or estimated, by facility energy. */
  readonly basis: Record<string, number>;
  readonly users: Record<string, { jobs: number; energy_facility_kwh: number; single_score_pt: number }>;
  readonly waste: {
    readonly killed: { jobs: number; energy_facility_kwh: number; single_score_pt: number; cc_kgco2eq: number };
    readonly walltime_unused_core_h: number;
    readonly idle_reserved_core_h: number;
  };
  readonly balance?: Balance;
}

const KWH = 3.6e6;

/** Net figures per charged job: each charge with its corrections and refunds. */
function byJob(entries: readonly Entry[]): Map<string, Entry[]> {
  const out = new Map<string, Entry[]>();
  for (const e of entries) {
    const k = e.kind === "charge" ? e.key : e.refers!;
    const list = out.get(k);
    if (list) list.push(e);
    else out.set(k, [e]);
  }
  return out;
}

/** A statement of a project (or user) over [from, to) (epoch s), with the balance at `to` when asked. */
export async function statement(store: LedgerStore, opts: { project: string; user?: string; from: number; to: number; unit?: Unit; withBalance?: boolean }): Promise<Statement> {
  const entries = await store.entries({ project: opts.project, user: opts.user, from: opts.from, to: opts.to });
  const total = sumEntries(entries);
  const impacts: Statement["impacts"] = {};
  for (const c of INDICATORS) {
    const by_phase: Record<string, number> = {};
    PHASES.forEach((ph, p) => (by_phase[ph] = total.impacts[p * N_COORDS + c.index]));
    impacts[c.column] = { total: fsum(Object.values(by_phase)), by_phase };
  }
  const jobs = byJob(entries);
  let counted = 0;
  const killed: Entry[] = [];
  const users = new Map<string, Entry[]>();
  const basis = new Map<string, number[]>();
  for (const list of jobs.values()) {
    const net = sumEntries(list);
    const refunded = list.some((e) => e.kind === "refund");
    if (!refunded) counted++;
    if (list[0].waste.killed && !refunded) killed.push(...list);
    const u = list[0].user;
    users.set(u, [...(users.get(u) ?? []), ...list]);
    const b = list[list.length - 1].basis;
    basis.set(b, [...(basis.get(b) ?? []), net.energyFacilityJ]);
  }
  const facility = total.energyFacilityJ;
  const k = sumEntries(killed);
  const ccIndex = INDICATORS.find((c) => c.column === "cc_kgco2eq")!.index;
  const stmt: Statement = {
    project: opts.project,
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    from: opts.from,
    to: opts.to,
    entries: entries.length,
    jobs: counted,
    energy_it_kwh: total.energyItJ / KWH,
    energy_facility_kwh: facility / KWH,
    single_score_pt: total.singleScorePt,
    impacts,
    basis: Object.fromEntries([...basis.entries()].sort().map(([b, v]) => [b, facility !== 0 ? fsum(v) / facility : 0])),
    users: Object.fromEntries(
      [...users.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([u, list]) => {
        const s = sumEntries(list);
        return [u, { jobs: byJob(list).size - new Set(list.filter((e) => e.kind === "refund").map((e) => e.refers)).size, energy_facility_kwh: s.energyFacilityJ / KWH, single_score_pt: s.singleScorePt }];
      }),
    ),
    waste: {
      killed: { jobs: byJob(killed).size, energy_facility_kwh: k.energyFacilityJ / KWH, single_score_pt: k.singleScorePt, cc_kgco2eq: amountIn(k, "cc_kgco2eq") },
      walltime_unused_core_h: total.waste.walltime_unused_core_s / 3600,
      idle_reserved_core_h: total.waste.idle_reserved_core_s / 3600,
    },
  };
  void ccIndex;
  if (opts.withBalance) return { ...stmt, balance: await store.balance(opts.project, { user: opts.user, at: opts.to - 1e-3, unit: opts.unit }) };
  return stmt;
}

/** Columns of the CSV export: the entry, then energy, the single score and each indicator over all phases, then climate change per phase. */
export function exportColumns(): string[] {
  return [
    "id", "key", "kind", "refers", "job", "project", "user", "site", "node_type", "start", "end", "basis",
    "energy_it_j", "energy_facility_j", "single_score_pt", ...INDICATORS.map((c) => c.column), ...PHASES.map((p) => `cc_${p}_kgco2eq`),
    "killed", "walltime_unused_core_s", "idle_reserved_core_s", "provenance",
  ];
}

function cell(v: unknown): string {
  const s = typeof v === "number" ? String(v) : v === undefined || v === null ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Entries as CSV rows (header first); numbers in full precision. */
export function entriesCsv(entries: readonly Entry[]): string {
  const lines = [exportColumns().join(",")];
  const cc = INDICATORS.find((c) => c.column === "cc_kgco2eq")!.index;
  for (const e of entries) {
    const row: unknown[] = [e.id, e.key, e.kind, e.refers, e.job, e.project, e.user, e.site, e.nodeType, new Date(e.start * 1000).toISOString(), new Date(e.end * 1000).toISOString(), e.basis, e.energyItJ, e.energyFacilityJ, e.singleScorePt];
    for (const c of INDICATORS) row.push(amountIn(e, c.column));
    PHASES.forEach((_, p) => row.push(e.impacts[p * N_COORDS + cc]));
    row.push(e.waste.killed ? 1 : 0, e.waste.walltime_unused_core_s, e.waste.idle_reserved_core_s, JSON.stringify(e.provenance));
    lines.push(row.map(cell).join(","));
  }
  return lines.join("\n") + "\n";
}

export { ENERGY };
