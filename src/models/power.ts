/**
 * Power curves: a node's draw as a function of utilisation u in [0, 1].
 * u = 0 means on and idle (draw `idle`); u in (0, 1] is busy, interpolated
 * piecewise-linearly over the curve's points. The value as u -> 0+ (SimGrid's
 * "Epsilon") may differ from idle: give a point at u = 0 for it; without one
 * the curve starts from idle at 0 (how SPECpower's active-idle point reads).
 */
import type { Watts } from "../core/index.js";
import type { PowerSpec } from "../io/index.js";

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

/** The curve a platform's PowerSpec describes. */
export function powerCurveFromSpec(spec: PowerSpec): PowerCurve {
  if (spec.curve_w && spec.curve_w.length > 0) return powerCurveInterpolated({ idle: spec.idle_w, points: spec.curve_w });
  if (spec.max_w === undefined) throw new RangeError("powerCurveFromSpec: expected curve_w or max_w, got neither");
  return powerCurveLinear({ idle: spec.idle_w, max: spec.max_w });
}
