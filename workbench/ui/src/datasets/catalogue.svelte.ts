/**
 * The datasets the UI knows about, shared by the catalogue page, the recipe editor (completion of
 * dataset names, the checker's dataset context) and the run executor. Loaded once, refreshed on
 * demand; `availability` says whether the service serves the catalogue at all yet.
 */
import { ApiError, messageOf } from "../api/http";
import { getDataset, searchDatasets, toDataset, type Dataset } from "../api/datasets-api";
import { datasetFromChain, type Market } from "../chain/market";
import { kindsFromMask } from "../lib/recipes";

/** Whether the catalogue could be loaded. */
export type Availability = "idle" | "loading" | "ready" | "unavailable" | "error";

/** Reads the catalogue straight from the market contract while the service has no catalogue route. */
export interface ChainCatalogueSource {
  market: Market;
  /** The signed-in account, for its access expiry. */
  account?: string;
}

/** The cached catalogue. */
export class DatasetCatalogue {
  items = $state.raw<Dataset[]>([]);
  availability = $state<Availability>("idle");
  error = $state<string | undefined>(undefined);
  /** Where the items came from: the service's index, or the chain directly (no buyer counts, no first timestamps). */
  source = $state<"service" | "chain" | undefined>(undefined);

  /** The chain fallback, when a market is configured. */
  chainSource: () => ChainCatalogueSource | undefined = () => undefined;

  /** Names for completion, in catalogue order. */
  readonly names = $derived(this.items.map((d) => d.name));

  #loading: Promise<void> | undefined;
  #open!: () => void;
  /** Resolved once the app knows the chain configuration (the fallback needs it). */
  readonly #opened = new Promise<void>((resolve) => (this.#open = resolve));

  /** Lets loads proceed: the app calls it once the chain configuration is known. */
  open(): void {
    this.#open();
  }

  /** Loads the catalogue (once; `force` reloads). Waits for {@link open}. */
  load(force = false): Promise<void> {
    if (this.#loading && !force) return this.#loading;
    this.availability = this.items.length > 0 ? this.availability : "loading";
    this.#loading = (async () => {
      await this.#opened;
      try {
        const page = await searchDatasets({ limit: 100 });
        this.items = page.items;
        this.source = "service";
        this.availability = "ready";
        this.error = undefined;
      } catch (error) {
        const missing = error instanceof ApiError && error.status === 404;
        const chain = missing ? this.chainSource() : undefined;
        if (chain) {
          try {
            this.items = await fromChain(chain);
            this.source = "chain";
            this.availability = "ready";
            this.error = undefined;
            return;
          } catch (chainError) {
            this.availability = "error";
            this.error = messageOf(chainError);
            return;
          }
        }
        this.availability = missing ? "unavailable" : "error";
        this.error = messageOf(error);
      }
    })();
    return this.#loading;
  }

  /** A dataset by id: from the cache (unless `fresh`), else from its source (cached afterwards). */
  async get(id: string, options: { fresh?: boolean } = {}): Promise<Dataset> {
    await this.#opened;
    const cached = this.items.find((d) => d.id === id);
    if (cached && !options.fresh) return cached;
    const chain = this.source === "chain" ? this.chainSource() : undefined;
    let dataset = chain ? await oneFromChain(chain, id) : await getDataset(id);
    if (options.fresh && !chain) dataset = await withLiveState(dataset, this.chainSource());
    this.items = [...this.items.filter((d) => d.id !== id), dataset];
    return dataset;
  }

  /** Replaces one dataset after a change (purchase, approval). */
  put(dataset: Dataset): void {
    const index = this.items.findIndex((d) => d.id === dataset.id);
    this.items = index === -1 ? [...this.items, dataset] : this.items.map((d, i) => (i === index ? dataset : d));
  }

  /** The dataset a recipe's `from "…"` names: by name first, else by id. */
  resolve(reference: string): Dataset | undefined {
    return this.items.find((d) => d.name === reference) ?? this.items.find((d) => d.id === reference);
  }
}

async function oneFromChain(source: ChainCatalogueSource, id: string): Promise<Dataset> {
  const d = await source.market.dataset(id);
  const access = source.account ? await source.market.accessExpiry(id, source.account) : 0;
  return datasetFromChain(d, access || null);
}

async function fromChain(source: ChainCatalogueSource): Promise<Dataset[]> {
  const count = await source.market.datasetCount();
  return Promise.all(Array.from({ length: count }, (_, i) => oneFromChain(source, String(i + 1))));
}

/**
 * The service's indexed record with the chain's current approvals, price, k, pause, counters and privacy mode
 * laid over it: the indexer follows the chain a moment behind, and a seller who just revoked a
 * recipe type must see it revoked. Without a market, or when the node does not answer, the record
 * stays as the service sent it.
 */
async function withLiveState(dataset: Dataset, source: ChainCatalogueSource | undefined): Promise<Dataset> {
  if (!source) return dataset;
  try {
    const live = await source.market.dataset(dataset.id);
    return {
      ...dataset,
      approvedMask: live.approvedMask,
      approvedKinds: kindsFromMask(live.approvedMask),
      priceWei: live.pricePerPeriod.toString(),
      k: live.k,
      paused: live.paused,
      readingCount: Math.max(dataset.readingCount, live.readingCount),
      lastTimestamp: live.lastTimestamp || dataset.lastTimestamp,
      privacy: live.privacy,
    };
  } catch {
    return dataset;
  }
}
