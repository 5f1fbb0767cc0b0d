/**
 * Power curves: a node's draw as a function of utilisation u in [0, 1].
 * u = 0 means on and idle (draw `idle`); u in (0, 1] is busy, interpolated
 * piecewise-linearly over the curve's points. The value as u -> 0+ (SimGrid's
 * "Epsilon") may differ from idle: give a point at u = 0 for it; without one
 * the curve starts from idle at 0 (how SPECpower's active-idle point reads).
 */
import type { Watts } from "../core/index.js";
import type { PowerProfileSpec, PowerSpec } from "../io/index.js";

export interface PowerCurve {
  (utilisation: number): Watts;
  readonly idle: Watts;
  readonly max: Watts;
  describe(): string;
}

/** a + (b - a) * f, exact at both ends and never outside [a, b] (as C++20 std::lerp). */
function lerp(a: number, b: number, f: number): number {
  if (f === 1) return b;
  const v = a + (b - a) * f;
  return a <= b ? Math.min(Math.max(v, a), b) : Math.min(Math.max(v, b), a);
}

function checkWatts(name: string, w: number): void {
  if (!Number.isFinite(w) || w < 0) throw new RangeError(`${name}: expected watts >= 0, got ${w}`);
}

function checkUtilisation(name: string, u: number): void {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`${name}: expected utilisation in [0, 1], got ${u}`);
}

/** Linear from `epsilon` (u -> 0+, default idle) to `max` (u = 1); `idle` at u = 0. */
export function powerCurveLinear(opts: { idle: Watts; max: Watts; epsilon?: Watts }): PowerCurve {
  const { idle, max } = opts;
  const epsilon = opts.epsilon ?? idle;
  checkWatts("powerCurveLinear idle", idle);
  checkWatts("powerCurveLinear max", max);
  checkWatts("powerCurveLinear epsilon", epsilon);
  const curve = (u: number): Watts => {
    checkUtilisation("powerCurveLinear", u);
    return u === 0 ? idle : lerp(epsilon, max, u);
  };
  return Object.assign(curve, {
    idle,
    max,
    describe: () => `linear(idle=${idle} W, epsilon=${epsilon} W, max=${max} W)`,
  });
}

/**
 * Piecewise-linear over [utilisation, watts] points, utilisation increasing in
 * [0, 1] with the last at 1 (e.g. SPECpower's 10 %..100 % points).
 * @throws RangeError on unsorted, out-of-range or negative points
 */
export function powerCurveInterpolated(opts: { idle: Watts; points: readonly (readonly [number, number])[] }): PowerCurve {
  const { idle, points } = opts;
  checkWatts("powerCurveInterpolated idle", idle);
  if (points.length < 1) throw new RangeError("powerCurveInterpolated: expected at least one point, got 0");
  const us: number[] = points[0][0] === 0 ? [] : [0];
  const ws: number[] = points[0][0] === 0 ? [] : [idle];
  points.forEach(([u, w], i) => {
    checkUtilisation(`powerCurveInterpolated point ${i}`, u);
    checkWatts(`powerCurveInterpolated point ${i}`, w);
    if (us.length > 0 && !(u > us[us.length - 1])) {
      throw new RangeError(`powerCurveInterpolated: point ${i}: expected utilisation > ${us[us.length - 1]}, got ${u}`);
    }
    us.push(u);
    ws.push(w);
  });
  if (us[us.length - 1] !== 1) throw new RangeError(`powerCurveInterpolated: expected the last point at utilisation 1, got ${us[us.length - 1]}`);
  const uArr = Float64Array.from(us);
  const wArr = Float64Array.from(ws);
  const curve = (u: number): Watts => {
    checkUtilisation("powerCurveInterpolated", u);
    if (u === 0) return idle;
    // bisect for the segment [uArr[lo], uArr[lo+1]] containing u
    let lo = 0;
    let hi = uArr.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (uArr[mid] <= u) lo = mid;
      else hi = mid;
    }
    if (u === uArr[hi]) return wArr[hi];
    return lerp(wArr[lo], wArr[hi], (u - uArr[lo]) / (uArr[hi] - uArr[lo]));
  };
  return Object.assign(curve, {
    idle,
    max: wArr[wArr.length - 1],
    describe: () => `interpolated(idle=${idle} W, ${points.map(([u, w]) => `${u}:${w}`).join(" ")})`,
  });
}

