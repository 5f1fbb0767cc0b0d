/**
 * Reads the EF normalisation and weighting table
 * (platforms/lca/ef31_normalisation_weighting.csv, see platforms/lca/SOURCES.md)
 * into a core ScoreMethod: EF 3.1 (the default) or EF 3.0, which differ in
 * their normalisation factors only (the weights are the same).
 */
import { readFileBytes, utf8Text } from "./readText.js";
import { cachedParse, type Cached } from "./parseCache.js";
import { shippedPath } from "./paths.js";
import { parse } from "csv-parse/sync";
import { EF_CATEGORIES, N_EF } from "../core/index.js";
import { InputError, type Issue } from "../core/index.js";
import { scoreMethod, type ScoreMethod } from "../core/index.js";

/** The table shipped with impactsim. */
export const DEFAULT_SCORE_METHOD_PATH = shippedPath("platforms/lca/ef31_normalisation_weighting.csv");

/** Categories the JRC alternative weighting set leaves out (toxicity, for robustness). */
export const TOXICITY_CATEGORIES: readonly string[] = ["HTC", "HTNC", "ETF"];

/** The EF versions the table holds, and each one's normalisation column. */
export const SCORE_METHOD_VERSIONS = ["3.1", "3.0"] as const;
export type ScoreMethodVersion = (typeof SCORE_METHOD_VERSIONS)[number];
const NF_COLUMNS: Readonly<Record<ScoreMethodVersion, string>> = { "3.1": "nf_ef31_global_per_person", "3.0": "nf_ef30_global_per_person" };
const NF_SOURCES: Readonly<Record<ScoreMethodVersion, string>> = {
  "3.1": "EF 3.1 global per person (Andreasi Bassi et al. 2023, JRC130796, EUR 31414 EN, doi:10.2760/798894)",
  "3.0": "EF 3.0 global per person (Sala, Crenna, Secchi, Pant 2017, EUR 28984 EN, doi:10.2760/88930; Crenna et al. 2019, Int J LCA 24:1851-1877)",
};
const WEIGHT_COLUMN = "weighting_percent";
const WEIGHT_EXCL_TOX_COLUMN = "weighting_percent_excl_toxicity";

/**
 * The EF single-score method: global normalisation factors per person
 * (3 significant figures, as JRC publishes them) and the EF weights, EF 3.1
 * unless `version` is "3.0" (EF 3.0's normalisation factors; the weights of
 * Sala et al. 2018 serve both).
 * With `excludeToxicity`, the JRC alternative weights without HTC, HTNC and
 * ETF (those three weigh 0; the published set sums to 100.02 %, used as is).
 * @param path the CSV (ef_code, nf_ef31_global_per_person or nf_ef30_global_per_person, weighting_percent, weighting_percent_excl_toxicity, ...)
 * @throws InputError naming line and column of every bad or missing value; RangeError on an unknown version
 */
export async function readScoreMethod(path: string, options: { excludeToxicity?: boolean; version?: ScoreMethodVersion } = {}): Promise<ScoreMethod> {
  const version = options.version ?? "3.1";
  if (!SCORE_METHOD_VERSIONS.includes(version)) throw new RangeError(`readScoreMethod: expected version ${SCORE_METHOD_VERSIONS.join(" or ")}, got ${JSON.stringify(version)}`);
  const excludeToxicity = options.excludeToxicity ?? false;
  const bytes = await readFileBytes(path);
  // Kept by an earlier process when there is one (parseCache.ts): csv-parse was about a twentieth of a 10-job run.
  return cachedParse(
    "score-method",
    bytes,
    { label: path, version, excludeToxicity },
    () => parseScoreMethod(utf8Text(bytes), path, version, excludeToxicity),
    (m): Cached<{ name: string; source: string }> => ({ head: { name: m.name, source: m.source }, arrays: [m.normalisation, m.weights] }),
    ({ head, arrays: [normalisation, weights] }) => {
      if (normalisation?.length !== N_EF || weights?.length !== N_EF || typeof head.name !== "string" || typeof head.source !== "string") throw new RangeError("score method cache: wrong shape");
      return { name: head.name, normalisation, weights, source: head.source };
    },
  );
}

