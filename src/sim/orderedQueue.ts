/**
 * The queue in arrival order, indexed by what each job needs, so that a
 * scheduling pass costs what can start rather than the whole queue. Jobs are
 * kept in blocks of up to 2 x BLOCK in arrival order; each block knows the
 * least cores and the least run time its jobs need (lower bounds over pools,
 * given by the world when a job joins). A search for the next job that might
 * start under given bounds passes over whole blocks whose least needs exceed
 * them (square-root decomposition: removal, insertion and a search cost
 * O(log n + n / BLOCK + BLOCK), against O(n) for an array spliced or
 * filtered at every pass).
 */

/** What the queue keeps of a job: its arrival (the order) and lower bounds of its needs. */
export interface QueueItem {
  readonly arrival: number;
  /** Fewest cores it takes in any pool (Infinity: none can run it). */
  leastCores: number;
  /** Shortest run time a policy prices for it in any pool, s. */
  leastSeconds: number;
}

const BLOCK = 64;

export class OrderedQueue<T extends QueueItem> implements Iterable<T> {
  private blocks: T[][] = [];
  /** Per block: least cores and least run time of its jobs. */
  private cores: number[] = [];
  private seconds: number[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Adds a job at its place by arrival (at the end when it arrived last, the usual case). */
  insert(item: T): void {
    const bs = this.blocks;
    let b = bs.length - 1;
    if (b < 0) {
      bs.push([item]);
      this.cores.push(item.leastCores);
      this.seconds.push(item.leastSeconds);
      this.count++;
      return;
    }
    const last = bs[b];
    if (item.arrival < last[last.length - 1].arrival) b = this.blockOf(item.arrival);
    const block = bs[b];
    let i = block.length;
    while (i > 0 && block[i - 1].arrival > item.arrival) i--;
    block.splice(i, 0, item);
    if (item.leastCores < this.cores[b]) this.cores[b] = item.leastCores;
    if (item.leastSeconds < this.seconds[b]) this.seconds[b] = item.leastSeconds;
    this.count++;
    if (block.length > 2 * BLOCK) {
      const tail = block.splice(BLOCK);
      bs.splice(b + 1, 0, tail);
      this.cores.splice(b + 1, 0, 0);
      this.seconds.splice(b + 1, 0, 0);
      this.rekey(b);
      this.rekey(b + 1);
    }
  }

  /** Removes a job; false when it is not queued. */
  remove(item: T): boolean {
    const b = this.blockOf(item.arrival);
    const block = this.blocks[b];
    if (block === undefined) return false;
    const i = indexIn(block, item.arrival);
    if (block[i] !== item) return false;
    block.splice(i, 1);
    this.count--;
    if (block.length === 0) {
      this.blocks.splice(b, 1);
      this.cores.splice(b, 1);
      this.seconds.splice(b, 1);
      return true;
    }
    // Small neighbours merge, so blocks stay few however the queue drains.
    const next = this.blocks[b + 1];
    if (next !== undefined && block.length + next.length <= BLOCK) {
      for (const x of next) block.push(x);
      this.blocks.splice(b + 1, 1);
      this.cores.splice(b + 1, 1);
      this.seconds.splice(b + 1, 1);
      this.rekey(b);
    } else if (item.leastCores === this.cores[b] || item.leastSeconds === this.seconds[b]) this.rekey(b);
    return true;
  }

  /** The first job, or undefined when the queue is empty. */
  first(): T | undefined {
    return this.blocks.length > 0 ? this.blocks[0][0] : undefined;
  }

  /**
   * The first job after `after` (from the head when undefined) that might
   * start: least cores within `cores`, or within `shortCores` with a least
   * run time within `shortSeconds`. Jobs passed over fail both.
   */
  next(after: T | undefined, cores: number, shortCores: number, shortSeconds: number): T | undefined {
    const bs = this.blocks;
    let b = 0;
    let i = 0;
    if (after !== undefined) {
      b = this.blockOf(after.arrival);
      if (b >= bs.length) return undefined;
      i = indexIn(bs[b], after.arrival);
      if (i < bs[b].length && bs[b][i].arrival === after.arrival) i++;
    }
    for (; b < bs.length; b++, i = 0) {
      const c = this.cores[b];
      if (c > cores && (c > shortCores || this.seconds[b] > shortSeconds)) continue;
      const block = bs[b];
      for (; i < block.length; i++) {
        const x = block[i];
        if (x.leastCores <= cores || (x.leastCores <= shortCores && x.leastSeconds <= shortSeconds)) return x;
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const block of this.blocks) yield* block;
  }

  /** Every job, in order, into a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (const block of this.blocks) for (const x of block) out.push(x);
    return out;
  }

  clear(): void {
    this.blocks = [];
    this.cores = [];
    this.seconds = [];
    this.count = 0;
  }

  /** The block holding (or that would hold) arrival `a`: the first whose last arrival is at least `a`. */
  private blockOf(a: number): number {
    const bs = this.blocks;
    let lo = 0;
    let hi = bs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const blk = bs[mid];
      if (blk[blk.length - 1].arrival < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private rekey(b: number): void {
    let c = Infinity;
    let s = Infinity;
    for (const x of this.blocks[b]) {
      if (x.leastCores < c) c = x.leastCores;
      if (x.leastSeconds < s) s = x.leastSeconds;
    }
    this.cores[b] = c;
    this.seconds[b] = s;
  }
}

/** Index of the first item of a block whose arrival is at least `a`. */
function indexIn(block: readonly QueueItem[], a: number): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (block[mid].arrival < a) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
