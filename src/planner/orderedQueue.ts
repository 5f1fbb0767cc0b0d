/**
 * The queue in arrival order, indexed by what each job needs, so that a
 * scheduling pass costs what can start rather than the whole queue. Jobs are
 * kept in blocks of up to 2 x BLOCK in arrival order; each block knows the
 * least cores its jobs need and the front of their (cores, run time) needs
 * (lower bounds over pools, given by the world when a job joins). A search
 * for the next job that might start under given bounds passes over whole
 * blocks that hold no such job (square-root decomposition: removal, insertion
 * and a search cost O(log n + n / BLOCK + BLOCK), against O(n) for an array
 * spliced or filtered at every pass). Blocks are grouped GROUP by GROUP with
 * the same keys over the group, so that a search passes over a group of
 * blocks at once: with 20,000 jobs queued a search that finds nothing looks
 * at about 20 groups rather than 300 blocks. A group's keys are worked out
 * again when a search reaches it after one of its blocks changed.
 */
import { insertAt, removeAt, replaceRange } from "./arrays.js";

/** What the queue keeps of a job: its arrival (the order) and lower bounds of its needs. */
export interface QueueItem {
  readonly arrival: number;
  /** Fewest cores it takes in any pool (Infinity: none can run it). */
  leastCores: number;
  /** Shortest run time a policy prices for it in any pool, s. */
  leastSeconds: number;
}

const BLOCK = 64;
/** Blocks per group. */
const GROUP = 16;

/**
 * The least cores and the Pareto front of (cores, run time) of a set of jobs:
 * cores ascending, run time strictly descending, so "some job within c cores
 * and s seconds" is one binary search.
 */
class Front {
  leastCores = Infinity;
  frontCores: number[] = [];
  frontSeconds: number[] = [];

  /** True when some job of the set takes at most `cores`, or at most `shortCores` within `shortSeconds`. */
  mayHold(cores: number, shortCores: number, shortSeconds: number): boolean {
    if (this.leastCores <= cores) return true;
    const fc = this.frontCores;
    let lo = 0;
    let hi = fc.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fc[mid] <= shortCores) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.frontSeconds[lo - 1] <= shortSeconds;
  }

  /** Empty: no job. */
  clear(): void {
    this.frontCores.length = this.frontSeconds.length = 0;
    this.leastCores = Infinity;
  }

  /** Adds a job's keys (c cores, sec seconds) to the front: in place, dropping the points it dominates. */
  addPoint(c: number, sec: number): void {
    const fc = this.frontCores;
    const fs = this.frontSeconds;
    if (c < this.leastCores) this.leastCores = c;
    // Dominated by a front point (as few cores or fewer, as short or shorter): the front stays.
    let k = 0;
    for (; k < fc.length && fc[k] < c; k++) if (fs[k] <= sec) return;
    if (k < fc.length && fc[k] === c && fs[k] <= sec) return;
    // Points from k on have as many cores or more; those not shorter than it are dominated by it.
    let end = k;
    while (end < fc.length && fs[end] >= sec) end++;
    replaceRange(fc, k, end, c);
    replaceRange(fs, k, end, sec);
  }

  /** Adds every point of another front. */
  addFront(other: Front): void {
    for (let k = 0; k < other.frontCores.length; k++) this.addPoint(other.frontCores[k], other.frontSeconds[k]);
  }
}

/** A run of jobs in arrival order, with the keys of its jobs. */
class Block<T extends QueueItem> extends Front {
  constructor(readonly items: T[]) {
    super();
    this.rekey();
  }

  /** Its keys afresh from its jobs (each added to an empty front: O(jobs x front), no sort). */
  rekey(): void {
    this.clear();
    for (const x of this.items) this.add(x);
  }

  /** Adds a job's keys. */
  add(x: T): void {
    this.addPoint(x.leastCores, x.leastSeconds);
  }

  /** After a job left: a rebuild only when it was on the front. */
  removed(x: T): void {
    const fc = this.frontCores;
    for (let k = 0; k < fc.length; k++) if (fc[k] === x.leastCores && this.frontSeconds[k] === x.leastSeconds) return this.rekey();
  }
}

/** The keys of blocks [g x GROUP, (g + 1) x GROUP); `stale` when one of them changed since they were worked out. */
class Group extends Front {
  stale = true;
}