/** readScoreMethod on the table's text. */
function parseScoreMethod(text: string, path: string, version: ScoreMethodVersion, excludeToxicity: boolean): ScoreMethod {
  const NF_COLUMN = NF_COLUMNS[version];
  const weightColumn = excludeToxicity ? WEIGHT_EXCL_TOX_COLUMN : WEIGHT_COLUMN;
  const issues: Issue[] = [];
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, info: true, skip_empty_lines: true, bom: true }) as typeof rows;
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    throw new InputError([{ code: "parse_error", file: path, ...(err.lines ? { line: err.lines } : {}), message: `expected CSV, got an error: ${err.message}` }]);
  }
  const header = rows.length > 0 ? Object.keys(rows[0].record) : [];
  for (const col of ["ef_code", NF_COLUMN, weightColumn]) {
    if (!header.includes(col)) issues.push({ code: "missing_field", file: path, line: 1, message: `expected a column "${col}", got columns ${header.join(", ") || "none"}` });
  }
  if (issues.length > 0) throw new InputError(issues);

  const nf: Record<string, number> = {};
  const weights: Record<string, number> = {};
  const lineOf = new Map<string, number>();
  const number = (raw: string, line: number, column: string, blankAllowed: boolean): number | undefined => {
    const s = raw.trim();
    if (s === "" && blankAllowed) return 0;
    const x = s === "" ? NaN : Number(s);
    if (!Number.isFinite(x)) {
      issues.push({ code: "not_a_number", file: path, line, path: column, message: `expected a number, got ${JSON.stringify(raw)}` });
      return undefined;
    }
    return x;
  };
  for (const { record, info } of rows) {
    const line = info.lines;
    const id = record.ef_code;
    if (!EF_CATEGORIES.some((c) => c.id === id)) {
      issues.push({ code: "unknown_reference", file: path, line, path: "ef_code", message: `expected a category id (${EF_CATEGORIES.map((c) => c.id).join(", ")}), got ${JSON.stringify(id)}` });
      continue;
    }
    const first = lineOf.get(id);
    if (first !== undefined) {
      issues.push({ code: "duplicate_id", file: path, line, path: "ef_code", message: `expected each category once, got "${id}" again (first at line ${first})` });
      continue;
    }
    lineOf.set(id, line);
    const n = number(record[NF_COLUMN], line, NF_COLUMN, false);
    if (n !== undefined && n <= 0) issues.push({ code: "invalid_value", file: path, line, path: NF_COLUMN, message: `expected a number > 0, got ${n}` });
    const w = number(record[weightColumn], line, weightColumn, excludeToxicity && TOXICITY_CATEGORIES.includes(id));
    if (w !== undefined && w < 0) issues.push({ code: "invalid_value", file: path, line, path: weightColumn, message: `expected a number >= 0, got ${w}` });
    if (n !== undefined) nf[id] = n;
    if (w !== undefined) weights[id] = w;
  }
  for (const c of EF_CATEGORIES) {
    if (!lineOf.has(c.id)) issues.push({ code: "missing_value", file: path, path: "ef_code", message: `expected a row for category ${c.id} (${c.name}), got none` });
  }
  if (excludeToxicity) {
    for (const id of TOXICITY_CATEGORIES) {
      if (weights[id] !== undefined && weights[id] !== 0) {
        issues.push({ code: "invalid_value", file: path, line: lineOf.get(id), path: weightColumn, message: `expected no weight for toxicity category ${id}, got ${weights[id]}` });
      }
    }
  }
  if (issues.length === 0) {
    const sum = Object.values(weights).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 100) > 0.05) issues.push({ code: "invalid_value", file: path, path: weightColumn, message: `expected weights summing to 100 % (within 0.05), got ${sum}` });
  }
  if (issues.length > 0) throw new InputError(issues);

  const name = excludeToxicity ? `EF ${version} (without toxicity categories)` : `EF ${version}`;
  const source =
    `${path}: normalisation = ${NF_SOURCES[version]}; ` +
    `weighting = ${excludeToxicity ? "JRC alternative set without toxicity" : "EF weights incl. robustness"} (Sala, Cerutti, Pant 2018, EUR 28562 EN, doi:10.2760/945290)`;
  return scoreMethod(name, nf, weights, source);
}
