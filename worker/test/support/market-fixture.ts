/**
 * Test and benchmark support, the one market fixture of the worker's, the service's and the benchmarks'
 * tests: a local Hardhat node with the fhevm mock on a free port, a deployed market, and the people
 * around it (seller, device, buyers, the relayer the worker signs with), with helpers that do what
 * sellers, devices and buyers do on-chain: create datasets, append encrypted readings, buy access,
 * decrypt results as the buyer.
 */
import { HDNodeWallet, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import {
  appendGasLimit,
  connectMarket,
  createFhevmInstance,
  encryptReadings,
  EXACT_PRIVACY,
  MAX_READINGS_PER_BATCH,
  readDatasetInfo,
  userDecrypt,
  type FhevmClient,
  type IoTDataMarket,
  type PrivacyParams,
  type ResultType,
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

/** A dataset created by the fixture's seller, with what has been appended to it so far. */
export interface TestDataset {
  id: bigint;
  name: string;
  scale: number;
  offset: bigint;
  k: number;
  periodSeconds: number;
  privacy: PrivacyParams;
  /** The rollups kept at ingestion (a ROLLUP mask). */
  rollups: number;
  /** Decoded plaintext values appended so far, in index order. */
  values: number[];
  /** Each appended reading's timestamp, in index order. */
  timestamps: number[];
}

/** Options of {@link MarketFixture.createDataset}. */
export interface CreateDatasetOptions {
  name?: string;
  k?: number;
  periodSeconds?: number;
  /** Price of one access period in wei (default 1000). */
  price?: bigint;
  /** Recipe kinds approved by the seller (bit mask); default: every kind but HISTOGRAM. */
  approvedKinds?: number;
  /** Exact (the default) or private with its range (encoded units), budget and ε bounds. */
  privacy?: PrivacyParams;
  /** Rollups kept at ingestion (a ROLLUP mask; default none: every run reads its readings). */
  rollups?: number;
}

/** Every kind but HISTOGRAM (bit 7), so that a histogram recipe meets an unapproved kind. */
export const ALL_BUT_HISTOGRAM = ((1 << 10) - 1) & ~(1 << 7);

/** The people of the market: Hardhat's dev accounts 0–6. */
export interface Accounts {
  admin: Wallet;
  /** Holds OPERATOR_ROLE: the worker's key. */
  relayer: Wallet;
  seller: Wallet;
  /** The registered device of every dataset the fixture creates. */
  device: Wallet;
  buyer: Wallet;
  otherBuyer: Wallet;
  /** Holds no role and buys nothing. */
  stranger: Wallet;
}

/**
 * A running chain and market, for the worker's, the service's and the benchmarks' tests. Create with
 * {@link startMarketFixture}; `stop()` when done.
 */
export interface MarketFixture {
  chain: LocalChain;
  provider: JsonRpcProvider;
  chainId: number;
  address: string;
  deploymentBlock: number;
  market: MarketRef;
  fhevm: FhevmClient;
  accounts: Accounts;
  /** The market contract connected to `signer` (a wallet through one nonce manager per wallet). */
  as(signer: Wallet | NonceManager): IoTDataMarket;
  createDataset(options?: CreateDatasetOptions): Promise<TestDataset>;
  /**
   * Encrypts and appends decoded `values` (32 per transaction), stamped `startTime + i * stepSeconds`;
   * without `startTime`, the last one at the chain's latest block time and the others `stepSeconds`
   * apart before it (never before the dataset's last reading): the contract refuses readings from
   * the future.
   */
  appendReadings(dataset: TestDataset, values: readonly number[], options?: { startTime?: number; stepSeconds?: number }): Promise<void>;
  purchaseAccess(dataset: TestDataset, buyer: Wallet, periods?: number): Promise<void>;
  /** A dataset made with `options`, holding `readings` (as appendReadings), whose access the fixture's buyer bought: most tests' start. */
  purchasedDataset(options: CreateDatasetOptions & { readings: readonly number[] }): Promise<TestDataset>;
  /** User-decrypts result handles of known types as `signer` (only the run's buyer is allowed). */
  decrypt(options: { signer: Wallet; handles: readonly { handle: string; type: ResultType }[] }): Promise<(bigint | boolean)[]>;
  /** Decrypts a finished run's result handles as `buyer`, laid out by `plan`'s program. */
  decryptResults(options: { buyer: Wallet; plan: Pick<Plan, "ops">; handles: readonly string[] }): Promise<(bigint | boolean)[]>;
  /** A worker configuration for this chain (queue settings from `overrides`). */
  workerConfig(overrides: Partial<WorkerConfig>): WorkerConfig;
  /** A new node on the same port (a fresh genesis), the market deployed again. */
  restartChain(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a node on a free port, deploys the market (the relayer holds OPERATOR_ROLE) and returns the fixture. */
export async function startMarketFixture(): Promise<MarketFixture> {
  let chain = await startLocalChain();
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const [admin, relayer, seller, device, buyer, otherBuyer, stranger] = [0, 1, 2, 3, 4, 5, 6].map((i) => account(i, provider)) as [
    Wallet,
    Wallet,
    Wallet,
    Wallet,
    Wallet,
    Wallet,
    Wallet,
  ];
  let senders = new Map<string, NonceManager>();
  const managed = (wallet: Wallet) => {
    let manager = senders.get(wallet.address);
    if (!manager) senders.set(wallet.address, (manager = new NonceManager(wallet)));
    return manager;
  };
  const as = (signer: Wallet | NonceManager) => connectMarket(fixture.address, signer instanceof Wallet ? managed(signer) : signer);

  const deploy = async () => {
    const deployed = await deployMarket({ signer: admin, operator: relayer.address });
    const chainId = Number((await provider.getNetwork()).chainId);
    Object.assign(fixture, {
      chainId,
      address: deployed.address,
      deploymentBlock: deployed.deploymentBlock,
      market: { chainId, address: deployed.address },
      fhevm: await createFhevmInstance({ provider }),
    });
  };

  const fixture: MarketFixture = {
    chain,
    provider,
    // Set by deploy().
    chainId: 0,
    address: "",
    deploymentBlock: 0,
    market: { chainId: 0, address: "" },
    fhevm: undefined as unknown as FhevmClient,
    accounts: { admin, relayer, seller, device, buyer, otherBuyer, stranger },
    as,

    async createDataset(options = {}) {
      const market = as(seller);
      const k = options.k ?? 8;
      const params = {
        name: options.name ?? `greenhouse-${Math.random().toString(36).slice(2, 8)}`,
        field: "temperature",
        unit: "°C",
        scale: 2,
        offset: -5000n,
        pricePerPeriod: options.price ?? 1000n,
        periodSeconds: options.periodSeconds ?? 30 * 24 * 3600,
        bucketSize: BigInt(k),
        privacy: options.privacy ?? EXACT_PRIVACY,
        rollups: options.rollups ?? 0,
      };
      const id = (await market.createDataset.staticCall(params)) as bigint;
      await (await market.createDataset(params)).wait();
      await (await market.registerDevice(id, device.address)).wait();
      await (await market.approveRecipeKinds(id, options.approvedKinds ?? ALL_BUT_HISTOGRAM)).wait();
      const { name, scale, offset, periodSeconds, privacy, rollups } = params;
      return { id, name, scale, offset, k, periodSeconds, privacy, rollups, values: [], timestamps: [] };
    },

    async appendReadings(dataset, values, options = {}) {
      const encoded = values.map((v) => BigInt(Math.round(v * 10 ** dataset.scale)) - dataset.offset);
      const batches = await encryptReadings({ instance: fixture.fhevm, market: fixture.address, appender: device.address, values: encoded });
      const market = as(device);
      const step = options.stepSeconds ?? 1;
      const chainNow = (await provider.getBlock("latest"))!.timestamp;
      const last = dataset.timestamps.at(-1) ?? 0;
      // Timestamps never go backwards, also across batches, nor run ahead of the chain's clock.
      const stamp = (i: number) => (options.startTime !== undefined ? options.startTime + i * step : Math.max(last, chainNow - (values.length - 1 - i) * step));
      const sent = [];
      for (const [b, batch] of batches.entries()) {
        const timestamps = batch.handles.map((_, i) => stamp(b * MAX_READINGS_PER_BATCH + i));
        // Pipelined with a fixed gas limit (no estimate: Hardhat replays a call about ten times to estimate it);
        // nonces come from the device's nonce manager, receipts are awaited together.
        const gasLimit = appendGasLimit(batch.handles.length, dataset.privacy, dataset.rollups);
        sent.push(await market.appendReadings(dataset.id, batch.handles, batch.inputProof, timestamps.map(BigInt), { gasLimit }));
        dataset.timestamps.push(...timestamps);
      }
      await Promise.all(sent.map((tx) => tx.wait()));
      dataset.values.push(...values);
    },

    async purchasedDataset({ readings, ...options }) {
      const dataset = await fixture.createDataset(options);
      await fixture.appendReadings(dataset, readings);
      await fixture.purchaseAccess(dataset, fixture.accounts.buyer);
      return dataset;
    },
    async purchaseAccess(dataset, buyerWallet, periods = 1) {
      const market = as(buyerWallet);
      const info = await readDatasetInfo(market, dataset.id);
      await (await market.purchaseAccess(dataset.id, periods, { value: info.pricePerPeriod * BigInt(periods) })).wait();
    },

    decrypt({ signer, handles }) {
      return userDecrypt({ instance: fixture.fhevm, signer, contract: fixture.address, handles });
    },

    decryptResults({ buyer: buyerWallet, plan, handles }) {
      const layout = handleLayout(plan.ops);
      return fixture.decrypt({ signer: buyerWallet, handles: handles.map((handle, i) => ({ handle, type: layout[i]!.type })) });
    },

    workerConfig(overrides) {
      return {
        redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        queueName: "recipe-runs",
        queuePrefix: "iotdm",
        concurrency: 4,
        lockDurationMs: 30_000,
        stalledIntervalMs: 30_000,
        maxStalledCount: 3,
        rpcUrl: fixture.chain.rpcUrl,
        rpcPollingIntervalMs: 50,
        marketAddress: fixture.address,
        marketFromBlock: fixture.deploymentBlock,
        relayerPrivateKey: relayer.privateKey,
        logLevel: "silent",
        ...overrides,
      };
    },

    async restartChain() {
      const port = chain.port;
      await chain.stop();
      chain = await startLocalChain({ port });
      fixture.chain = chain;
      senders = new Map();
      await deploy();
    },

    async stop() {
      provider.destroy();
      await chain.stop();
    },
  };
  try {
    await deploy();
  } catch (error) {
    await fixture.stop();
    throw error;
  }
  return fixture;
}
