/**
 * The demo seed: deploys the market on a fresh local chain with the worker's relayer as operator,
 * creates the demo sellers' datasets, registers one simulated device per dataset and the demo's MQTT
 * gateway as a device of every dataset, approves recipe
 * kinds, back-fills a few days of encrypted readings from the simulator's signals, and lets the demo
 * buyer purchase access to one dataset. Pay per run: the operator publishes a run gas price, greenhouse's seller a
 * price per run, and the demo buyers deposit into their market balances. Local chain (31337) only: it spends dev accounts' ETH.
 *
 * Speed matters (it runs on every `npm start`): the history is encrypted per dataset in batches of
 * 32 (one input proof each), the datasets are back-filled concurrently (each device has its own
 * nonce sequence), and each append carries a fixed gas limit instead of asking the node for an
 * estimate, which would execute every batch twice.
 */
import { JsonRpcProvider, Network, NonceManager, formatEther, formatUnits, parseEther, type ContractTransactionResponse, type TransactionReceipt } from "ethers";
import { deployMarket } from "@iotdm/contracts-client/deploy";
import {
  appendGasLimit,
  LOCAL_CHAIN_ID,
  MAX_READINGS_PER_BATCH,
  createFhevmInstance,
  encryptReadings,
  type FhevmClient,
  connectMarket,
  readDatasetInfo,
  type IoTDataMarket,
} from "@iotdm/contracts-client";
import { encodeReading } from "../simulator/encoding";
import { readChainIdentity } from "../simulator/rpc";
import { SENSOR_PROFILES, createSignal } from "../simulator/signals";
import { DEMO_ROLES, devWallet } from "./accounts";
import { DEMO_DATASETS, datasetParams, type DemoDataset } from "./catalogue";
import type { Deployment } from "./deployment-file";

/**
 * Pay per run (issue 15) in the demo: the gas price the operator publishes at deploy (what its transactions are
 * reimbursed at, at most; the local node's own price stays below it), and what each demo buyer deposits into the
 * market so that its runs and reports can lock their quotes (a mean over the whole 72 h history quotes about 0.08 ETH).
 */
export const DEMO_RUN_GAS_PRICE = 1_000_000_000n;
export const DEMO_BUYER_DEPOSIT = parseEther("5");

/** Options of {@link seedDemo}. */
export interface SeedDemoOptions {
  /** The local chain (a fresh Hardhat node with the fhevm mock). */
  rpcUrl: string;
  /** Hours of history per dataset, ending now (default 72). 0 seeds no readings. */
  historyHours?: number;
  /** End of the history, unix seconds (default, and at most: the chain's latest block time). */
  now?: number;
  /** The datasets to create (default the demo catalogue). */
  datasets?: readonly DemoDataset[];
  /** Progress lines for the console. */
  onProgress?: (message: string) => void;
}

/** The seeded deployment and how long each phase took. */
export interface SeedResult {
  deployment: Deployment;
  timings: { deployMs: number; datasetsMs: number; historyMs: number; totalMs: number };
}

