/**
 * pieces.csv from a whole run (issue 17): a small trace on the two-site EU
 * platform, every job in one preemptible class (24 h of delay, checkpoint
 * 300 s), policy flexible. Each job's rows add up to its run time, carry its
 * latest end (submit + 24 h + walltime) and end in its window (capacity is
 * ample), and summary.json lists the file. A run with no QoS class writes none,
 * so runs without classes keep their files and ids. (What the pieces are is
 * tested in test/unit/planner/flexible*.test.ts; this checks the file.)
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/run/runScenario.js";

const tmp = () => mkdtempSync(join(tmpdir(), "impactsim-pieces-"));

/** n one-core jobs of `runtime` s asking as much, one every 20 min from 2020-01-01. */
function trace(dir: string, n: number, runtime: number): string {
  const lines = Array.from({ length: n }, (_, i) => `${i + 1} ${i * 1200} 0 ${runtime} 1 -1 -1 1 ${runtime} -1 1 1 1 -1 1 -1 -1 -1`);
  const path = join(dir, "t.swf");
  writeFileSync(path, `; MaxProcs: 64\n${lines.join("\n")}\n`);
  return path;
}

function scenario(dir: string, qos: boolean): string {
  const path = join(dir, "s.json");
  const spec = {
    name: "flexible-pieces",
    platform: resolve("platforms/two-site-eu.json"),
    workload: { file: trace(dir, 6, 18000), format: "swf", mode: "lenient", start: "2020-01-01T00:00:00+01:00" },
    series_extension: "error",
    policy: { name: "flexible", params: { rule: "slots", step_s: 900 } },
    seed: 1,
    ...(qos
      ? { qos: { classes: [{ name: "flex", max_delay_s: 86400, impact_preference: 1, preemptible: true, checkpoint_s: 300 }], assign: { by: "share", shares: { flex: 1 } } } }
      : {}),
    output: { dir: join(dir, "out"), jobs_csv: true, timeseries_csv: false },
  };
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe("pieces.csv", () => {
  it("reports every piece of every job with a QoS class, in its window", async () => {
    const dir = tmp();
    const out = await runScenario({ scenario: scenario(dir, true) });
    const file = join(dir, "out", "pieces.csv");
    const [header, ...lines] = readFileSync(file, "utf8").trim().split("\n");
    const cols = header.split(",");
    expect(cols).toEqual(["job_id", "qos", "piece", "start_s", "end_s", "restart_s", "work_s", "killed", "final", "latest_end_s", "past_window", "why"]);
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])));
    for (let id = 1; id <= 6; id++) {
      const mine = rows.filter((r) => Number(r.job_id) === id);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.reduce((a, r) => a + Number(r.work_s), 0)).toBeCloseTo(18000, 6);
      const last = mine[mine.length - 1];
      expect([last.final, last.killed, last.past_window, last.why ?? ""]).toEqual(["1", "0", "0", ""]);
      // submit (id - 1) x 1200 + 24 h + walltime 18000.
      expect(Number(last.latest_end_s)).toBe((id - 1) * 1200 + 86400 + 18000);
      expect(Number(last.end_s)).toBeLessThanOrEqual(Number(last.latest_end_s));
    }
    expect(Object.keys(out.summary.outputs ?? {})).toContain("pieces.csv");
  });

  it("is not written when no job has a QoS class", async () => {
    const dir = tmp();
    await runScenario({ scenario: scenario(dir, false) });
    expect(existsSync(join(dir, "out", "jobs.csv"))).toBe(true);
    expect(existsSync(join(dir, "out", "pieces.csv"))).toBe(false);
  });
});
