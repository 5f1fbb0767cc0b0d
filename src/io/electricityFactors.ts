/**
 * Loader for static per-zone electricity factors: one row per zone and
 * criterion, as in platforms/electricity/electricity_factors_by_zone.csv
 * (Boavizta boaviztapi's compiled table, AGPL-3.0; see SOURCES.md beside it).
 *
 * Columns used: code (zone, ISO3 or WOR/EEE), country, criterion, value_per_kwh,
 * unit, source, reference_year, priority. Per zone and criterion the row with
 * the lowest priority number wins (1 = preferred).
 *
 * Criteria -> EF 3.1 categories, and the basis each coordinate gets:
 * - gwp->CC, odp->ODP, pm->PM, ir->IR, pocp->POCP, ap->AC, ept->EUT, epf->EUF,
 *   epm->EUM, adpe->RUMM, adpf->RUF: Data.
 * - wu->WU: Proxy. Boavizta's wu is WRI water consumption in m3 per kWh, not
 *   EF's AWARE indicator (m3 world eq deprived, consumption weighted by local
 *   scarcity, factors 0.1..100); it is taken one to one.
 * - lu->LU: Data in principle, but the table holds 0 in every zone (see below).
 * - pe->PE (primary energy, MJ per kWh): Proxy. Boavizta derives it as ADPf /
 *   (1 - renewable share of the mix), which scales the fossil and nuclear
 *   resource use up to all sources; an estimate, not an inventory figure.
 * - A value of exactly 0 is Missing, whatever the criterion: producing a kWh
 *   has some impact in every category, and the ADEME Base IMPACTS export writes
 *   0 where it has no figure (LU in all 139 zones, ODP in 131, PM in 2, like
 *   gwpb and gwplu everywhere). A placeholder is not a measured zero.
 * - HTC, HTNC, ETF: no electricity factors exist in the table: Missing, value 0.
 * - A criterion absent for a zone (e.g. wu in 90 of 139 zones, pe in 3): Missing, value 0.
 * - ENERGY: 1 per joule, Data.
 * Other criteria (gwpb, gwpf, gwplu, fe) are read and ignored.
 */
import { utf8Text } from "./readText.js";
import { cachedParseFile, type Cached } from "./parseCache.js";
import { categoryIndex, ENERGY, INDICATORS, N_COORDS } from "../core/index.js";
import { type Issue, InputError } from "../core/index.js";
import { Basis, type FactorVector } from "../core/index.js";
import { perKwhToPerJoule } from "../core/index.js";

interface CriterionMapping {
  readonly category: string;
  /** Units accepted in the table for this criterion (per kWh), as Boavizta writes them and in English. */
  readonly units: readonly string[];
  readonly basis: Basis;
}

/** Boavizta criterion -> EF 3.1 category id (or PE), accepted units (per kWh) and basis. */
export const ELECTRICITY_CRITERIA: Readonly<Record<string, CriterionMapping>> = {
  gwp: { category: "CC", units: ["kg éq. CO2", "kg CO2 eq"], basis: Basis.Data },
  odp: { category: "ODP", units: ["kg éq. CFC 11", "kg CFC-11 eq"], basis: Basis.Data },
  pm: { category: "PM", units: ["incidence de maladie", "disease incidence"], basis: Basis.Data },
  ir: { category: "IR", units: ["éq. kBq U235", "kBq U-235 eq"], basis: Basis.Data },
  pocp: { category: "POCP", units: ["kg éq. COVNM", "kg NMVOC eq"], basis: Basis.Data },
  ap: { category: "AC", units: ["mol éq. H+", "mol H+ eq"], basis: Basis.Data },
  ept: { category: "EUT", units: ["mol éq. N", "mol N eq"], basis: Basis.Data },
  epf: { category: "EUF", units: ["kg éq. P", "kg P eq"], basis: Basis.Data },
  epm: { category: "EUM", units: ["kg éq. N", "kg N eq"], basis: Basis.Data },
  lu: { category: "LU", units: ["sans dimension (pt)", "pt"], basis: Basis.Data },
  adpe: { category: "RUMM", units: ["kg éq. Sb", "kg Sb eq"], basis: Basis.Data },
  adpf: { category: "RUF", units: ["MJ"], basis: Basis.Data },
  wu: { category: "WU", units: ["m3/kWh", "m3"], basis: Basis.Proxy },
  pe: { category: "PE", units: ["MJ"], basis: Basis.Proxy },
};

const REQUIRED = ["code", "country", "criterion", "value_per_kwh", "unit", "source", "reference_year", "priority"] as const;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface Row {
  readonly line: number;
  readonly country: string;
  readonly value: number;
  readonly source: string;
  readonly year: string;
  readonly priority: number;
}