/** Seeds the demo on the chain at `rpcUrl`; see the module comment. */
export async function seedDemo(options: SeedDemoOptions): Promise<SeedResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const catalogue = options.datasets ?? DEMO_DATASETS;
  const historyHours = options.historyHours ?? 72;

  const identity = await readChainIdentity({ url: options.rpcUrl });
  if (identity.chainId !== LOCAL_CHAIN_ID) {
    throw new Error(`the demo seed uses the public dev accounts and runs on the local chain (${LOCAL_CHAIN_ID}) only; ${options.rpcUrl} is chain ${identity.chainId}`);
  }
  const provider = new JsonRpcProvider(options.rpcUrl, Network.from(identity.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
  try {
    const admin = devWallet(DEMO_ROLES.admin.index, provider);
    const relayer = devWallet(DEMO_ROLES.relayer.index, provider);
    const deployed = await deployMarket({ signer: admin, operator: relayer.address });
    await (await connectMarket(deployed.address, relayer).setRunGasPrice(DEMO_RUN_GAS_PRICE)).wait();
    // History ends at the chain's clock (its latest block), never after it: the market refuses
    // readings stamped later than the block that appends them.
    const latest = (await provider.getBlock("latest"))!.timestamp;
    const now = options.now === undefined ? latest : Math.min(options.now, latest);
    const deployMs = performance.now() - started;
    progress(`deployed the market at ${deployed.address} (block ${deployed.deploymentBlock}) in ${seconds(deployMs)}`);

    // Datasets one after the other, so that ids follow the catalogue's order on every start.
    const sellers = DEMO_ROLES.sellers.map(({ index }) => new NonceManager(devWallet(index, provider)));
    const created: { dataset: DemoDataset; id: bigint; device: number }[] = [];
    const pending: ContractTransactionResponse[] = [];
    const gateway = devWallet(DEMO_ROLES.gateway.index).address;
    for (const [position, dataset] of catalogue.entries()) {
      const market = connectMarket(deployed.address, sellers[dataset.seller]!);
      const receipt = (await (await market.createDataset(datasetParams(dataset))).wait())!;
      const id = createdDatasetId(market, receipt);
      const device = DEMO_ROLES.firstDevice + position;
      pending.push(await market.registerDevice(id, devWallet(device).address));
      pending.push(await market.registerDevice(id, gateway));
      pending.push(await market.approveRecipeKinds(id, dataset.approvedKinds));
      if (dataset.runPrice) pending.push(await market.setRunPrice(id, dataset.runPrice));
      created.push({ dataset, id, device });
    }
    await Promise.all(pending.map((tx) => tx.wait()));
    const datasetsMs = performance.now() - started - deployMs;
    progress(`created ${created.length} datasets with their devices and approvals in ${seconds(datasetsMs)}`);

    const fhevm = await createFhevmInstance({ provider });
    const counts = await Promise.all(
      created.map(({ dataset, id, device }) =>
        backfill({ fhevm, market: deployed.address, provider, dataset, id, device, historyHours, now }),
      ),
    );
    const readings = counts.reduce((sum, count) => sum + count, 0);
    const historyMs = performance.now() - started - deployMs - datasetsMs;
    progress(`appended ${readings.toLocaleString("en")} encrypted readings (${historyHours} h of history) in ${seconds(historyMs)}`);

    // The demo buyer owns access to the first exact and the first private dataset, so that a recipe
    // runs on first start, exactly on one and with noise and a budget on the other.
    const buyerAccount = DEMO_ROLES.buyers[0];
    const owned = [created.find(({ dataset }) => !dataset.privacy), created.find(({ dataset }) => dataset.privacy)];
    if (buyerAccount) {
      const market = connectMarket(deployed.address, devWallet(buyerAccount.index, provider));
      for (const entry of owned) {
        if (!entry) continue;
        await (await market.purchaseAccess(entry.id, 1, { value: entry.dataset.pricePerPeriod })).wait();
        progress(`the demo buyer bought one access period to "${entry.dataset.name}"`);
      }
    }

    // Every demo buyer holds a market balance, so that runs and schedules lock real quotes from the first start.
    await Promise.all(
      DEMO_ROLES.buyers.map(async ({ index }) => (await connectMarket(deployed.address, devWallet(index, provider)).deposit({ value: DEMO_BUYER_DEPOSIT })).wait()),
    );
    progress(`the demo buyers deposited ${formatEther(DEMO_BUYER_DEPOSIT)} ETH each for their runs; the operator's run gas price is ${formatUnits(DEMO_RUN_GAS_PRICE, "gwei")} gwei`);

    const totalMs = performance.now() - started;
    const account = (index: number, label: string) => ({ index, address: devWallet(index).address, label });
    const deployment: Deployment = {
      version: 1,
      network: "local",
      chainId: Number(identity.chainId),
      rpcUrl: options.rpcUrl,
      genesisHash: identity.genesisHash,
      marketAddress: deployed.address,
      deploymentBlock: deployed.deploymentBlock,
      libraries: deployed.libraries,
      deployedAt: new Date().toISOString(),
      accounts: {
        admin: account(DEMO_ROLES.admin.index, DEMO_ROLES.admin.label),
        relayer: account(DEMO_ROLES.relayer.index, DEMO_ROLES.relayer.label),
        sellers: DEMO_ROLES.sellers.map(({ index, label }) => account(index, label)),
        buyers: DEMO_ROLES.buyers.map(({ index, label }) => account(index, label)),
        gateway: account(DEMO_ROLES.gateway.index, DEMO_ROLES.gateway.label),
      },
      datasets: created.map(({ dataset, id, device }) => ({
        id: id.toString(),
        name: dataset.name,
        kind: dataset.kind,
        seller: devWallet(DEMO_ROLES.sellers[dataset.seller]!.index).address,
        device: account(device, `device of ${dataset.name}`),
        deviceMode: dataset.deviceMode,
        approvedKinds: dataset.approvedKinds,
        utcOffsetHours: dataset.utcOffsetHours,
      })),
      seed: { historyHours, readings, durationMs: Math.round(totalMs), seededAt: new Date().toISOString() },
    };
    return { deployment, timings: { deployMs: Math.round(deployMs), datasetsMs: Math.round(datasetsMs), historyMs: Math.round(historyMs), totalMs: Math.round(totalMs) } };
  } finally {
    provider.destroy();
  }
}

/** The id in the DatasetCreated event of `receipt`. */
function createdDatasetId(market: IoTDataMarket, receipt: TransactionReceipt): bigint {
  for (const log of receipt.logs) {
    const parsed = market.interface.parseLog(log);
    if (parsed?.name === "DatasetCreated") return parsed.args.datasetId as bigint;
  }
  throw new Error(`createDataset (tx ${receipt.hash}) emitted no DatasetCreated event`);
}

/**
 * Appends `historyHours` of readings ending at `now`, stamped at the dataset's interval (aligned
 * to it, as a device reporting every 5 min does at :00, :05, …), as its registered device.
 * Returns the number of readings.
 */
async function backfill(options: {
  fhevm: FhevmClient;
  market: string;
  provider: JsonRpcProvider;
  dataset: DemoDataset;
  id: bigint;
  device: number;
  historyHours: number;
  now: number;
}): Promise<number> {
  const { dataset } = options;
  const count = Math.floor((options.historyHours * 3600) / dataset.intervalSeconds);
  if (count === 0) return 0;
  const { scale, offset } = SENSOR_PROFILES[dataset.kind];
  const end = options.now - (options.now % dataset.intervalSeconds);
  const signal = createSignal({ kind: dataset.kind, seed: `demo:${dataset.name}`, utcOffsetHours: dataset.utcOffsetHours });
  const timestamps: bigint[] = [];
  const values: bigint[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const timestamp = end - i * dataset.intervalSeconds;
    timestamps.push(BigInt(timestamp));
    values.push(encodeReading({ value: signal.next(timestamp).value, scale, offset }).encoded);
  }

  const device = new NonceManager(devWallet(options.device, options.provider));
  const market = connectMarket(options.market, device);
  const appender = await device.getAddress();
  const batches = await encryptReadings({ instance: options.fhevm, market: options.market, appender, values });
  let lastSent: ContractTransactionResponse | undefined;
  for (const [b, batch] of batches.entries()) {
    const stamps = timestamps.slice(b * MAX_READINGS_PER_BATCH, b * MAX_READINGS_PER_BATCH + batch.handles.length);
    // Sent back to back; the device's nonce manager numbers them.
    lastSent = await market.appendReadings(options.id, batch.handles, batch.inputProof, stamps, {
      gasLimit: appendGasLimit(batch.handles.length, datasetParams(dataset).privacy, datasetParams(dataset).rollups),
    });
  }
  // One sender's transactions are mined in nonce order: once the last one is, all are. Polling
  // every receipt instead slows the node down (tens of pollers) for nothing.
  await lastSent!.wait();
  const { readingCount } = await readDatasetInfo(market, options.id);
  if (readingCount !== BigInt(count)) {
    throw new Error(`the history of "${dataset.name}" should hold ${count} readings, the market has ${readingCount}`);
  }
  return count;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
