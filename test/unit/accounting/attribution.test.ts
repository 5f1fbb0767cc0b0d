/**
 * attributeInterval(): the attribution rule for one constant-power interval,
 * against figures worked by hand (1 kWh = 3.6e6 J; g/kWh to kg/kWh / 1000).
 */
import { describe, expect, it } from "vitest";
import { attributeInterval } from "../../../src/accounting/attribution.js";
import { ENERGY, N_COORDS, N_PHASES, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { ccSeries, tinyPlatform } from "../../helpers/tinyPlatform.js";

const CC = categoryIndex("CC");
const at = (phase: keyof typeof PHASE_INDEX, c: number) => PHASE_INDEX[phase] * N_COORDS + c;

function close(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe("attributeInterval()", () => {
  it("attributeInterval(1 node, 200 W, 1 h) at PUE 1.5 and 100 g/kWh: 0.72 MJ IT, 1.08 MJ facility, 0.03 kg CO2e", () => {
    // 200 W x 3600 s = 720 000 J IT; x 1.5 = 1 080 000 J = 0.3 kWh at the facility;
    // 0.3 kWh x 0.1 kg/kWh = 0.03 kg CO2e in the use phase.
    const plat = tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.1 }], [{ nodes: 1, cores: 4, idle: 100, max: 200 }]);
    const out = new Float64Array(N_PHASES * N_COORDS);
    const e = attributeInterval(1, 200, 0, 3600, plat.sites[0], plat.pools[0], out, new Float64Array(N_COORDS));
    expect(e.it).toBe(720_000);
    expect(e.facility).toBe(1_080_000);
    close(out[at("use", CC)], 0.03);
    // The energy coordinate of the use phase is facility joules.
    close(out[at("use", ENERGY)], 1_080_000);
    // No embodied figures on this pool: the other phases are zero.
    for (const ph of ["fabrication", "transport", "endOfLife"] as const) expect(out[at(ph, CC)]).toBe(0);
  });

  it("attributeInterval(n nodes) scales energy and impacts by n, and embodied impacts are rate x node-seconds", () => {
    // 3 nodes x 150 W x 600 s = 270 000 J IT, PUE 1.2 -> 324 000 J = 0.09 kWh;
    // at 400 g/kWh: 0.09 x 0.4 = 0.036 kg. Fabrication 2e-6 kg per node-second
    // x 3 nodes x 600 s = 0.0036 kg.
    const plat = tinyPlatform([{ id: "s", pue: 1.2, kgPerKwh: 0.4 }], [{ nodes: 4, cores: 8, idle: 50, max: 150, fabricationCcPerNodeSecond: 2e-6 }]);
    const out = new Float64Array(N_PHASES * N_COORDS);
    const e = attributeInterval(3, 150, 1000, 1600, plat.sites[0], plat.pools[0], out, new Float64Array(N_COORDS));
    expect(e.it).toBe(270_000);
    close(e.facility, 324_000);
    close(out[at("use", CC)], 0.036);
    close(out[at("fabrication", CC)], 0.0036);
    expect(out[at("transport", CC)]).toBe(0);
  });

  it("attributeInterval() integrates an intensity that changes inside the interval", () => {
    // 0.1 kg/kWh on [0, 1800), 0.3 kg/kWh on [1800, 3600). One node at 400 W,
    // PUE 1, over [900, 2700]: 400 W x 900 s = 0.1 kWh in each segment,
    // 0.1 x 0.1 + 0.1 x 0.3 = 0.04 kg.
    const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: ccSeries([0, 1800], [0.1, 0.3], 3600) }], [{ nodes: 1, cores: 1, idle: 100, max: 400 }]);
    const out = new Float64Array(N_PHASES * N_COORDS);
    const e = attributeInterval(1, 400, 900, 2700, plat.sites[0], plat.pools[0], out, new Float64Array(N_COORDS));
    expect(e.it).toBe(720_000);
    close(out[at("use", CC)], 0.04);
  });

  it("attributeInterval() over an empty interval charges nothing and overwrites what `out` held", () => {
    const plat = tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.1 }], [{ nodes: 1, cores: 4, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-6 }]);
    const out = new Float64Array(N_PHASES * N_COORDS).fill(7);
    const e = attributeInterval(1, 200, 50, 50, plat.sites[0], plat.pools[0], out, new Float64Array(N_COORDS));
    expect(e).toEqual({ it: 0, facility: 0 });
    expect(Array.from(out).every((x) => x === 0)).toBe(true);
  });
});
