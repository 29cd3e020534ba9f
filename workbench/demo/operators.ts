/**
 * Relayers as operators of a market on the local chain: each worker process signs with a key of its
 * own (worker/src/relayer-identity.ts), and each key needs the market's OPERATOR_ROLE and ETH for
 * gas. On the local chain the demo's admin (dev account #0, the market's deployer) grants the role
 * and tops the account up; on a real network the market's admin does the same by hand (README,
 * "Running on several machines").
 */
import { JsonRpcProvider, Network, NonceManager, parseEther, type TransactionResponse } from "ethers";
import { connectMarket, LOCAL_CHAIN_ID } from "@iotdm/contracts-client";
import { DEMO_ROLES, devWallet } from "./accounts";

/** A relayer is topped up to {@link RELAYER_FUNDING} when it holds less than this. */
const LOW_BALANCE = parseEther("1");
/** What a relayer gets for gas: thousands of runs on the local chain. */
const RELAYER_FUNDING = parseEther("100");

/** What {@link ensureOperators} did. */
export interface OperatorsOutcome {
  /** Addresses newly granted OPERATOR_ROLE. */
  granted: string[];
  /** Addresses sent ETH. */
  funded: string[];
}

/**
 * Makes every address of `relayers` an operator of the market at `marketAddress` with ETH for gas,
 * as the demo's admin; addresses that already are are left alone. Local chain only.
 */
export async function ensureOperators(options: { rpcUrl: string; marketAddress: string; relayers: readonly string[] }): Promise<OperatorsOutcome> {
  const provider = new JsonRpcProvider(options.rpcUrl, Network.from(LOCAL_CHAIN_ID), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
  try {
    const { chainId } = await provider.getNetwork();
    if (chainId !== LOCAL_CHAIN_ID) throw new Error(`relayers are made operators by the demo's admin on the local chain only; ${options.rpcUrl} is chain ${chainId}`);
    const admin = new NonceManager(devWallet(DEMO_ROLES.admin.index, provider));
    const market = connectMarket(options.marketAddress, admin);
    const role = (await market.getFunction("OPERATOR_ROLE")()) as string;
    const outcome: OperatorsOutcome = { granted: [], funded: [] };
    const sent: TransactionResponse[] = [];
    for (const relayer of new Set(options.relayers)) {
      if (!((await market.getFunction("hasRole")(role, relayer)) as boolean)) {
        sent.push(await market.getFunction("grantRole")(role, relayer));
        outcome.granted.push(relayer);
      }
      if ((await provider.getBalance(relayer)) < LOW_BALANCE) {
        sent.push(await admin.sendTransaction({ to: relayer, value: RELAYER_FUNDING }));
        outcome.funded.push(relayer);
      }
    }
    await Promise.all(sent.map((tx) => tx.wait()));
    return outcome;
  } finally {
    provider.destroy();
  }
}