/**
 * The curve a platform's PowerSpec describes.
 * @throws RangeError on a power profile (it needs the node's parts: see nodeType.ts) or a spec with neither curve_w nor max_w
 */
export function powerCurveFromSpec(spec: PowerSpec | PowerProfileSpec): PowerCurve {
  if ("profile" in spec) throw new RangeError(`powerCurveFromSpec: a ${spec.profile} power profile is computed from the node's parts (buildNodeType), not from the spec alone`);
  if (spec.curve_w && spec.curve_w.length > 0) return powerCurveInterpolated({ idle: spec.idle_w, points: spec.curve_w });
  if (spec.max_w === undefined) throw new RangeError("powerCurveFromSpec: expected curve_w or max_w, got neither");
  return powerCurveLinear({ idle: spec.idle_w, max: spec.max_w });
}

// ---------------------------------------------------------------------------
// Power profiles from TDP, for nodes without a measured curve

/**
 * A CPU consumption profile P(W) = a ln(load % + c) + offset, BoaviztaAPI's
 * a ln(b (load % + c)) + d with b folded into the offset (offset = a ln b + d),
 * since only a, c and that sum change the curve. BoaviztaAPI floors the result
 * at 1 W.
 */
export interface CpuProfile {
  readonly a: number;
  readonly c: number;
  readonly offset: number;
  /** How the parameters were chosen, in words. */
  readonly source: string;
}

/** BoaviztaAPI's form a ln(b (x + c)) + d as a CpuProfile. */
export function cpuProfileOf(p: { a: number; b: number; c: number; d: number }, source: string): CpuProfile {
  for (const k of ["a", "b", "c", "d"] as const) if (!Number.isFinite(p[k])) throw new RangeError(`cpuProfileOf: expected a finite ${k}, got ${p[k]}`);
  if (!(p.b > 0)) throw new RangeError(`cpuProfileOf: expected b > 0, got ${p.b}`);
  return { a: p.a, c: p.c, offset: p.a * Math.log(p.b) + p.d, source };
}

/** Watts of one CPU at a load in percent (0..100), floored at 1 W as BoaviztaAPI does. */
export function cpuProfileWatts(p: CpuProfile, loadPercent: number): number {
  if (!(loadPercent >= 0 && loadPercent <= 100)) throw new RangeError(`cpuProfileWatts: expected a load in [0, 100] %, got ${loadPercent}`);
  return Math.max(p.a * Math.log(loadPercent + p.c) + p.offset, 1);
}

/**
 * Fits a CPU profile to power points (load %, W) by least squares, within
 * BoaviztaAPI's bounds around a base model: each of a, b, c, d within twice
 * its own size of the base value (and a, b, c >= 0). As b and d only move the
 * offset, the fit is over (a, c, offset): closed form in (a, offset) for each c,
 * with the bounds as edges, and a search over c.
 * @param points at least three [load %, watts] points
 * @param base the model the bounds are built around (a model range's, or the archetype's)
 * @throws RangeError on fewer than three points, non-finite values or a base with b <= 0
 */
