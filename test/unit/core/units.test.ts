import { describe, expect, it } from "vitest";
import {
  BYTES_PER_GB,
  type Bytes,
  gbToBytes,
  gPerKwhToKgPerJoule,
  hoursToSeconds,
  JOULES_PER_KWH,
  type Joules,
  joulesToKwh,
  kwhToJoules,
  perKwhToPerJoule,
  SECONDS_PER_DAY,
  SECONDS_PER_HOUR,
  SECONDS_PER_YEAR,
  type Seconds,
  secondsToHours,
  yearsToSeconds,
} from "../../../src/core/index.js";

describe("units", () => {
  it("JOULES_PER_KWH and friends are SI: 1 kWh = 3.6e6 J, 1 h = 3600 s, 1 day = 86400 s, 1 year = 365 days, 1 GB = 1e9 B", () => {
    // 1 kWh = 1000 W x 3600 s.
    expect(JOULES_PER_KWH).toBe(1000 * 3600);
    expect(SECONDS_PER_HOUR).toBe(60 * 60);
    expect(SECONDS_PER_DAY).toBe(24 * 60 * 60);
    // A 365-day year (no leap day): 365 * 86400 = 31 536 000 s.
    expect(SECONDS_PER_YEAR).toBe(31_536_000);
    // Decimal gigabytes, not GiB.
    expect(BYTES_PER_GB).toBe(1000 ** 3);
  });

  it("kwhToJoules(1) is 3.6e6 J and joulesToKwh inverts it", () => {
    expect(kwhToJoules(1)).toBe(3.6e6);
    // 150 W for two hours = 150 * 7200 J = 1.08e6 J = 0.3 kWh.
    expect(joulesToKwh(150 * 7200)).toBeCloseTo(0.3, 15);
    expect(joulesToKwh(kwhToJoules(2.5))).toBe(2.5);
  });

  it("hoursToSeconds(h) and secondsToHours(s) convert at 3600 s per hour", () => {
    expect(hoursToSeconds(2)).toBe(7200);
    expect(secondsToHours(5400)).toBe(1.5);
  });

  it("yearsToSeconds(4) is four 365-day years", () => {
    // 4 * 365 * 86400 = 126 144 000 s.
    expect(yearsToSeconds(4)).toBe(126_144_000);
  });

  it("gbToBytes(1.5) is 1.5e9 bytes", () => {
    expect(gbToBytes(1.5)).toBe(1.5e9);
  });

  it("gPerKwhToKgPerJoule(360) is 1e-7 kg/J", () => {
    // 360 g/kWh = 0.36 kg per 3.6e6 J = 1e-7 kg/J.
    expect(gPerKwhToKgPerJoule(360)).toBeCloseTo(1e-7, 20);
    // A 1000 W node for one hour on a 360 g/kWh grid: 1000 * 3600 J * 1e-7 kg/J = 0.36 kg.
    expect(1000 * 3600 * gPerKwhToKgPerJoule(360)).toBeCloseTo(0.36, 14);
  });

  it("perKwhToPerJoule(x) divides by 3.6e6", () => {
    expect(perKwhToPerJoule(3.6e6)).toBe(1);
    // 0.9 kBq/kWh = 2.5e-7 kBq/J.
    expect(perKwhToPerJoule(0.9)).toBeCloseTo(2.5e-7, 20);
  });

  it("secondsToHours and joulesToKwh invert hoursToSeconds and kwhToJoules on hand-picked values", () => {
    // 0.25 h = 900 s; 36 h = 129 600 s; 2.5 kWh = 9e6 J; 1 J = 1/3.6e6 kWh.
    expect(hoursToSeconds(0.25)).toBe(900);
    expect(secondsToHours(129_600)).toBe(36);
    expect(kwhToJoules(2.5)).toBe(9e6);
    expect(joulesToKwh(1)).toBe(1 / 3.6e6);
    // 1000 g/kWh = 1 kg per 3.6e6 J.
    expect(gPerKwhToKgPerJoule(1000)).toBe(1 / 3.6e6);
  });

  it("kwhToJoules, hoursToSeconds, gbToBytes and yearsToSeconds return plain numbers: the unit brands cost nothing at run time", () => {
    const values: unknown[] = [kwhToJoules(1), hoursToSeconds(1), gbToBytes(1), yearsToSeconds(1)];
    for (const v of values) expect(typeof v).toBe("number");
    expect(JSON.stringify({ e: kwhToJoules(1) })).toBe('{"e":3600000}');
  });

  it("a Seconds is not accepted where Joules are expected (checked by tsc --noEmit, which CI runs; vitest does not type-check)", () => {
    const t: Seconds = hoursToSeconds(1);
    const e: Joules = kwhToJoules(1);
    const b: Bytes = gbToBytes(1);
    // @ts-expect-error a duration is not an energy
    const wrong = joulesToKwh(t);
    // At run time the brands are gone: the call divides 3600 by 3.6e6.
    expect(wrong).toBe(0.001);
    expect(joulesToKwh(e)).toBe(1);
    expect(b).toBe(1e9);
  });
});
