/**
 * Pareto fronts for minimisation: the points no other point dominates.
 * Plain functions over any points with numeric objective accessors, so the
 * exploration of one scenario and the sweeps across scenarios share them.
 */

/**
 * True when objective vector `a` dominates `b` (minimisation): `a` is no worse
 * in every objective and strictly better in at least one. Equal vectors do
 * not dominate each other.
 * @throws RangeError if the vectors differ in length or hold NaN
 */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) throw new RangeError(`dominates: expected vectors of the same length, got ${a.length} and ${b.length}`);
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) throw new RangeError(`dominates: objective ${i}: expected a number, got NaN`);
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

/**
 * Indices of the non-dominated points, in input order.
 * @throws RangeError if no objective is given or an objective gives NaN (naming the point's index)
 */
export function paretoIndices<T>(points: readonly T[], objectives: readonly ((p: T) => number)[]): number[] {
  if (objectives.length === 0) throw new RangeError("paretoFront: expected at least one objective, got none");
  const vectors = points.map((p, i) =>
    objectives.map((f, k) => {
      const v = f(p);
      if (Number.isNaN(v)) throw new RangeError(`paretoFront: point ${i}, objective ${k}: expected a number, got NaN`);
      return v;
    }),
  );
  // O(n^2 m): fine for the hundreds of candidates or variants a sweep has.
  const front: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    if (!vectors.some((v, j) => j !== i && dominates(v, vectors[i]))) front.push(i);
  }
  return front;
}

/**
 * The Pareto front of `points` when every objective is minimised: the points
 * that no other point dominates, in their input order (stable). Points with
 * equal objective vectors do not dominate each other, so duplicates on the
 * front are all kept. Negate an objective to maximise it.
 * @throws RangeError if no objective is given or an objective gives NaN
 */
export function paretoFront<T>(points: readonly T[], objectives: readonly ((p: T) => number)[]): T[] {
  return paretoIndices(points, objectives).map((i) => points[i]);
}
