/**
 * Bandwidth sharing on links: an exact, event-driven model of data transfers,
 * independent of the engine (the simulator asks it for its next event and
 * advances it). No ticks: between changes all rates are constant, so every
 * completion time is computed, not stepped towards.
 *
 * A transfer of B bytes on a link of bandwidth C and latency L started at t0
 * sends nothing until t0 + L (its latency phase), then shares C equally with
 * the n transfers in their data phase on that link: each gets C / n.
 *
 * Equal shares make one counter per link enough. `served[l]` is the number of
 * bytes each data-phase transfer on link l has received since the link's
 * epoch; it grows at C / n. A transfer entering its data phase when the counter
 * reads s finishes when it reaches s + B: its finish tag, fixed for its whole
 * life whatever joins or leaves later. Data-phase transfers sit in a min-heap
 * by (tag, id), so the head is always the next to finish, and an event costs
 * O(log n) with no per-transfer updates (processor sharing by virtual time).
 * Remaining bytes are tag - served. To keep that difference accurate for small
 * transfers, the epoch restarts (tags shifted, counter to 0) when a link
 * empties, or when a transfer enters that is tiny beside the counter.
 *
 * State is kept in typed arrays indexed by slot, so steady-state operation
 * allocates nothing except the arrays of completed ids that advance() returns.
 */

/** A link: capacity shared equally by the transfers active on it (max-min fair on a single link). */
export interface LinkSpecRuntime {
  readonly bandwidth: number /* bytes/s, > 0 */;
  readonly latency: number /* s, >= 0 */;
}

const FREE = 0;
const LATENCY = 1;
const DATA = 2;
/** A transfer with at most this fraction of its bytes left is done (absorbs rounding). */
const DONE_FRACTION = 1e-9;
/** Restart a link's epoch when a transfer of B bytes enters while the counter exceeds this times B. */
const REBASE_FACTOR = 4096;

/** A binary min-heap of slots ordered by (key[slot], id[slot]); the arrays are passed in because they grow. */
class SlotHeap {
  a = new Int32Array(8);
  n = 0;

  push(slot: number, key: Float64Array, id: Float64Array): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const a = this.a;
    const k = key[slot];
    const d = id[slot];
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = a[p];
      const kq = key[q];
      if (kq < k || (kq === k && id[q] < d)) break;
      a[i] = q;
      i = p;
    }
    a[i] = slot;
  }

  pop(key: Float64Array, id: Float64Array): number {
    const top = this.a[0];
    const last = this.a[--this.n];
    if (this.n > 0) this.siftDown(0, last, key, id);
    return top;
  }

  /** Restores heap order after every key changed (O(n)). */
  heapify(key: Float64Array, id: Float64Array): void {
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.siftDown(i, this.a[i], key, id);
  }

  private siftDown(i: number, slot: number, key: Float64Array, id: Float64Array): void {
    const a = this.a;
    const n = this.n;
    const k = key[slot];
    const d = id[slot];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let qc = a[c];
      if (c + 1 < n) {
        const qr = a[c + 1];
        if (key[qr] < key[qc] || (key[qr] === key[qc] && id[qr] < id[qc])) {
          c++;
          qc = qr;
        }
      }
      const kc = key[qc];
      if (k < kc || (k === kc && d < id[qc])) break;
      a[i] = qc;
      i = c;
    }
    a[i] = slot;
  }
}

/** Sorts `a[from..]` ascending in place (one instant's completions, usually a handful). */
function sortTail(a: number[], from: number): void {
  if (a.length - from <= 16) {
    for (let i = from + 1; i < a.length; i++) {
      const v = a[i];
      let j = i - 1;
      while (j >= from && a[j] > v) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = v;
    }
    return;
  }
  const tail = a.slice(from).sort((x, y) => x - y);
  for (let i = 0; i < tail.length; i++) a[from + i] = tail[i];
}

export class Network {
  // Per link.
  private readonly bandwidth: Float64Array;
  private readonly latency: Float64Array;
  /** Bytes received by each data-phase transfer since the epoch, valid at linkTime. */
  private readonly served: Float64Array;
  private readonly linkTime: Float64Array;
  private readonly nData: Int32Array;
  /** When the head of the data heap completes (Infinity if none). */
  private readonly doneAt: Float64Array;
  /** min(doneAt, first entry into the data phase). */
  private readonly next: Float64Array;
  private readonly pending: SlotHeap[];
  private readonly data: SlotHeap[];
  // Per transfer slot (struct of arrays).
  private id = new Float64Array(64);
  private link = new Int32Array(64);
  private bytes = new Float64Array(64);
  /** Latency phase: time of entry into the data phase. Data phase: finish tag. */
  private key = new Float64Array(64);
  private phase = new Uint8Array(64);
  private slots = 0;
  private readonly free: number[] = [];
  private readonly slotOf = new Map<number, number>();
  /** The last time given to advance(). */
  private t = 0;