/** Per-zone static factors per JOULE of electricity (converted from per kWh), EF category order, ENERGY coordinate = 1 per joule. */
export async function readElectricityFactors(path: string): Promise<Map<string, FactorVector>> {
  // Kept by an earlier process when there is one (parseCache.ts): zones in table order, N_COORDS values each.
  return cachedParseFile(
    "electricity-factors",
    path,
    path,
    { label: path },
    (bytes) => parseElectricityFactors(utf8Text(bytes), path),
    (zones): Cached<[string, number[], string][]> => {
      const values = new Float64Array(zones.size * N_COORDS);
      let i = 0;
      for (const z of zones.values()) values.set(z.values, N_COORDS * i++);
      return { head: [...zones].map(([zone, z]) => [zone, [...z.basis], z.source]), arrays: [values] };
    },
    ({ head, arrays: [values] }) => {
      if (values.length !== head.length * N_COORDS) throw new RangeError("electricity factors cache: wrong length");
      return new Map(head.map(([zone, basis, source], i) => [zone, { values: values.slice(i * N_COORDS, (i + 1) * N_COORDS), basis: Uint8Array.from(basis), source }]));
    },
  );
}

/**
 * Parses the factor table; see readElectricityFactors.
 * @param label file name used in messages and source strings
 * @throws InputError listing every bad row (missing column, non-numeric value, unexpected unit, tie in priority)
 */
export function parseElectricityFactors(text: string, label: string): Map<string, FactorVector> {
  const records = csvRecords(text, label);
  if (records.length === 0) throw new InputError([{ code: "missing_field", file: label, message: "expected a header row, got an empty file" }]);
  const header = records[0].record.map((h) => h.trim());
  const issues: Issue[] = [];
  const col: Record<string, number> = {};
  for (const name of REQUIRED) {
    col[name] = header.indexOf(name);
    if (col[name] < 0) issues.push({ code: "missing_field", file: label, line: records[0].line, message: `expected a column "${name}", got columns ${header.join(", ")}` });
  }
  if (issues.length > 0) throw new InputError(issues);

  // Best row per zone and criterion.
  const best = new Map<string, Map<string, Row>>();
  const zoneOrder: string[] = [];
  for (const { record, line } of records.slice(1)) {
    const zone = record[col.code].trim();
    const criterion = record[col.criterion].trim();
    const mapping = ELECTRICITY_CRITERIA[criterion];
    if (!best.has(zone)) {
      best.set(zone, new Map());
      zoneOrder.push(zone);
    }
    if (!mapping) continue; // gwpb, gwpf, gwplu, fe: not used
    const rawValue = record[col.value_per_kwh].trim();
    const rawPriority = record[col.priority].trim();
    const unit = record[col.unit].trim();
    let ok = true;
    if (!DECIMAL.test(rawValue) || !Number.isFinite(Number(rawValue))) {
      issues.push({ code: "not_a_number", file: label, line, path: "value_per_kwh", message: `expected a number, got ${JSON.stringify(rawValue)}`, value: rawValue });
      ok = false;
    }
    if (!DECIMAL.test(rawPriority)) {
      issues.push({ code: "not_a_number", file: label, line, path: "priority", message: `expected a number, got ${JSON.stringify(rawPriority)}`, value: rawPriority });
      ok = false;
    }
    if (!mapping.units.includes(unit)) {
      issues.push({
        code: "invalid_value",
        file: label,
        line,
        path: "unit",
        message: `expected ${mapping.units.map((u) => JSON.stringify(u)).join(" or ")} per kWh for ${criterion}, got ${JSON.stringify(unit)}`,
        value: unit,
      });
      ok = false;
    }
    if (!ok) continue;
    const row: Row = {
      line,
      country: record[col.country].trim(),
      value: Number(rawValue),
      source: record[col.source].trim(),
      year: record[col.reference_year].trim(),
      priority: Number(rawPriority),
    };
    const perZone = best.get(zone)!;
    const held = perZone.get(criterion);
    if (held === undefined || row.priority < held.priority) perZone.set(criterion, row);
    else if (row.priority === held.priority) {
      issues.push({ code: "duplicate_id", file: label, line, path: "priority", message: `expected one ${criterion} row of priority ${row.priority} for zone ${zone}, got another at line ${held.line}`, value: row.priority });
    }
  }
  if (issues.length > 0) throw new InputError(issues);

  const out = new Map<string, FactorVector>();
  for (const zone of zoneOrder) out.set(zone, zoneFactors(zone, best.get(zone)!, label));
  return out;
}

/**
 * The records of a CSV text (RFC 4180: fields in double quotes may hold commas,
 * doubled quotes and newlines; a leading BOM is dropped; \n or \r\n ends a
 * record; empty lines are skipped), each with the line it ends on. Every record
 * has the header's number of fields. It reads the 179 KB factor table on every
 * run, so it splits unquoted lines with String.split (about 8x less time than
 * csv-parse, which it matches record for record: test/unit/io/electricityFactors).
 * @throws InputError (parse_error) naming the line: a quote left open or inside
 * an unquoted field, text after a closing quote, a record of the wrong width
 */
