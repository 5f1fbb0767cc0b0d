/** Provenance of a run: tool version, input file hashes, seed and policy, so results can be traced and reproduced. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Policy } from "../planner/index.js";
import type { EmbodiedRule, NodeTypeProvenance } from "../models/index.js";
import { FileMemo, hashFile, shippedPath } from "../io/index.js";

export interface Provenance {
  tool: string;
  version: string;
  node: string;
  seed: number;
  policy: { name: string; version: string; params: Readonly<Record<string, unknown>> };
  /** Error applied to the intensity forecasts policies saw; zero means perfect foresight. */
  forecast_error: { bias: number; sigma: number };
  /** How nodes were allocated: the trace's jobs given whole nodes or sharing them, and the static split of shared nodes (DESIGN.md, "Attribution"). */
  allocation?: { trace_exclusive: boolean; static_split: "allocated" | "jobs"; cpu_usage: "trace" | "ignore"; embodied_after_life: EmbodiedRule };
  /** Per node type of the platform: embodied figures from its parts or given, the power profile used (measured, boavizta, green_algorithms) and its source, what an archetype or table filled in. */
  node_types?: Readonly<Record<string, NodeTypeProvenance>>;
  /** A sweep's platform and workload variant, when one applied. */
  variant?: { platform: Record<string, unknown>; workload_scale: number };
  /** Input files (paths relative to the working directory) and their SHA-256. */
  inputs: { path: string; sha256: string }[];
}

export const TOOL_VERSION: string = JSON.parse(readFileSync(shippedPath("package.json"), "utf8")).version;

/** Hashes of input files kept while the files are unchanged: a sweep's variants name the same inputs (io FileMemo). */
const hashes = new FileMemo<string>(256);

/** A file's SHA-256, hex; read a chunk at a time (a big trace is never held whole for its hash). */
export function sha256File(path: string): string {
  const stamps = hashes.stamps([path]);
  const kept = hashes.get(path, stamps);
  if (kept !== undefined) return kept;
  const hex = hashFile(createHash("sha256"), path).digest("hex");
  hashes.set(path, stamps, hex);
  return hex;
}

export function provenance(seed: number, policy: Policy<unknown>, files: readonly string[], forecastError: { bias: number; sigma: number }): Provenance {
  const unique = [...new Set(files)];
  return {
    tool: "impactsim",
    version: TOOL_VERSION,
    node: process.versions.node.split(".")[0],
    seed,
    policy: { name: policy.name, version: policy.version, params: policy.params },
    forecast_error: { bias: forecastError.bias, sigma: forecastError.sigma },
    inputs: unique.map((p) => ({ path: relative(process.cwd(), p) || p, sha256: sha256File(p) })),
  };
}
