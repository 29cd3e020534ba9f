/**
 * Test support: a local Hardhat node with the fhevm mock on a free port, the market deployed with the
 * contracts client (the relayer holds OPERATOR_ROLE), the people around it, and helpers that do what
 * sellers, devices and buyers do on-chain. What the workbench reads, it reads from here.
 */
import { HDNodeWallet, JsonRpcProvider, NonceManager, Wallet, type Contract } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import {
  createFhevmInstance,
  encryptReadings,
  EXACT_PRIVACY,
  userDecrypt,
  type PrivacyParams,
  type FhevmClient,
  connectMarket,
  type ResultType,
} from "@iotdm/contracts-client";
import { startLocalChain, type LocalChain } from "@iotdm/contracts-client/local-chain";

/** Hardhat's default accounts, funded on every fresh node. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Every recipe kind but HISTOGRAM (bit 7): a histogram recipe meets an unapproved kind. */
export const ALL_BUT_HISTOGRAM = ((1 << 10) - 1) & ~(1 << 7);

/** A dataset the fixture's seller created, with the decoded values appended so far. */
export interface ChainDataset {
  id: bigint;
  name: string;
  k: number;
  scale: number;
  offset: bigint;
  values: number[];
  timestamps: number[];
}

/** The people of the market. */
export interface Accounts {
  admin: Wallet;
  relayer: Wallet;
  seller: Wallet;
  device: Wallet;
  buyer: Wallet;
  otherBuyer: Wallet;
}

/** A running chain with a deployed market. */
export interface ChainFixture {
  chain: LocalChain;
  provider: JsonRpcProvider;
  address: string;
  deploymentBlock: number;
  fhevm: FhevmClient;
  accounts: Accounts;
  /** The market, connected to `wallet` through one nonce manager per wallet. */
  as(wallet: Wallet): Contract;
  createDataset(options?: { name?: string; k?: number; approvedKinds?: number; periodSeconds?: number; price?: bigint; privacy?: PrivacyParams }): Promise<ChainDataset>;
  /**
   * Encrypts and appends decoded `values`, stamped one `stepSeconds` apart from `startTime` (by
   * default after the last reading, never after the chain's latest block time).
   */
  appendReadings(dataset: ChainDataset, values: readonly number[], options?: { startTime?: number; stepSeconds?: number }): Promise<void>;
  purchaseAccess(dataset: ChainDataset, buyer: Wallet, periods?: number): Promise<void>;
  /** User-decrypts result handles as `signer` (only the run's buyer is allowed). */
  decrypt(options: { signer: Wallet; handles: readonly { handle: string; type: ResultType }[] }): Promise<(bigint | boolean)[]>;
  /** A new node on the same port (a fresh genesis), the market deployed again. */
  restartChain(): Promise<void>;
  stop(): Promise<void>;
}

function account(index: number, provider: JsonRpcProvider): Wallet {
  return new Wallet(HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey, provider);
}

/** Starts a node on a free port and deploys the market. */
export async function startChainFixture(): Promise<ChainFixture> {
  let chain = await startLocalChain();
  const provider = new JsonRpcProvider(chain.rpcUrl, 31337, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  const [admin, relayer, seller, device, buyer, otherBuyer] = [0, 1, 2, 3, 4, 5].map((i) => account(i, provider)) as [Wallet, Wallet, Wallet, Wallet, Wallet, Wallet];
  let managers = new Map<string, NonceManager>();
  const as = (wallet: Wallet) => {
    let manager = managers.get(wallet.address);
    if (!manager) managers.set(wallet.address, (manager = new NonceManager(wallet)));
    return connectMarket(fixture.address, manager);
  };

  const deploy = async () => {
    const deployed = await deployMarket({ signer: admin, operator: relayer.address });
    fixture.address = deployed.address;
    fixture.deploymentBlock = deployed.deploymentBlock;
    fixture.fhevm = await createFhevmInstance({ provider });
  };

  const fixture: ChainFixture = {
    chain,
    provider,
    address: "",
    deploymentBlock: 0,
    fhevm: undefined as unknown as FhevmClient,
    accounts: { admin, relayer, seller, device, buyer, otherBuyer },
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
      };
      const id = (await market.createDataset.staticCall(params)) as bigint;
      await (await market.createDataset(params)).wait();
      await (await market.registerDevice(id, device.address)).wait();
      await (await market.approveRecipeKinds(id, options.approvedKinds ?? ALL_BUT_HISTOGRAM)).wait();
      return { id, name: params.name, k, scale: 2, offset: -5000n, values: [], timestamps: [] };
    },

    async appendReadings(dataset, values, options = {}) {
      const encoded = values.map((v) => BigInt(Math.round(v * 10 ** dataset.scale)) - dataset.offset);
      const batches = await encryptReadings({ instance: fixture.fhevm, market: fixture.address, appender: device.address, values: encoded });
      const market = as(device);
      const latest = (await provider.getBlock("latest"))!.timestamp;
      const step = options.stepSeconds ?? 1;
      const n = values.length;
      // Without a start: after the dataset's last reading, or ending before the chain's clock when
      // that would run ahead of it (the contract refuses readings from the future).
      const last = dataset.timestamps.at(-1);
      const stamp = (i: number) =>
        options.startTime !== undefined
          ? options.startTime + i * step
          : Math.max(last ?? 0, Math.min((last ?? latest - n * step) + i * step, latest - (n - 1 - i) * step));
      const sent = [];
      for (const [b, batch] of batches.entries()) {
        const timestamps = batch.handles.map((_, i) => stamp(b * 32 + i));
        dataset.timestamps.push(...timestamps);
        sent.push(await market.appendReadings(dataset.id, batch.handles, batch.inputProof, timestamps.map(BigInt)));
      }
      await Promise.all(sent.map((tx) => tx.wait()));
      dataset.values.push(...values);
    },

    async purchaseAccess(dataset, wallet, periods = 1) {
      const info = await as(wallet).datasetInfo(dataset.id);
      await (await as(wallet).purchaseAccess(dataset.id, periods, { value: info.pricePerPeriod * BigInt(periods) })).wait();
    },

    decrypt({ signer, handles }) {
      return userDecrypt({ instance: fixture.fhevm, signer, contract: fixture.address, handles });
    },

    async restartChain() {
      const port = chain.port;
      await chain.stop();
      chain = await startLocalChain({ port });
      fixture.chain = chain;
      managers = new Map();
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

/** Deterministic temperatures with two decimals around 20 °C. */
export function temperatures(count: number, seed = 0): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((20 + 8 * Math.sin((i + seed) / 7) + ((i * 37 + seed) % 11) / 10) * 100) / 100);
}