  /**
   * A network of independent links, numbered by their position in `links`.
   * @throws RangeError when a bandwidth is not a finite number > 0 or a latency not a finite number >= 0
   */
  constructor(links: readonly LinkSpecRuntime[]) {
    const n = links.length;
    this.bandwidth = new Float64Array(n);
    this.latency = new Float64Array(n);
    links.forEach((spec, l) => {
      const { bandwidth, latency } = spec;
      if (!(bandwidth > 0 && bandwidth < Infinity)) {
        throw new RangeError(`Network: links[${l}].bandwidth: expected bytes/s > 0, got ${bandwidth}`);
      }
      if (!(latency >= 0 && latency < Infinity)) {
        throw new RangeError(`Network: links[${l}].latency: expected seconds >= 0, got ${latency}`);
      }
      this.bandwidth[l] = bandwidth;
      this.latency[l] = latency;
    });
    this.served = new Float64Array(n);
    this.linkTime = new Float64Array(n);
    this.nData = new Int32Array(n);
    this.doneAt = new Float64Array(n).fill(Infinity);
    this.next = new Float64Array(n).fill(Infinity);
    this.pending = Array.from({ length: n }, () => new SlotHeap());
    this.data = Array.from({ length: n }, () => new SlotHeap());
  }

  /**
   * Starts a transfer of `bytes` on link `link` at time `now`. It waits `latency`, then shares the
   * link's bandwidth equally with every other transfer then in its data phase. Returns nothing;
   * `id` (an integer chosen by the caller) identifies it in completions.
   * @throws RangeError on a bad link index, negative/NaN bytes, time before the last advance, duplicate id
   */
  start(id: number, link: number, bytes: number, now: number): void {
    if (!Number.isSafeInteger(id)) throw new RangeError(`Network.start: expected an integer transfer id, got ${id}`);
    this.checkLink("start", link);
    if (!(bytes >= 0 && bytes < Infinity)) {
      throw new RangeError(`Network.start: transfer ${id}: expected bytes >= 0, got ${bytes}`);
    }
    if (!(now >= this.t && now < Infinity)) {
      throw new RangeError(`Network.start: cannot start transfer ${id} at ${now} s, before the last advance to ${this.t} s`);
    }
    if (this.slotOf.has(id)) throw new RangeError(`Network.start: transfer ${id} is already active`);
    const slot = this.allocate();
    this.slotOf.set(id, slot);
    this.id[slot] = id;
    this.link[slot] = link;
    this.bytes[slot] = bytes;
    const at = now + this.latency[link];
    if (at <= this.t) {
      // Zero latency at the current time: enter the data phase now. Completions
      // (a zero-byte transfer) are left for the next advance(), at this same time.
      this.sync(link, at);
      this.enter(link, slot);
      this.refresh(link);
    } else {
      this.phase[slot] = LATENCY;
      this.key[slot] = at;
      this.pending[link].push(slot, this.key, this.id);
      if (at < this.next[link]) this.next[link] = at;
    }
  }

  /** Earliest time at which some transfer completes or enters its data phase, or Infinity. */
  nextEvent(): number {
    let t = Infinity;
    const next = this.next;
    for (let l = 0; l < next.length; l++) if (next[l] < t) t = next[l];
    return t;
  }

  /**
   * Advances the model to `now` (>= the last time given) and returns the ids of transfers that
   * completed at or before `now`, in completion order (ties by id). Transfers that finish at the
   * same instant complete together. Bytes are conserved: every byte of a transfer is sent exactly once.
   * @throws RangeError when `now` is before the last advance or not a finite number
   */
  advance(now: number): number[] {
    if (!(now >= this.t && now < Infinity)) {
      throw new RangeError(`Network.advance: cannot advance to ${now} s, before the last advance to ${this.t} s`);
    }
    const out: number[] = [];
    const next = this.next;
    const links = next.length;
    for (;;) {
      let tn = Infinity;
      for (let l = 0; l < links; l++) if (next[l] < tn) tn = next[l];
      if (tn > now) break;
      const from = out.length;
      for (let l = 0; l < links; l++) if (next[l] === tn) this.process(l, tn, out);
      if (out.length - from > 1) sortTail(out, from);
    }
    this.t = now;
    return out;
  }

  /**
   * Active transfers on a link (latency phase included).
   * @throws RangeError on a bad link index
   */
  active(link: number): number {
    this.checkLink("active", link);
    return this.nData[link] + this.pending[link].n;
  }

  /**
   * Current rate of a transfer in bytes/s (0 in its latency phase).
   * @throws RangeError when no active transfer has this id
   */
  rate(id: number): number {
    const slot = this.slotOfActive("rate", id);
    if (this.phase[slot] !== DATA) return 0;
    const l = this.link[slot];
    return this.bandwidth[l] / this.nData[l];
  }

