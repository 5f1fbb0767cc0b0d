import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, type Cli } from "../helpers/cli.js";

let cli: Cli;
beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
afterAll(() => cli.dispose());

describe("impactsim estimate --cpu-usage", () => {
  it("impactsim estimate --cpu-usage 0.3 reads it, says on stderr that the charge does not use it yet, and estimates as without it", () => {
    const args = ["estimate", "-n", "4", "--runtime", "1:00:00", "--window", "0", "--json"];
    const r = cli.run([...args, "--cpu-usage", "0.3"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("impactsim estimate: --cpu-usage 0.3 read; the estimate does not use it yet and charges the requested cores for the whole run time\n");
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(cli.run(args).stdout));
  });

  it("impactsim estimate --cpu-usage outside (0, 1] exits 3 naming the option", () => {
    for (const bad of ["0", "1.5", "thirty"]) {
      const r = cli.run(["estimate", "-n", "4", "--runtime", "1:00:00", "--cpu-usage", bad]);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`command line: --cpu-usage: expected a share of the cores' time kept busy, in (0, 1] (e.g. 0.3 for 30 %), got "${bad}"`);
    }
  });
});
