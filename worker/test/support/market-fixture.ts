/**
 * Test and benchmark support: a local Hardhat node with the fhevm mock, a deployed market, and the
 * people around it (seller, device, buyers, the relayer the worker signs with), with helpers to
 * create datasets, append encrypted readings, buy access and decrypt results as the buyer.
 */
import { HDNodeWallet, JsonRpcProvider, NonceManager, Wallet, type Contract } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import {
  createFhevmInstance,
  encryptReadings,
  EXACT_PRIVACY,
  userDecrypt,
  type FhevmClient,
  type PrivacyParams,
  connectMarket,
} from "@iotdm/contracts-client";
import { startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";
import { handleLayout, type Plan } from "@iotdm/recipes";
import type { WorkerConfig } from "../../src/config";
import type { MarketRef } from "../../src/job-schemas";

/** Hardhat's default accounts (funded with 10 000 ETH each on a fresh node). */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

function account(index: number, provider: JsonRpcProvider): Wallet {
  const node = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
  return new Wallet(node.privateKey, provider);
}

/** A dataset created by the fixture's seller. */
export interface TestDataset {
  id: bigint;
  scale: number;
  offset: bigint;
  k: number;
  periodSeconds: number;
  privacy: PrivacyParams;
  /** Decoded plaintext values appended so far, in index order. */
  values: number[];
  /** Timestamp of the last reading appended (0 before the first). */
  lastTimestamp: number;
}

/** Options of {@link MarketFixture.createDataset}. */
export interface CreateDatasetOptions {
  name?: string;
  k?: number;
  periodSeconds?: number;
  /** Recipe kinds approved by the seller (bit mask); default: every kind but HISTOGRAM. */
  approvedKinds?: number;
  /** Exact (the default) or private with its range (encoded units), budget and ε bounds. */
  privacy?: PrivacyParams;
}

/** Every kind but HISTOGRAM (bit 7), so that a histogram recipe meets an unapproved kind. */
export const ALL_BUT_HISTOGRAM = ((1 << 10) - 1) & ~(1 << 7);

/** A running chain and market. Create with {@link startMarketFixture}; `stop()` when done. */
export interface MarketFixture {
  chain: LocalChain;
  provider: JsonRpcProvider;
  chainId: number;
  address: string;
  deploymentBlock: number;
  market: MarketRef;
  fhevm: FhevmClient;
  accounts: { admin: Wallet; relayer: Wallet; seller: Wallet; device: Wallet; buyer: Wallet; otherBuyer: Wallet; stranger: Wallet };
  /** The market contract connected to `signer`. */
  as(signer: Wallet | NonceManager): Contract;
  createDataset(options?: CreateDatasetOptions): Promise<TestDataset>;
  /**
   * Encrypts and appends decoded `values` (32 per transaction), stamped `startTime + i * stepSeconds`;
   * without `startTime`, the last one at the chain's latest block time and the others `stepSeconds`
   * apart before it (never before the dataset's last reading): the contract refuses readings from
   * the future.
   */
  appendReadings(dataset: TestDataset, values: readonly number[], options?: { startTime?: number; stepSeconds?: number }): Promise<void>;
  purchaseAccess(dataset: TestDataset, buyer: Wallet, periods?: number): Promise<void>;
  /** Decrypts a finished run's result handles as `buyer` (laid out by `plan`'s program). */
  decrypt(options: { buyer: Wallet; plan: Pick<Plan, "ops">; handles: readonly string[] }): Promise<(bigint | boolean)[]>;
  /** A worker configuration for this chain (queue settings from `overrides`). */
  workerConfig(overrides: Partial<WorkerConfig>): WorkerConfig;
  stop(): Promise<void>;
}

/** Starts a node, deploys the market (the relayer holds OPERATOR_ROLE) and returns the fixture. */
export async function startMarketFixture(): Promise<MarketFixture> {
  const chain = await startLocalChain();
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  try {
    const [admin, relayer, seller, device, buyer, otherBuyer, stranger] = [0, 1, 2, 3, 4, 5, 6].map((i) => account(i, provider));
    const deployed = await deployMarket({ signer: admin, operator: relayer.address });
    const { chainId } = await provider.getNetwork();
    const fhevm = await createFhevmInstance({ provider });
    const senders = new Map<string, NonceManager>();
    const managed = (wallet: Wallet) => {
      let manager = senders.get(wallet.address);
      if (!manager) senders.set(wallet.address, (manager = new NonceManager(wallet)));
      return manager;
    };
    const as = (signer: Wallet | NonceManager) => connectMarket(deployed.address, signer instanceof Wallet ? managed(signer) : signer);

    const fixture: MarketFixture = {
      chain,
      provider,
      chainId: Number(chainId),
      address: deployed.address,
      deploymentBlock: deployed.deploymentBlock,
      market: { chainId: Number(chainId), address: deployed.address },
      fhevm,
      accounts: { admin, relayer, seller, device, buyer, otherBuyer, stranger },
      as,

      async createDataset(options = {}) {
        const market = as(seller);
        const k = options.k ?? 8;
        const periodSeconds = options.periodSeconds ?? 30 * 24 * 3600;
        const params = {
          name: options.name ?? `greenhouse-${Math.random().toString(36).slice(2, 8)}`,
          field: "temperature",
          unit: "°C",
          scale: 2,
          offset: -5000n,
          pricePerPeriod: 1000n,
          periodSeconds,
          bucketSize: BigInt(k),
          privacy: options.privacy ?? EXACT_PRIVACY,
        };
        const id = (await market.createDataset.staticCall(params)) as bigint;
        await (await market.createDataset(params)).wait();
        await (await market.registerDevice(id, device.address)).wait();
        await (await market.approveRecipeKinds(id, options.approvedKinds ?? ALL_BUT_HISTOGRAM)).wait();
        return { id, scale: 2, offset: -5000n, k, periodSeconds, privacy: params.privacy, values: [], lastTimestamp: 0 };
      },

      async appendReadings(dataset, values, options = {}) {
        const encoded = values.map((v) => BigInt(Math.round(v * 10 ** dataset.scale)) - dataset.offset);
        const batches = await encryptReadings({ instance: fhevm, market: deployed.address, appender: device.address, values: encoded });
        const market = as(device);
        const step = options.stepSeconds ?? 1;
        const chainNow = (await provider.getBlock("latest"))!.timestamp;
        // Timestamps never go backwards, also across batches, nor run ahead of the chain's clock.
        const stamp = (i: number) =>
          options.startTime !== undefined
            ? options.startTime + i * step
            : Math.max(dataset.lastTimestamp, chainNow - (values.length - 1 - i) * step);
        const sent = [];
        let gasLimit: bigint | undefined;
        for (const [b, batch] of batches.entries()) {
          const timestamps = batch.handles.map((_, i) => BigInt(stamp(b * 32 + i)));
          const args = [dataset.id, batch.handles, batch.inputProof, timestamps] as const;
          // Hardhat estimates by replaying the call about ten times; a batch of 32 costs the same
          // gas every time, so estimate the first one and reuse it (with headroom).
          gasLimit ??= ((await market.appendReadings.estimateGas(...args)) * 12n) / 10n;
          // Pipelined: nonces come from the device's nonce manager; receipts are awaited together.
          sent.push(await market.appendReadings(...args, { gasLimit }));
        }
        await Promise.all(sent.map((tx) => tx.wait()));
        dataset.values.push(...values);
        dataset.lastTimestamp = stamp(values.length - 1);
      },

      async purchaseAccess(dataset, buyerWallet, periods = 1) {
        const market = as(buyerWallet);
        await (await market.purchaseAccess(dataset.id, periods, { value: 1000n * BigInt(periods) })).wait();
      },

      async decrypt({ buyer: buyerWallet, plan, handles }) {
        const layout = handleLayout(plan.ops);
        return userDecrypt({
          instance: fhevm,
          signer: buyerWallet,
          contract: deployed.address,
          handles: handles.map((handle, i) => ({ handle, type: layout[i]!.type })),
        });
      },

      workerConfig(overrides) {
        return {
          redisUrl: "redis://127.0.0.1:6379",
          queueName: "recipe-runs",
          queuePrefix: "iotdm",
          concurrency: 4,
          lockDurationMs: 30_000,
          stalledIntervalMs: 30_000,
          maxStalledCount: 3,
          rpcUrl: chain.rpcUrl,
          rpcPollingIntervalMs: 50,
          marketAddress: deployed.address,
          marketFromBlock: deployed.deploymentBlock,
          relayerPrivateKey: relayer.privateKey,
          logLevel: "silent",
          ...overrides,
        };
      },

      async stop() {
        provider.destroy();
        await chain.stop();
      },
    };
    return fixture;
  } catch (error) {
    provider.destroy();
    await chain.stop();
    throw error;
  }
}
