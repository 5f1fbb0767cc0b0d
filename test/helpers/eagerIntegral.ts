/**
 * The integral of a dense piecewise-constant series inside its span, from
 * prefix sums summed eagerly in row order (as TimeSeries did before its sums
 * were filled on demand): an oracle for TimeSeries' integrals to the bit.
 * @param values n*dim values, row-major
 * @returns (a, b, d) => integral of coordinate d over [a, b], starts[0] <= a <= b <= end
 */
export function eagerIntegral(starts: Float64Array, values: Float64Array, dim: number, end: number): (a: number, b: number, d: number) => number {
  const n = starts.length;
  const P = new Float64Array((n + 1) * dim);
  for (let k = 0; k < n; k++) {
    const width = (k + 1 < n ? starts[k + 1] : end) - starts[k];
    for (let d = 0; d < dim; d++) P[(k + 1) * dim + d] = P[k * dim + d] + values[k * dim + d] * width;
  }
  const cum = (t: number, d: number): number => {
    if (t === end) return P[n * dim + d];
    let k = 0;
    while (k + 1 < n && starts[k + 1] <= t) k++;
    return P[k * dim + d] + values[k * dim + d] * (t - starts[k]);
  };
  return (a, b, d) => (a === b ? 0 : cum(b, d) - cum(a, d));
}
