import type { DatasetRecord, Page } from "../store/records";

/**
 * Catalogue pages kept in memory for a moment. The catalogue is a read-mostly copy of the chain,
 * written only by the chain indexer: this instance's indexer clears the cache whenever it writes a
 * range with events (or resets for a new chain), and entries expire after `ttlMs` so that an
 * instance whose indexer is off (several instances behind a load balancer, one indexing) shows
 * changes at most that late — about the indexer's own polling delay. Only pages that do not depend
 * on who asks are kept; the caller's access is read per request.
 */
export class CatalogueCache {
  readonly #entries = new Map<string, { expiresAt: number; page: Page<DatasetRecord> }>();

  constructor(private readonly options: { ttlMs: number; maxEntries?: number; now?: () => number }) {}

  /** The page cached under `key`, unless it expired; computes and keeps it otherwise. */
  async get(key: string, load: () => Promise<Page<DatasetRecord>>): Promise<Page<DatasetRecord>> {
    if (this.options.ttlMs <= 0) return load();
    const now = (this.options.now ?? Date.now)();
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now) return hit.page;
    const generation = this.#generation;
    const page = await load();
    // A clear() while loading means the page may predate the change: do not keep it.
    if (generation === this.#generation) {
      if (this.#entries.size >= (this.options.maxEntries ?? 256)) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(key, { expiresAt: now + this.options.ttlMs, page });
    }
    return page;
  }

  /** Forgets every page (the indexer wrote to the catalogue). */
  clear(): void {
    this.#entries.clear();
    this.#generation++;
  }

  #generation = 0;
}
