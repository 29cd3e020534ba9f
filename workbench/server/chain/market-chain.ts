import { JsonRpcProvider, Network, type Provider } from "ethers";
import { connectMarket, decodeContractError, readDatasetInfo, type DatasetInfo, type DecodedContractError, type IoTDataMarket } from "@iotdm/contracts-client";
import { AppError, createError } from "../errors";
import { DeploymentResolver, type DeploymentSettings, type MarketDeployment } from "./market-deployment";

/**
 * What the workbench reads from the chain: the deployed market, the chain's time, and the few
 * authoritative views a run needs checked before it is enqueued. The `chain` plugin provides the
 * ethers implementation; tests may inject another.
 */
export interface MarketChain {
  readonly chainId: number;
  readonly rpcUrl: string;
  /** The JSON-RPC provider (the indexer reads logs and blocks through it). */
  readonly provider: Provider;
  /** The market, or undefined while none is configured (no MARKET_ADDRESS, no deployment file yet). */
  deployment(): MarketDeployment | undefined;
  /** The market; throws ERR_CHAIN_NOT_CONFIGURED while there is none. */
  requireDeployment(): MarketDeployment;
  /** Resolves when the node answers and the market is known (readiness). */
  ping(): Promise<void>;
  /** The latest block's timestamp (unix seconds): "now" for deadlines, expiries and time windows. */
  chainTime(): Promise<number>;
  /** `datasetInfo(id)`; a missing dataset rejects with ERR_DATASET_NOT_FOUND. */
  datasetInfo(datasetId: bigint): Promise<DatasetInfo>;
  /** `accessExpiry(id, buyer)` in unix seconds (0: never bought). */
  accessExpiry(datasetId: bigint, buyer: string): Promise<number>;
  /** `isNonceUsed(buyer, nonce)`. */
  isNonceUsed(buyer: string, nonce: bigint): Promise<boolean>;
  /** `privacySpent(id, buyer, from, to)`: the most ε (thousandths) any reading of [from, to) has spent on the buyer. */
  privacySpent(datasetId: bigint, buyer: string, fromIndex: number, toIndex: number): Promise<number>;
  /**
   * What a run's quote and lock depend on (issue 15): the operator's published `runGasPrice()`, the dataset's
   * `runPrice(id)`, the buyer's `balanceOf(buyer)` (wei) and whether the market already stores the program.
   */
  runTerms(datasetId: bigint, buyer: string, programHash: string): Promise<RunTerms>;
  /** Releases the provider. */
  close(): void;
}

/** The chain's side of a run's price: {@link MarketChain.runTerms}. */
export interface RunTerms {
  gasPriceWei: bigint;
  runPriceWei: bigint;
  balanceWei: bigint;
  programStored: boolean;
}

/** A contract call reverted: its custom error, decoded into a sentence. */
export class ContractRevertError extends Error {
  override readonly name = "ContractRevertError";
  constructor(readonly decoded: DecodedContractError, options?: { cause?: unknown }) {
    super(decoded.message, options);
  }
}

/**
 * Runs a chain call and sorts out how it failed: a revert becomes a ContractRevertError (a custom
 * error with its sentence, from `decodeContractError`), anything else (refused connection, timeout,
 * a node that answers garbage) ERR_CHAIN_UNAVAILABLE.
 */
export async function chainCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const decoded = decodeContractError(error);
    if (decoded.name !== "UnknownError" || isRevert(error)) throw new ContractRevertError(decoded, { cause: error });
    throw createError("ERR_CHAIN_UNAVAILABLE", { cause: error });
  }
}

function isRevert(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "CALL_EXCEPTION";
}

/** Options of {@link createMarketChain}. */
export interface MarketChainOptions extends DeploymentSettings {
  rpcUrl: string;
}

/** The ethers-backed chain reader over CHAIN_RPC_URL. */
export function createMarketChain(options: MarketChainOptions): MarketChain {
  const resolver = new DeploymentResolver(options);
  const provider = new JsonRpcProvider(options.rpcUrl, Network.from(options.chainId), {
    staticNetwork: true,
    // Reads must be fresh: a purchase or an append a block ago matters to the next check.
    cacheTimeout: -1,
  });
  let contract: { address: string; market: IoTDataMarket } | undefined;

  const requireDeployment = (): MarketDeployment => {
    const deployment = resolver.resolve();
    if (!deployment) throw createError("ERR_CHAIN_NOT_CONFIGURED");
    return deployment;
  };
  const market = (): IoTDataMarket => {
    const { address } = requireDeployment();
    if (contract?.address !== address) contract = { address, market: connectMarket(address, provider) };
    return contract.market;
  };

  return {
    chainId: options.chainId,
    rpcUrl: options.rpcUrl,
    provider,
    deployment: () => resolver.resolve(),
    requireDeployment,
    async ping() {
      requireDeployment();
      await chainCall(() => provider.getBlockNumber());
    },
    async chainTime() {
      const block = await chainCall(() => provider.getBlock("latest"));
      if (!block) throw createError("ERR_CHAIN_UNAVAILABLE");
      return block.timestamp;
    },
    async datasetInfo(datasetId) {
      try {
        return await chainCall(() => readDatasetInfo(market(), datasetId));
      } catch (error) {
        if (error instanceof ContractRevertError && error.decoded.name === "DatasetNotFound") {
          throw createError("ERR_DATASET_NOT_FOUND", { params: { datasetId }, cause: error });
        }
        throw error;
      }
    },
    async accessExpiry(datasetId, buyer) {
      return Number(await chainCall(() => market().accessExpiry(datasetId, buyer) as Promise<bigint>));
    },
    async isNonceUsed(buyer, nonce) {
      return Boolean(await chainCall(() => market().isNonceUsed(buyer, nonce) as Promise<boolean>));
    },
    async privacySpent(datasetId, buyer, fromIndex, toIndex) {
      return Number(await chainCall(() => market().privacySpent(datasetId, buyer, fromIndex, toIndex) as Promise<bigint>));
    },
    async runTerms(datasetId, buyer, programHash) {
      const m = market();
      const [gasPriceWei, runPriceWei, balanceWei, program] = await chainCall(() =>
        Promise.all([m.runGasPrice() as Promise<bigint>, m.runPrice(datasetId) as Promise<bigint>, m.balanceOf(buyer) as Promise<bigint>, m.program(programHash)]),
      );
      return { gasPriceWei, runPriceWei, balanceWei, programStored: (program as unknown[]).length > 0 };
    },
    close() {
      provider.destroy();
    },
  };
}
