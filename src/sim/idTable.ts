/**
 * A map from job ids to records for the job table (sim/jobs.ts): open
 * addressing with linear probing on 32-bit integer ids, the ids every trace
 * and workflow gives, and a Map for any other number. A Map that sees every
 * job of a long run come and go (227,808 on KTH x8, a few thousand held at
 * once) cost about 0.1 s of that run in set, get and delete; this table does
 * the same work without hashing a number through the runtime or leaving a
 * deleted entry behind (deletion shifts the entries after it back, so a
 * lookup never steps over a tombstone).
 */
export class IdTable<T> {
  private keys = new Int32Array(64);
  private values: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined);
  private mask = 63;
  private count = 0;
  /** Ids that are not 32-bit integers (fractions, large): rare, kept apart. (-0 is 0, as in a Map.) */
  private readonly other = new Map<number, T>();

  get size(): number {
    return this.count + this.other.size;
  }

  get(id: number): T | undefined {
    if ((id | 0) !== id) return this.other.get(id);
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    for (let i = slotOf(id, mask); ; i = (i + 1) & mask) {
      const v = values[i];
      if (v === undefined) return undefined;
      if (keys[i] === id) return v;
    }
  }

  /** Sets the record of `id` (replacing any); `value` is never undefined. */
  set(id: number, value: T): void {
    if ((id | 0) !== id) {
      this.other.set(id, value);
      return;
    }
    // At most half full: probes stay short.
    if (2 * (this.count + 1) > this.values.length) this.grow();
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = slotOf(id, mask);
    while (values[i] !== undefined && keys[i] !== id) i = (i + 1) & mask;
    if (values[i] === undefined) this.count++;
    keys[i] = id;
    values[i] = value;
  }

  /** Removes `id`'s record; false when there is none. */
  delete(id: number): boolean {
    if ((id | 0) !== id) return this.other.delete(id);
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = slotOf(id, mask);
    for (;;) {
      if (values[i] === undefined) return false;
      if (keys[i] === id) break;
      i = (i + 1) & mask;
    }
    // Backward shift: each later entry of the run moves into the gap when its home slot does not lie in (gap, its slot].
    let gap = i;
    for (let j = (i + 1) & mask; values[j] !== undefined; j = (j + 1) & mask) {
      const home = slotOf(keys[j], mask);
      const between = gap <= j ? gap < home && home <= j : gap < home || home <= j;
      if (between) continue;
      keys[gap] = keys[j];
      values[gap] = values[j];
      gap = j;
    }
    values[gap] = undefined;
    this.count--;
    return true;
  }

  clear(): void {
    this.values.fill(undefined);
    this.count = 0;
    this.other.clear();
  }

  /** Twice the slots, every entry placed again. */
  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const n = 2 * oldValues.length;
    this.keys = new Int32Array(n);
    this.values = new Array<T | undefined>(n).fill(undefined);
    this.mask = n - 1;
    this.count = 0;
    for (let i = 0; i < oldValues.length; i++) {
      const v = oldValues[i];
      if (v !== undefined) this.set(oldKeys[i], v);
    }
  }
}

/** Home slot of a 32-bit id: Fibonacci hashing, so that ids in steps (1, 2, 3 or 10, 20, 30) spread over the table. */
function slotOf(id: number, mask: number): number {
  return (Math.imul(id, 0x9e3779b1) >>> 7) & mask;
}
