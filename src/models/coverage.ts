/**
 * Whether a platform's grid series cover a run: one rule for runs and for
 * estimates. A run needs each site's intensity from simulation time 0 (idle
 * nodes are charged from the start) to its end. A series that does not extend
 * (extension "error") covers only the times its rows give; a run that needs
 * more is refused, naming the series file, its span and the run's span. The
 * only ways past it are explicit: a series that covers the run, or an
 * extension rule chosen by the user (`--series-extend hold|repeat`, or the
 * scenario's `series_extension`), and every extension actually used is
 * counted in the run's adjustments.
 */
import { relative } from "node:path";
import type { Issue } from "../core/index.js";
import type { PlatformModel } from "./platform.js";

/** What to say when a series falls short: the two ways out. */
export const EXTEND_HINT = "give a series that covers the run, or extend it explicitly with --series-extend hold (last values) or repeat (the series again, period by period), or the scenario's series_extension";

/** The span of a site's intensity series, simulation seconds. */
export interface SeriesSpan {
  readonly site: string;
  /** The file it was read from, as given to the platform (or the intensity's source). */
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly extends: boolean;
}

/** Every site's intensity series read from a file, in site order (static factors cover all times and are left out). */
export function seriesSpans(platform: PlatformModel): SeriesSpan[] {
  const out: SeriesSpan[] = [];
  for (const site of platform.sites) {
    const s = site.intensity.series;
    if (site.intensity.file === undefined && s.extension !== "error") continue;
    out.push({ site: site.id, file: site.intensity.file ?? site.intensity.source, start: s.starts[0], end: s.end, extends: s.extension !== "error" });
  }
  return out;
}

/** The latest time every non-extending series covers (Infinity when none limits the run). */
export function coveredUntil(platform: PlatformModel): number {
  let end = Infinity;
  for (const s of seriesSpans(platform)) if (!s.extends) end = Math.min(end, s.end);
  return end;
}

/** The earliest time every non-extending series covers (-Infinity when none limits the run). */
export function coveredFrom(platform: PlatformModel): number {
  let start = -Infinity;
  for (const s of seriesSpans(platform)) if (!s.extends) start = Math.max(start, s.start);
  return start;
}

/** A simulation time as ISO 8601 (UTC) on the platform's clock, or in seconds when the platform has no epoch. */
export function isoAt(platform: PlatformModel, t: number): string {
  if (platform.epoch === undefined || !Number.isFinite(t)) return `${t} s`;
  const ms = (platform.epoch + t) * 1000;
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString().replace(".000Z", "Z") : `${t} s`;
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/**
 * One issue per non-extending series that does not cover [from, to].
 * @param need what the run needs, in words, e.g. "the run needs" or "the estimate's starts need"
 */
export function uncoveredIssues(platform: PlatformModel, from: number, to: number, need = "the run needs"): Issue[] {
  const issues: Issue[] = [];
  for (const s of seriesSpans(platform)) {
    if (s.extends || (from >= s.start && to <= s.end)) continue;
    issues.push({
      code: "series_too_short",
      file: shown(s.file),
      path: `site ${s.site}`,
      message: `expected a grid series covering ${isoAt(platform, from)} to ${isoAt(platform, to)} (${need} them), got one covering ${isoAt(platform, s.start)} to ${isoAt(platform, s.end)}`,
      value: { run: [from, to], series: [s.start, s.end] },
    });
  }
  // The way out is said once, after the last series.
  if (issues.length > 0) {
    const last = issues[issues.length - 1];
    issues[issues.length - 1] = { ...last, message: `${last.message}; ${EXTEND_HINT}` };
  }
  return issues;
}

/** "traces/grid/fr.csv (site fr) covers A to B; ...": the non-extending series that do not cover [from, to], in words. */
export function shortSeriesText(platform: PlatformModel, from: number, to: number): string {
  return seriesSpans(platform)
    .filter((s) => !s.extends && !(from >= s.start && to <= s.end))
    .map((s) => `${shown(s.file)} (site ${s.site}) covers ${isoAt(platform, s.start)} to ${isoAt(platform, s.end)}`)
    .join("; ");
}

/** One adjustment per extending series that a run over [from, to] read beyond its rows, saying how far. */
export function extensionIssues(platform: PlatformModel, from: number, to: number): Issue[] {
  const issues: Issue[] = [];
  for (const site of platform.sites) {
    const series = site.intensity.series;
    if (site.intensity.file === undefined || series.extension === "error") continue;
    const before = Math.max(0, series.starts[0] - from);
    const after = Math.max(0, to - series.end);
    if (before === 0 && after === 0) continue;
    issues.push({
      code: "series_extended",
      file: shown(site.intensity.file),
      path: `site ${site.id}`,
      message: `the series covers ${isoAt(platform, series.starts[0])} to ${isoAt(platform, series.end)}; the run (${isoAt(platform, from)} to ${isoAt(platform, to)}) read ${before + after} s beyond it, extended by "${series.extension}"`,
      value: { before_s: before, after_s: after, rule: series.extension },
    });
  }
  return issues;
}
