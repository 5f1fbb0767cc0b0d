/**
 * Bearer tokens: random, shown once, stored as SHA-256 hashes (never the
 * token, never logged). The admin token may do everything; a project's token
 * only what concerns its project.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { LedgerStore, TokenRecord } from "../ledger/index.js";

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new token: 32 random bytes, base64url, with a readable prefix. */
export function newToken(role: "admin" | "project"): string {
  return `isim_${role === "admin" ? "a" : "p"}_${randomBytes(32).toString("base64url")}`;
}

export class Tokens {
  private readonly byHash = new Map<string, TokenRecord>();

  private constructor(private readonly ledger: LedgerStore) {}

  static async load(ledger: LedgerStore): Promise<Tokens> {
    const t = new Tokens(ledger);
    for (const r of await ledger.tokens()) t.byHash.set(r.hash, r);
    return t;
  }

  /** Stores a token's hash with its role. */
  async add(token: string, role: "admin" | "project", label: string, project?: string): Promise<void> {
    const rec: TokenRecord = { hash: hashToken(token), role, label, ...(project !== undefined ? { project } : {}) };
    await this.ledger.addToken(rec);
    this.byHash.set(rec.hash, rec);
  }

  /** The record of a presented token, or undefined. Compares hashes in constant time. */
  find(token: string): TokenRecord | undefined {
    const h = hashToken(token);
    const rec = this.byHash.get(h);
    if (!rec) return undefined;
    return timingSafeEqual(Buffer.from(rec.hash, "hex"), Buffer.from(h, "hex")) ? rec : undefined;
  }

  get count(): number {
    return this.byHash.size;
  }
}
