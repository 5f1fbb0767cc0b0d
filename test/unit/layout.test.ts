/**
 * The import direction of DESIGN.md's layout: a folder of src/ may import only
 * from folders below it in this list, and core/ uses no Node-only API (it runs
 * in workers and in the report's browser code). `run/` (one scenario wired end
 * to end) sits under sweep/ and report/, which run scenarios and read their results.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ORDER = ["cli", "bridge", "serve", "ledger", "live", "sweep", "report", "run", "accounting", "sim", "planner", "models", "io", "core"];
const SRC = join(__dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g), ...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
}

describe("src/ layout", () => {
  it("every src/ folder is one of the layers of DESIGN.md", () => {
    const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());
    expect(folders.filter((f) => !ORDER.includes(f))).toEqual([]);
  });

  it("imports point only downwards in the layer list", () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const layer = relative(SRC, file).split("/")[0];
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const target = relative(SRC, join(file, "..", spec)).split("/")[0];
        if (target === layer) continue;
        if (ORDER.indexOf(target) <= ORDER.indexOf(layer)) violations.push(`${relative(SRC, file)} imports ${spec} (${layer} -> ${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("imports from another folder go through that folder's index.ts, its public surface", () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      const layer = relative(SRC, file).split("/")[0];
      if (!ORDER.includes(layer)) continue;
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const target = relative(SRC, join(file, "..", spec));
        const targetLayer = target.split("/")[0];
        if (targetLayer !== layer && target !== `${targetLayer}/index.js`) offenders.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("every folder but cli/ has an index.ts", () => {
    const missing = ORDER.filter((f) => f !== "cli").filter((f) => !readdirSync(join(SRC, f)).includes("index.ts"));
    expect(missing).toEqual([]);
  });

  it("live/ depends on planner/ and accounting/ (and what they stand on), never on run/, sweep/, report/ or sim/", () => {
    const offenders: string[] = [];
    for (const file of files(join(SRC, "live"))) {
      for (const spec of imports(file)) {
        if (!spec.startsWith(".")) continue;
        const target = relative(SRC, join(file, "..", spec)).split("/")[0];
        if (["run", "sweep", "report", "sim", "cli"].includes(target)) offenders.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("core/ uses no Node-only module", () => {
    const offenders = files(join(SRC, "core")).filter((f) => imports(f).some((s) => s.startsWith("node:") || ["fs", "path", "os", "crypto", "zlib"].includes(s)));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it("planner/ never reads the clock or Math.random", () => {
    const code = (f: string) => readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""); // comments may name them
    const offenders = files(join(SRC, "planner")).filter((f) => /Date\.now|Math\.random|setTimeout|setInterval|performance\.now/.test(code(f)));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});
