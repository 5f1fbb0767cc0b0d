/**
 * Values by a small integer, for events' payloads (the engine carries numbers,
 * not objects): a slot taken back is handed out again, so the table stays as
 * large as the most values held at once and nothing is allocated per event.
 */
export class SlotTable<T> {
  private items: (T | undefined)[] = [];
  private readonly free: number[] = [];

  /** Stores `item` and returns its slot. */
  put(item: T): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.items.length;
    this.items[slot] = item;
    return slot;
  }

  /** The value in `slot`, left there (undefined once taken back). */
  get(slot: number): T | undefined {
    return this.items[slot];
  }

  /** Replaces the value in a slot still held. */
  set(slot: number, item: T): void {
    this.items[slot] = item;
  }

  /** The value in `slot`, and the slot freed for the next put. */
  take(slot: number): T {
    const item = this.items[slot]!;
    this.items[slot] = undefined;
    this.free.push(slot);
    return item;
  }

  /** Lets go of every value (the table is not used afterwards). */
  clear(): void {
    this.items = [];
    this.free.length = 0;
  }
}
