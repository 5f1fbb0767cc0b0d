/**
 * The documented examples run as tests (as SimPy runs its documented
 * examples): every docs/examples/NAME.ts is run as a reader would run it, and
 * what it prints must equal docs/examples/NAME.out, written by hand from a run
 * and checked there. An example that no longer runs, or prints other figures,
 * fails here before a reader finds out.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stackLines } from "../helpers/cli.js";

const DIR = "docs/examples";
const examples = readdirSync(DIR).filter((f) => f.endsWith(".ts"));

describe("docs/examples", () => {
  it("has examples, each with the output it prints", () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const f of examples) expect(readdirSync(DIR)).toContain(f.replace(/\.ts$/, ".out"));
  });

  for (const f of examples) {
    it(`${f} prints ${f.replace(/\.ts$/, ".out")}`, () => {
      const r = spawnSync(process.execPath, ["--import", "tsx", join(DIR, f)], { encoding: "utf8" });
      expect(stackLines(r.stderr), r.stderr).toEqual([]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(readFileSync(join(DIR, f.replace(/\.ts$/, ".out")), "utf8"));
    });
  }
});
