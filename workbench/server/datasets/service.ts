import type { z } from "zod";
import { privacySettingToJson } from "@iotdm/contracts-client/wire";
import { rollupNames } from "@iotdm/recipes";
import { createError } from "../errors";
import { kindsOfMask, maskOfKinds } from "../shared/recipe-kinds";
import type { DatasetAccessRecord, DatasetRecord, Page } from "../store/records";
import type { Store } from "../store/store";
import type { CatalogueCache } from "./catalogue-cache";
import type { Dataset } from "./schemas";

/** A catalogue search (see `CatalogueQuery`). */
export interface CatalogueSearch {
  q?: string;
  seller?: string;
  field?: string;
  kinds?: readonly string[];
  /** Only datasets the viewer holds unexpired access to. */
  withAccess?: boolean;
  paused?: boolean;
  limit: number;
  offset: number;
}

/** The dataset the chain indexer wrote under `datasetId`; ERR_DATASET_NOT_FOUND when it has not seen one. */
export async function requireDataset(store: Store, datasetId: string): Promise<DatasetRecord> {
  const dataset = await store.datasets.get(datasetId);
  if (!dataset) throw createError("ERR_DATASET_NOT_FOUND", { params: { datasetId } });
  return dataset;
}

/** The dataset catalogue, read from what the chain indexer wrote; the viewer's access added. */
export class DatasetService {
  constructor(private readonly options: { store: Store; now: () => Date; cache?: CatalogueCache }) {}

  /** A page of the catalogue, in id order. */
  async search(viewer: string | undefined, search: CatalogueSearch): Promise<Page<z.output<typeof Dataset>>> {
    const { store } = this.options;
    const now = Math.floor(this.options.now().getTime() / 1000);
    if (search.withAccess && viewer === undefined) throw createError("ERR_AUTH_REQUIRED");
    const filter = {
      q: search.q,
      seller: search.seller,
      field: search.field,
      approvedMask: search.kinds ? maskOfKinds(search.kinds) : undefined,
      paused: search.paused,
      limit: search.limit,
      offset: search.offset,
    };
    const { cache } = this.options;
    const page =
      search.withAccess || !cache
        ? await store.datasets.search({ ...filter, accessOf: search.withAccess ? { buyer: viewer!, after: now } : undefined })
        : await cache.get(JSON.stringify(filter), () => store.datasets.search(filter));
    const access = viewer ? await store.datasets.accessOf(viewer, page.items.map((d) => d.id)) : new Map<string, DatasetAccessRecord>();
    return { items: page.items.map((dataset) => toDataset(dataset, access.get(dataset.id))), total: page.total };
  }

  /** One dataset; ERR_DATASET_NOT_FOUND when the indexer has not seen it. */
  async get(viewer: string | undefined, datasetId: string): Promise<z.output<typeof Dataset>> {
    const { store } = this.options;
    const dataset = await requireDataset(store, datasetId);
    return toDataset(dataset, viewer ? await store.datasets.getAccess(datasetId, viewer) : undefined);
  }
}

/** A dataset as the API shows it. */
export function toDataset(dataset: DatasetRecord, access: DatasetAccessRecord | undefined): z.output<typeof Dataset> {
  return {
    id: dataset.id,
    seller: dataset.seller,
    name: dataset.name,
    field: dataset.field,
    unit: dataset.unit,
    scale: dataset.scale,
    offset: dataset.offset,
    priceWei: dataset.priceWei,
    periodSeconds: dataset.periodSeconds,
    k: dataset.k,
    readingCount: dataset.readingCount,
    firstTimestamp: dataset.firstTimestamp,
    lastTimestamp: dataset.lastTimestamp,
    approvedMask: dataset.approvedMask,
    approvedKinds: kindsOfMask(dataset.approvedMask),
    paused: dataset.pausedBlock !== null,
    privacy: privacySettingToJson(dataset),
    rollups: dataset.rollups,
    rollupNames: rollupNames(dataset.rollups),
    rollupBlockSize: dataset.rollupBlockSize,
    accessExpiresAt: access?.expiresAt ?? null,
    runEarnings: dataset.runEarnings,
    createdBlock: dataset.createdBlock,
    updatedBlock: dataset.updatedBlock,
  };
}

