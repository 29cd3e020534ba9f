/**
 * Decrypted results kept in this browser (localStorage), so that a reopened notebook shows each
 * cell's latest results without asking the wallet again. Never sent anywhere: the service has no
 * route that takes a result. Kept per buyer and run; a cleared browser simply decrypts again.
 */
import type { StatisticResult } from "../lib/recipes";

/** Where cached results live: localStorage, or a stand-in in tests. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const PREFIX = "iotdm.results.v1";

const keyOf = (buyer: string, runId: string) => `${PREFIX}.${buyer.toLowerCase()}.${runId}`;

/** The results cache of one browser. */
export class ResultsCache {
  constructor(private readonly storage: KeyValueStorage | undefined = globalThis.localStorage) {}

  /** The cached results of the buyer's run, if any. */
  get(buyer: string, runId: string): StatisticResult[] | undefined {
    try {
      const text = this.storage?.getItem(keyOf(buyer, runId));
      if (!text) return undefined;
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value) ? (value as StatisticResult[]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps the buyer's decrypted results of a run (a full storage only loses the cache). */
  put(buyer: string, runId: string, results: readonly StatisticResult[]): void {
    try {
      this.storage?.setItem(keyOf(buyer, runId), JSON.stringify(results));
    } catch {
      // Storage full or refused: the results still show; they will be decrypted again next time.
    }
  }
}
