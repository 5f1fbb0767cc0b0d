/**
 * Errors as data. Every impactsim error extends ImpactsimError. Input problems
 * are Issues (code, location, message) collected before failing; an InputError
 * carries all of them. Messages are built here only, so they share one shape:
 * location first, then what was expected and what was found.
 */
export type IssueCode =
  | "missing_field"
  | "invalid_value"
  | "invalid_type"
  | "unknown_reference"
  | "duplicate_id"
  | "negative_runtime"
  | "zero_runtime"
  | "unknown_runtime"
  | "invalid_processors"
  | "invalid_walltime"
  | "io_error"
  | "too_many_processors"
  | "too_many_devices"
  | "too_much_memory"
  | "exclusive_not_allowed"
  | "cpu_usage_capped"
  | "submit_out_of_order"
  | "wrong_field_count"
  | "not_a_number"
  | "unsorted_rows"
  | "duplicate_timestamp"
  | "dst_ambiguous"
  | "dst_gap"
  | "gap_filled"
  | "missing_value"
  | "parse_error"
  | "unknown_option"
  | "implausible_value"
  | "series_too_short"
  | "series_extended"
  | "schema";

export interface Issue {
  readonly code: IssueCode;
  readonly file: string;
  /** 1-based line, for line-oriented formats. */
  readonly line?: number;
  /** Field name or JSON path, e.g. "field 4 (run_time)" or "sites[0].pue". */
  readonly path?: string;
  /** What was expected and what was found. */
  readonly message: string;
  readonly value?: unknown;
}

/** Format an issue as `file:line: path: message`. */
export function formatIssue(issue: Issue): string {
  const loc = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  return issue.path ? `${loc}: ${issue.path}: ${issue.message}` : `${loc}: ${issue.message}`;
}

/** Base class of every error impactsim throws on purpose. */
export class ImpactsimError extends Error {
  override name = "ImpactsimError";
}

/** Bad input: holds every issue found; the message shows the first few and counts the rest. */
export class InputError extends ImpactsimError {
  override name = "InputError";
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[], shown = 10) {
    const lines = issues.slice(0, shown).map(formatIssue);
    if (issues.length > shown) lines.push(`... and ${issues.length - shown} more issue(s)`);
    super(lines.join("\n"));
    this.issues = issues;
  }
}

/** A command line that cannot be understood (unknown option, missing argument): nothing was run. */
export class UsageError extends ImpactsimError {
  override name = "UsageError";
}

/** An error raised while the simulation ran, with where and when. */
export class SimulationError extends ImpactsimError {
  override name = "SimulationError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Collects adjustments made in lenient mode: every skipped or repaired record
 * is counted by code, and the first few are kept as examples.
 */
export class AdjustmentLog {
  readonly counts = new Map<IssueCode, number>();
  readonly examples: Issue[] = [];
  constructor(private readonly maxExamples = 20) {}

  record(issue: Issue): void {
    this.counts.set(issue.code, (this.counts.get(issue.code) ?? 0) + 1);
    if (this.examples.length < this.maxExamples) this.examples.push(issue);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** Counts by code, sorted by code for stable output. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