  /**
   * Bytes still to send for a transfer.
   * @throws RangeError when no active transfer has this id
   */
  remaining(id: number): number {
    const slot = this.slotOfActive("remaining", id);
    if (this.phase[slot] !== DATA) return this.bytes[slot];
    const l = this.link[slot];
    const served = this.served[l] + ((this.t - this.linkTime[l]) * this.bandwidth[l]) / this.nData[l];
    return Math.max(0, this.key[slot] - served);
  }

  /** Processes link l's events at tn (== next[l]): the due completion, entries, and whatever is then done. */
  private process(l: number, tn: number, out: number[]): void {
    this.sync(l, tn);
    const data = this.data[l];
    // The head was computed to finish at doneAt: it does, whatever rounding left.
    if (this.doneAt[l] <= tn) this.complete(l, data.pop(this.key, this.id), out);
    this.completeFinished(l, tn, out);
    const pending = this.pending[l];
    if (pending.n > 0 && this.key[pending.a[0]] <= tn) {
      do this.enter(l, pending.pop(this.key, this.id));
      while (pending.n > 0 && this.key[pending.a[0]] <= tn);
      this.completeFinished(l, tn, out);
    }
    this.refresh(l);
  }

  /** Completes heads that are done: within DONE_FRACTION of their bytes, or too close to finish after tn in floating point. */
  private completeFinished(l: number, tn: number, out: number[]): void {
    const data = this.data[l];
    const c = this.bandwidth[l];
    while (data.n > 0) {
      const head = data.a[0];
      const left = this.key[head] - this.served[l];
      if (left > DONE_FRACTION * this.bytes[head] && tn + (left * this.nData[l]) / c > tn) break;
      this.complete(l, data.pop(this.key, this.id), out);
    }
  }

  /** Brings link l's counter forward to time t (no event on l in between). */
  private sync(l: number, t: number): void {
    const n = this.nData[l];
    if (n > 0) this.served[l] += ((t - this.linkTime[l]) * this.bandwidth[l]) / n;
    this.linkTime[l] = t;
  }

  private enter(l: number, slot: number): void {
    const b = this.bytes[slot];
    if (b > 0 && this.served[l] > REBASE_FACTOR * b) this.rebase(l);
    this.phase[slot] = DATA;
    this.key[slot] = this.served[l] + b;
    this.data[l].push(slot, this.key, this.id);
    this.nData[l]++;
  }

  /** Restarts link l's epoch: the counter goes to 0 and every tag shifts by the same amount. */
  private rebase(l: number): void {
    const s = this.served[l];
    const data = this.data[l];
    for (let i = 0; i < data.n; i++) this.key[data.a[i]] -= s;
    this.served[l] = 0;
    data.heapify(this.key, this.id);
  }

  private complete(l: number, slot: number, out: number[]): void {
    const id = this.id[slot];
    out.push(id);
    this.slotOf.delete(id);
    this.phase[slot] = FREE;
    this.free.push(slot);
    if (--this.nData[l] === 0) this.served[l] = 0;
  }

  /** Recomputes link l's next completion and next event, at linkTime[l]. */
  private refresh(l: number): void {
    const data = this.data[l];
    let done = Infinity;
    if (data.n > 0) {
      const left = Math.max(0, this.key[data.a[0]] - this.served[l]);
      done = this.linkTime[l] + (left * this.nData[l]) / this.bandwidth[l];
    }
    this.doneAt[l] = done;
    const pending = this.pending[l];
    this.next[l] = pending.n > 0 ? Math.min(done, this.key[pending.a[0]]) : done;
  }

  private allocate(): number {
    if (this.free.length > 0) return this.free.pop()!;
    if (this.slots === this.id.length) {
      const size = this.id.length * 2;
      const f64 = (a: Float64Array) => {
        const b = new Float64Array(size);
        b.set(a);
        return b;
      };
      this.id = f64(this.id);
      this.bytes = f64(this.bytes);
      this.key = f64(this.key);
      const link = new Int32Array(size);
      link.set(this.link);
      this.link = link;
      const phase = new Uint8Array(size);
      phase.set(this.phase);
      this.phase = phase;
    }
    return this.slots++;
  }

  private checkLink(method: string, link: number): void {
    if (!(Number.isInteger(link) && link >= 0 && link < this.bandwidth.length)) {
      throw new RangeError(`Network.${method}: expected a link index in 0..${this.bandwidth.length - 1}, got ${link}`);
    }
  }

  private slotOfActive(method: string, id: number): number {
    const slot = this.slotOf.get(id);
    if (slot === undefined) throw new RangeError(`Network.${method}: no active transfer ${id}`);
    return slot;
  }
}
