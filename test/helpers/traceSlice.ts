/**
 * Smaller inputs for end-to-end tests: the head of a shipped SWF trace, so a
 * test that proves a property of any workload need not replay the whole trace.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { DEFAULT_SCENARIO } from "../../src/run/runScenario.js";

const defaultScenario = JSON.parse(readFileSync(DEFAULT_SCENARIO, "utf8")) as { workload: { file: string } };
/** The default scenario's trace. */
export const DEFAULT_TRACE = resolve(dirname(DEFAULT_SCENARIO), defaultScenario.workload.file);

/** Text of an SWF file, gunzipped when it starts with the gzip magic bytes. */
export function swfText(path: string): string {
  const bytes = readFileSync(path);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString("utf8");
}

/**
 * Writes the header comments and the first `jobs` job lines of an SWF trace to
 * `dir`/`name` and returns that path.
 */
export function writeTraceSlice(dir: string, jobs: number, source = DEFAULT_TRACE, name = `head-${jobs}.swf`): string {
  const out: string[] = [];
  let n = 0;
  for (const line of swfText(source).split(/\r?\n/)) {
    const t = line.trim();
    if (t === "") continue;
    if (t.startsWith(";")) out.push(line);
    else if (n++ < jobs) out.push(line);
  }
  const path = join(dir, name);
  writeFileSync(path, out.join("\n") + "\n");
  return path;
}
