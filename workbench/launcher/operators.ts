/**
 * `npm run operators -- <check | grant | revoke> <relayer address…>`: which relayers may start and
 * step runs on a market (its OPERATOR_ROLE), and the market admin's grant or revocation of it. This
 * is how an operator adds a worker on a real network: each worker process signs with a key of its
 * own, so each new worker's relayer address is granted the role once (and funded for gas).
 *
 *   CHAIN_RPC_URL=https://… MARKET_ADDRESS=0x… npm run operators -- check 0xRelayer…
 *   CHAIN_RPC_URL=https://… MARKET_ADDRESS=0x… ADMIN_PRIVATE_KEY=0x… npm run operators -- grant 0xRelayer…
 *
 * CHAIN_RPC_URL defaults to the local chain and MARKET_ADDRESS to the one in STATE_DIR's deployment
 * record. The admin's key comes from the environment only, never the command line (shell history).
 * Exit codes: 0 done (for `check`: every relayer holds the role), 1 otherwise, 2 on bad usage.
 */
import { formatEther, isAddress, JsonRpcProvider, Wallet } from "ethers";
import { connectMarket } from "@iotdm/contracts-client";
import { readDeployment } from "../demo/deployment-file";

const USAGE = `Usage: npm run operators -- <check | grant | revoke> <relayer address> [more addresses…]

  check    whether each relayer holds the market's OPERATOR_ROLE, and its balance for gas
  grant    grants it (as the market's admin: ADMIN_PRIVATE_KEY)
  revoke   revokes it (as the market's admin: ADMIN_PRIVATE_KEY)

Environment: CHAIN_RPC_URL (default http://127.0.0.1:8545), MARKET_ADDRESS (default: the one in
STATE_DIR/deployment.json, STATE_DIR default .state), ADMIN_PRIVATE_KEY for grant and revoke.`;

type Action = "check" | "grant" | "revoke";

/** One relayer after the action. */
export interface OperatorRow {
  address: string;
  operator: boolean;
  /** What this call did to it. */
  changed: boolean;
  balanceWei: bigint;
}

/** Checks, grants or revokes OPERATOR_ROLE for each of `relayers` on the market at `marketAddress`. */
export async function manageOperators(options: {
  rpcUrl: string;
  marketAddress: string;
  action: Action;
  relayers: readonly string[];
  /** The market admin's key (grant and revoke). */
  adminKey?: string;
}): Promise<OperatorRow[]> {
  const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const signer = options.adminKey ? new Wallet(options.adminKey, provider) : undefined;
    const market = connectMarket(options.marketAddress, signer ?? provider);
    const role = (await market.getFunction("OPERATOR_ROLE")()) as string;
    const rows: OperatorRow[] = [];
    for (const address of options.relayers) {
      const holds = (await market.getFunction("hasRole")(role, address)) as boolean;
      const wanted = options.action === "check" ? holds : options.action === "grant";
      if (holds !== wanted) {
        if (!signer) throw new Error(`${options.action} needs the market admin's key in ADMIN_PRIVATE_KEY`);
        await (await market.getFunction(options.action === "grant" ? "grantRole" : "revokeRole")(role, address)).wait();
      }
      rows.push({ address, operator: wanted, changed: holds !== wanted, balanceWei: await provider.getBalance(address) });
    }
    return rows;
  } finally {
    provider.destroy();
  }
}

async function main(): Promise<number> {
  const [action, ...relayers] = process.argv.slice(2);
  if (action === "-h" || action === "--help") {
    console.log(USAGE);
    return 0;
  }
  if (!["check", "grant", "revoke"].includes(action ?? "") || relayers.length === 0) {
    console.error(`operators: ${action ? "" : "no action; "}${USAGE}`);
    return 2;
  }
  const bad = relayers.filter((address) => !isAddress(address));
  if (bad.length > 0) {
    console.error(`operators: not an address: ${bad.join(", ")}`);
    return 2;
  }
  const marketAddress = process.env.MARKET_ADDRESS || readDeployment(process.env.STATE_DIR || ".state")?.marketAddress;
  if (!marketAddress) {
    console.error("operators: no market: set MARKET_ADDRESS (or run npm start first, which records the local one)");
    return 2;
  }
  const rows = await manageOperators({
    rpcUrl: process.env.CHAIN_RPC_URL || "http://127.0.0.1:8545",
    marketAddress,
    action: action as Action,
    relayers,
    adminKey: process.env.ADMIN_PRIVATE_KEY || undefined,
  });
  for (const row of rows) {
    const what = row.changed ? (row.operator ? "granted OPERATOR_ROLE" : "revoked OPERATOR_ROLE") : row.operator ? "holds OPERATOR_ROLE" : "does NOT hold OPERATOR_ROLE";
    const gas = row.balanceWei === 0n ? "; it holds no ETH: fund it before a worker signs with it" : `; balance ${formatEther(row.balanceWei)} ETH`;
    console.log(`${row.address} ${what} on ${marketAddress}${gas}`);
  }
  return action === "check" && rows.some((row) => !row.operator) ? 1 : 0;
}

if (process.argv[1] === import.meta.filename) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`operators: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
