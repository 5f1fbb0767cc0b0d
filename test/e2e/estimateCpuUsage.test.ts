import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, type Cli } from "../helpers/cli.js";

let cli: Cli;
beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
afterAll(() => cli.dispose());

describe("impactsim estimate --cpu-usage", () => {
  it("impactsim estimate --cpu-usage 0.3 draws the cores at 30 % load: the same placements and waits, less energy; --cpu-usage 1 is the default", () => {
    const args = ["estimate", "-n", "4", "--runtime", "1:00:00", "--window", "0", "--json"];
    const low = cli.run([...args, "--cpu-usage", "0.3"]);
    expect(low.status).toBe(0);
    expect(low.stderr).toBe("");
    const full = JSON.parse(cli.run(args).stdout);
    const part = JSON.parse(low.stdout);
    expect(JSON.parse(cli.run([...args, "--cpu-usage", "1"]).stdout)).toEqual(full);
    const key = (e: { pool: number; start: number }) => `${e.pool}@${e.start}`;
    expect(part.estimates.map(key).sort()).toEqual(full.estimates.map(key).sort());
    for (const e of part.estimates) {
      const f = full.estimates.find((x: { pool: number; start: number }) => key(x) === key(e));
      expect(e.wait_s).toBe(f.wait_s);
      // The load moves only the dynamic draw: lower, and above nothing at all.
      expect(e.energy_it_j).toBeLessThan(f.energy_it_j);
      expect(e.energy_it_j).toBeGreaterThan(0);
    }
  });

  it("impactsim estimate --cpu-usage outside (0, 1] exits 3 naming the option", () => {
    for (const bad of ["0", "1.5", "thirty"]) {
      const r = cli.run(["estimate", "-n", "4", "--runtime", "1:00:00", "--cpu-usage", bad]);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`command line: --cpu-usage: expected a share of the cores' time kept busy, in (0, 1] (e.g. 0.3 for 30 %), got "${bad}"`);
    }
  });
});