export function fitCpuProfile(points: readonly (readonly [number, number])[], base: { a: number; b: number; c: number; d: number }, source: string): CpuProfile {
  if (points.length < 3) throw new RangeError(`fitCpuProfile: expected at least three points, got ${points.length}`);
  for (const [x, y] of points) if (!(Number.isFinite(x) && x >= 0 && Number.isFinite(y))) throw new RangeError(`fitCpuProfile: expected points [load >= 0 %, watts], got [${x}, ${y}]`);
  cpuProfileOf(base, "");
  const lo = (v: number, floor: number) => Math.max(floor, v - 2 * Math.abs(v));
  const hi = (v: number) => v + 2 * Math.abs(v);
  const aMin = lo(base.a, 0);
  const aMax = hi(base.a);
  const cMax = hi(base.c);
  const bMin = lo(base.b, 0);
  const bMax = hi(base.b);
  const dMin = base.d - 2 * Math.abs(base.d);
  const dMax = hi(base.d);
  // offset = a ln b + d lies in [a ln bMin + dMin, a ln bMax + dMax].
  const offLo = (a: number) => (bMin > 0 ? a * Math.log(bMin) + dMin : -Infinity);
  const offHi = (a: number) => a * Math.log(bMax) + dMax;
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const n = points.length;

  // Best (a, offset) for one c, on the feasible set; returns [sse, a, offset].
  const solve = (c: number): [number, number, number] => {
    const z = xs.map((x) => Math.log(x + c));
    const sse = (a: number, o: number) => z.reduce((s, zi, i) => s + (a * zi + o - ys[i]) ** 2, 0);
    const feasible = (a: number, o: number) => a >= aMin - 1e-12 && a <= aMax + 1e-12 && o >= offLo(a) - 1e-9 && o <= offHi(a) + 1e-9;
    const candidates: [number, number][] = [];
    const zm = z.reduce((s, v) => s + v, 0) / n;
    const ym = ys.reduce((s, v) => s + v, 0) / n;
    const szz = z.reduce((s, v) => s + (v - zm) ** 2, 0);
    const szy = z.reduce((s, v, i) => s + (v - zm) * (ys[i] - ym), 0);
    if (szz > 0) {
      const a = szy / szz;
      candidates.push([a, ym - a * zm]);
    }
    // Edges a = aMin and a = aMax: offset is the mean residual, clipped to its bounds.
    for (const a of [aMin, aMax]) candidates.push([a, Math.min(Math.max(ym - a * zm, offLo(a)), offHi(a))]);
    // Edges offset = a L + d0 (upper and lower): least squares in a, clipped to [aMin, aMax].
    const edges: [number, number][] = [[Math.log(bMax), dMax]];
    if (bMin > 0) edges.push([Math.log(bMin), dMin]);
    for (const [L, d0] of edges) {
      const w = z.map((v) => v + L);
      const sww = w.reduce((s, v) => s + v * v, 0);
      if (sww === 0) continue;
      const a = Math.min(Math.max(w.reduce((s, v, i) => s + v * (ys[i] - d0), 0) / sww, aMin), aMax);
      candidates.push([a, a * L + d0]);
    }
    let best: [number, number, number] = [Infinity, NaN, NaN];
    for (const [a, o] of candidates) {
      if (!feasible(a, o)) continue;
      const e = sse(a, o);
      if (e < best[0]) best = [e, a, o];
    }
    return best;
  };

  // c in (0, cMax]: a log-spaced scan, then golden-section refinement around the best.
  const cLow = Math.max(cMax * 1e-6, 1e-9);
  let bestC = cMax;
  let bestE = Infinity;
  const steps = 400;
  for (let k = 0; k <= steps; k++) {
    const c = cLow * (cMax / cLow) ** (k / steps);
    const e = solve(c)[0];
    if (e < bestE) [bestE, bestC] = [e, c];
  }
  let left = Math.max(cLow, bestC / (cMax / cLow) ** (1 / steps));
  let right = Math.min(cMax, bestC * (cMax / cLow) ** (1 / steps));
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 100; k++) {
    const m1 = right - g * (right - left);
    const m2 = left + g * (right - left);
    if (solve(m1)[0] <= solve(m2)[0]) right = m2;
    else left = m1;
  }
  const c = (left + right) / 2;
  const [e, a, offset] = solve(c);
  if (!Number.isFinite(e)) throw new RangeError("fitCpuProfile: no parameters within the bounds of the base model fit the points");
  return { a, c, offset, source };
}

/**
 * A curve given as a function of utilisation (e.g. a power profile), with its
 * idle draw at u = 0 and its full-load draw at u = 1.
 * @throws RangeError when the function gives a negative or non-finite draw at 0 or 1
 */
export function powerCurveProfile(opts: { watts: (utilisation: number) => number; describe: string }): PowerCurve {
  const idle = opts.watts(0);
  const max = opts.watts(1);
  checkWatts("powerCurveProfile idle", idle);
  checkWatts("powerCurveProfile max", max);
  const curve = (u: number): Watts => {
    checkUtilisation("powerCurveProfile", u);
    return opts.watts(u) as Watts;
  };
  return Object.assign(curve, { idle: idle as Watts, max: max as Watts, describe: () => opts.describe });
}
