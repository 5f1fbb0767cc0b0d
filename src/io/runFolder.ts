/**
 * Whether the files of a run folder belong to one run: summary.json names its
 * run (`run_id`) and each file that run wrote with its SHA-256
 * (io/runOutputs.ts). A file the summary does not list, or whose content
 * differs, was left by another run (or edited since), and mixing it with this
 * summary would report figures that never went together.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError, type Issue } from "../core/index.js";
import { type OutputRecord, RUN_FILES, runIdOf, SUMMARY_FILE } from "./runOutputs.js";
import { readTextFile } from "./readText.js";

/**
 * Checks every run file present in `dir` against its summary.json.
 * @returns the parsed summary
 * @throws InputError naming each file that is not this run's, or a summary.json that is missing, not JSON or has no run id
 */
export async function checkRunFolder(dir: string): Promise<Record<string, unknown>> {
  const summaryPath = join(dir, SUMMARY_FILE);
  // Without the summary nothing says which run the other files belong to.
  if (!existsSync(summaryPath)) throw new InputError([{ code: "missing_field", file: dir, message: `expected a run folder with ${SUMMARY_FILE} (written by impactsim run), got none` }]);
  let summary: { run_id?: unknown; outputs?: Record<string, OutputRecord> };
  try {
    summary = JSON.parse(await readTextFile(summaryPath));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError([{ code: "parse_error", file: summaryPath, message: `expected the JSON summary of a run, got: ${(err as Error).message}` }]);
  }
  if (typeof summary.run_id !== "string" || typeof summary.outputs !== "object" || summary.outputs === null) {
    throw new InputError([{ code: "missing_field", file: summaryPath, path: "run_id", message: "expected a run id and the list of the run's files (written since impactsim 0.1 by run), got none: run the scenario again into this folder" }]);
  }
  // The id is derived from the rest of the summary (io/runOutputs.ts): an edited summary no longer gives it.
  const { run_id: _id, ...body } = summary;
  if (runIdOf(body) !== summary.run_id) {
    throw new InputError([{ code: "invalid_value", file: summaryPath, path: "run_id", message: `expected the summary its run wrote, got one whose content no longer gives its run id ${summary.run_id}: it was edited since` }]);
  }
  const issues: Issue[] = [];
  for (const name of RUN_FILES) {
    if (name === SUMMARY_FILE) continue;
    const path = join(dir, name);
    const listed = summary.outputs[name];
    // A file gone since (removed by hand) mixes nothing: readers say it is missing.
    if (!existsSync(path)) continue;
    if (!listed) {
      issues.push({ code: "invalid_value", file: path, message: `expected only files of run ${summary.run_id} (summary.json), got one that run did not write: it is left from another run` });
      continue;
    }
    const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
    if (sha !== listed.sha256) issues.push({ code: "invalid_value", file: path, message: `expected the content run ${summary.run_id} wrote (SHA-256 ${listed.sha256.slice(0, 12)}..., summary.json), got other content (${sha.slice(0, 12)}...): another run wrote it, or it was edited` });
  }
  if (issues.length > 0) throw new InputError(issues);
  return summary as Record<string, unknown>;
}