export class OrderedQueue<T extends QueueItem> implements Iterable<T> {
  private blocks: Block<T>[] = [];
  private groups: Group[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Adds a job at its place by arrival (at the end when it arrived last, the usual case). */
  insert(item: T): void {
    const bs = this.blocks;
    let b = bs.length - 1;
    this.count++;
    if (b < 0) {
      bs.push(new Block([item]));
      this.staleFrom(0, true);
      return;
    }
    const lastItems = bs[b].items;
    if (item.arrival < lastItems[lastItems.length - 1].arrival) b = this.blockOf(item.arrival);
    const block = bs[b];
    const items = block.items;
    let i = items.length;
    while (i > 0 && items[i - 1].arrival > item.arrival) i--;
    insertAt(items, i, item);
    if (items.length > 2 * BLOCK) {
      bs.splice(b + 1, 0, new Block(items.splice(BLOCK)));
      block.rekey();
      this.staleFrom(b, true);
    } else {
      block.add(item);
      this.staleFrom(b, false);
    }
  }

  /** Removes a job; false when it is not queued. */
  remove(item: T): boolean {
    const b = this.blockOf(item.arrival);
    const block = this.blocks[b];
    if (block === undefined) return false;
    const items = block.items;
    const i = indexIn(items, item.arrival);
    if (items[i] !== item) return false;
    removeAt(items, i);
    this.count--;
    if (items.length === 0) {
      removeAt(this.blocks, b);
      this.staleFrom(b, true);
      return true;
    }
    // Small neighbours merge, so blocks stay few however the queue drains.
    const next = this.blocks[b + 1];
    if (next !== undefined && items.length + next.items.length <= BLOCK) {
      for (const x of next.items) items.push(x);
      removeAt(this.blocks, b + 1);
      block.rekey();
      this.staleFrom(b, true);
    } else {
      block.removed(item);
      this.staleFrom(b, false);
    }
    return true;
  }

  /** Block b changed (and, when `shifted`, the blocks after it moved): the keys of its group (and of every later one) are stale. */
  private staleFrom(b: number, shifted: boolean): void {
    const gs = this.groups;
    const g = Math.floor(b / GROUP);
    const end = shifted ? gs.length : Math.min(g + 1, gs.length);
    for (let k = g; k < end; k++) gs[k].stale = true;
  }

  /** Group g's keys, worked out again when stale. */
  private group(g: number): Group {
    const gs = this.groups;
    while (gs.length <= g) gs.push(new Group());
    const group = gs[g];
    if (group.stale) {
      group.clear();
      const bs = this.blocks;
      for (let b = g * GROUP; b < Math.min(bs.length, (g + 1) * GROUP); b++) group.addFront(bs[b]);
      group.stale = false;
    }
    return group;
  }

  /** The first job, or undefined when the queue is empty. */
  first(): T | undefined {
    return this.blocks.length > 0 ? this.blocks[0].items[0] : undefined;
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
      const items = bs[b].items;
      i = indexIn(items, after.arrival);
      if (i < items.length && items[i].arrival === after.arrival) i++;
    }
    for (; b < bs.length; b++, i = 0) {
      // At the first block of a group, the whole group is passed over when none of its jobs might start.
      if (b % GROUP === 0 && i === 0 && !this.group(b / GROUP).mayHold(cores, shortCores, shortSeconds)) {
        b += GROUP - 1;
        continue;
      }
      const block = bs[b];
      if (!block.mayHold(cores, shortCores, shortSeconds)) continue;
      const items = block.items;
      for (; i < items.length; i++) {
        const x = items[i];
        if (x.leastCores <= cores || (x.leastCores <= shortCores && x.leastSeconds <= shortSeconds)) return x;
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const block of this.blocks) yield* block.items;
  }

  /** Every job, in order, into a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (const block of this.blocks) for (const x of block.items) out.push(x);
    return out;
  }

  clear(): void {
    this.blocks = [];
    this.groups = [];
    this.count = 0;
  }

  /** The block holding (or that would hold) arrival `a`: the first whose last arrival is at least `a`. */
  private blockOf(a: number): number {
    const bs = this.blocks;
    let lo = 0;
    let hi = bs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const items = bs[mid].items;
      if (items[items.length - 1].arrival < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
