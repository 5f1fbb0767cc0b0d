/**
 * In-place edits of arrays that allocate nothing: Array.prototype.splice
 * returns a new array of what it removed at every call, which on the queue's
 * and the running list's edits (several per job) was about a tenth of all a
 * long run allocated.
 */

/** Inserts `x` at index `i`, shifting the rest right. */
export function insertAt<T>(a: T[], i: number, x: T): void {
  // push first (not a longer length): the array stays packed, without holes.
  a.push(x);
  for (let k = a.length - 1; k > i; k--) a[k] = a[k - 1];
  a[i] = x;
}

/** Removes the element at index `i`, shifting the rest left. */
export function removeAt<T>(a: T[], i: number): void {
  const n = a.length - 1;
  for (let k = i; k < n; k++) a[k] = a[k + 1];
  a.pop();
}

/** Replaces elements [from, to) with the single element `x` (to >= from). */
export function replaceRange<T>(a: T[], from: number, to: number, x: T): void {
  if (to === from) return insertAt(a, from, x);
  a[from] = x;
  const gone = to - from - 1;
  if (gone === 0) return;
  const n = a.length - gone;
  for (let k = from + 1; k < n; k++) a[k] = a[k + gone];
  for (let k = 0; k < gone; k++) a.pop();
}