export function csvRecords(text: string, label: string): { record: string[]; line: number }[] {
  const bad = (line: number, message: string) => new InputError([{ code: "parse_error", file: label, line, message: `expected valid CSV, got ${message}` }]);
  const n = text.length;
  const out: { record: string[]; line: number }[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  let nextQuote = text.indexOf('"', pos);
  let width = -1;
  while (pos < n) {
    line++;
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = n;
    const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    let record: string[];
    if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
    if (nextQuote < 0 || nextQuote >= nl) {
      if (end === pos) {
        pos = nl + 1;
        continue;
      }
      record = text.slice(pos, end).split(",");
      pos = nl + 1;
    } else {
      // A line with quotes: field by field; a quoted field may run over several lines.
      const startLine = line;
      record = [];
      let i = pos;
      for (;;) {
        if (text.charCodeAt(i) === 34) {
          let value = "";
          i++;
          for (;;) {
            const q = text.indexOf('"', i);
            if (q < 0) throw bad(startLine, `a quote opened on line ${startLine} and never closed`);
            value += text.slice(i, q);
            if (text.charCodeAt(q + 1) === 34) {
              value += '"';
              i = q + 2;
            } else {
              i = q + 1;
              break;
            }
          }
          for (let k = value.indexOf("\n"); k >= 0; k = value.indexOf("\n", k + 1)) line++;
          record.push(value);
        } else {
          let j = i;
          for (; j < n; j++) {
            const c = text.charCodeAt(j);
            if (c === 44 || c === 10 || (c === 13 && text.charCodeAt(j + 1) === 10)) break;
            if (c === 34) throw bad(line, `a quote inside an unquoted field (field ${record.length + 1})`);
          }
          record.push(text.slice(i, j));
          i = j;
        }
        const c = text.charCodeAt(i);
        if (c === 44) {
          i++;
          continue;
        }
        if (i >= n) break;
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) {
          i += c === 13 ? 2 : 1;
          break;
        }
        throw bad(line, `text after a closing quote (field ${record.length})`);
      }
      pos = i;
      nextQuote = text.indexOf('"', pos);
    }
    if (width < 0) width = record.length;
    else if (record.length !== width) throw bad(line, `${record.length} fields where the header has ${width}`);
    out.push({ record, line });
  }
  return out;
}

/** Builds one zone's factor vector and its source text. */
function zoneFactors(zone: string, rows: Map<string, Row>, label: string): FactorVector {
  const values = new Float64Array(N_COORDS);
  const basis = new Uint8Array(N_COORDS).fill(Basis.Missing);
  values[ENERGY] = 1;
  basis[ENERGY] = Basis.Data;
  const bySource = new Map<string, string[]>(); // "source (year)" -> category ids
  const zeroPlaceholders: string[] = [];
  let country = "";
  for (const [criterion, mapping] of Object.entries(ELECTRICITY_CRITERIA)) {
    const row = rows.get(criterion);
    if (row === undefined) continue;
    country ||= row.country;
    const k = categoryIndex(mapping.category);
    if (row.value === 0) {
      zeroPlaceholders.push(mapping.category);
      continue;
    }
    values[k] = perKwhToPerJoule(row.value);
    basis[k] = mapping.basis;
    const key = `${row.source}${row.year ? ` (${row.year})` : ""}`;
    const ids = bySource.get(key) ?? [];
    ids.push(mapping.basis === Basis.Proxy ? `${mapping.category} [proxy]` : mapping.category);
    bySource.set(key, ids);
  }
  const missing = INDICATORS.filter((c) => basis[c.index] === Basis.Missing).map((c) => c.id);
  const parts = [`${label}, zone ${zone}${country ? ` (${country})` : ""}, per kWh converted to per J`];
  for (const [src, ids] of bySource) parts.push(`${ids.join(" ")}: ${src}`);
  if (basis[categoryIndex("WU")] === Basis.Proxy) {
    parts.push("WU is a proxy: WRI water consumption in m3, not the AWARE deprivation-weighted m3 world eq of EF 3.1");
  }
  if (basis[categoryIndex("PE")] === Basis.Proxy) parts.push("PE is a proxy: Boavizta's ADPf / (1 - renewable share), not an inventory of primary energy");
  if (zeroPlaceholders.length > 0) parts.push(`${zeroPlaceholders.join(" ")}: 0 in the table, a placeholder (no mix has zero impact), taken as missing`);
  if (missing.length > 0) parts.push(`missing (0, flagged): ${missing.join(" ")}`);
  return { values, basis, source: parts.join("; ") };
}
