/**
 * A study's headline figures as a text table for the command line: for a
 * lifetime study, each comparison's climate change with footnote 33 and the
 * break-even conditions; for a growth study, each option's nodes, wait and
 * impacts with the Pareto front.
 */
import type { StudySummary } from "./runStudy.js";

const fmt = (x: number | null | undefined, digits = 4): string => {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
};

function grid(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n") + "\n";
}

export function formatStudy(s: StudySummary): string {
  if (s.lifetime) {
    const l = s.lifetime;
    const head = `${s.study}: replace ${l.group} (${l.group_nodes} x ${l.group_type}) with ${l.successor.count} x ${l.successor.type}; ${s.years.from}-${s.years.to}, embodied ${s.embodied_accounting}; climate change, kg CO2 eq\n`;
    const rows = [["option", "rebound", "load", "a", "b1*t2", "b2*t2'", "pays", "keep saves", "a_old", "b1*(t1+t2)", "fab. dominates", "grid b-e g/kWh", "years to pay back", "util b-e"]];
    for (const c of l.comparisons) {
      const f = c.footnote33.CC;
      const b = c.break_even.CC;
      const g = b.grid_pays === "always" ? "always" : b.grid_pays === "never" ? "never" : `${fmt(b.grid_per_kwh !== null ? b.grid_per_kwh * 1000 : null)} (${b.grid_pays})`;
      rows.push([c.option, fmt(c.rebound), fmt(c.load), fmt(f.a), fmt(f.b1_t2), fmt(f.b2_t2p), f.replacing_pays ? "yes" : "no", fmt(f.keeping_saves), fmt(f.a_old), fmt(f.b1_t1_t2), f.fabrication_dominates ? "yes" : "no", g, fmt(b.remaining_years, 3), b.utilisation === null ? "-" : `${(100 * b.utilisation).toFixed(1)} %`]);
    }
    const basis = (v: (typeof l.replacing_pays)[string]) => (v.embodied_basis.replaced === "missing" || v.embodied_basis.successor === "missing" ? " (embodied figures missing, counted as 0)" : v.embodied_basis.replaced === "proxy" || v.embodied_basis.successor === "proxy" ? " (embodied by proxy)" : "");
    const pays = Object.entries(l.replacing_pays).filter(([, v]) => v.pays > 0).map(([id, v]) => `${id} ${v.pays}/${v.of}${basis(v)}`);
    return head + grid(rows) + `replacing pays in: ${pays.length > 0 ? pays.join(", ") : "no category, in no comparison"}\n`;
  }
  const g = s.growth!;
  const head = `${s.study}: absorbing ${(100 * g.extra_work).toFixed(0)} % more work from ${g.from}; ${s.years.from}-${s.years.to}, embodied ${s.embodied_accounting}\n`;
  const rows = [["front", "option", "nodes (last year)", "node-years", "mean wait h", "CC kg", "score Pt", "energy kWh", "CC vs reference kg"]];
  for (const o of g.options) rows.push([o.on_front ? "*" : "", o.option, String(o.nodes_last_year), fmt(o.node_years), fmt(o.mean_wait_s / 3600), fmt(o.total.CC), fmt(o.single_score_pt), fmt(o.energy_facility_kwh), fmt(o.versus_reference.cc_kgco2eq)]);
  return head + grid(rows);
}
