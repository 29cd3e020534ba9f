/**
 * The demo's accounts: Hardhat's well-known development accounts (mnemonic "test test … junk"),
 * whose private keys are public. They hold ETH only on a local chain and must never be used
 * anywhere else. The workbench's dev wallet offers accounts 0–9 of the same mnemonic, so the
 * indices below are the entries to pick there.
 */
import { HDNodeWallet, Mnemonic, type Provider, Wallet } from "ethers";

/** Hardhat's default mnemonic (public; the node funds its first 20 accounts with 10 000 ETH). */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Who is who among the dev accounts. */
export const DEMO_ROLES = {
  /** Deploys the market and holds its admin role. */
  admin: { index: 0, label: "market admin (deployer)" },
  /** The worker's relayer: holds the market's OPERATOR role, starts and steps runs for buyers. */
  relayer: { index: 1, label: "relayer (the worker's account)" },
  sellers: [
    { index: 2, label: "GreenLeaf Farms (seller)" },
    { index: 3, label: "Harbour Offices (seller)" },
  ],
  buyers: [
    { index: 4, label: "demo buyer (owns access to greenhouse, home-temperature)" },
    { index: 5, label: "second buyer (owns no access yet)" },
  ],
  /** Devices take accounts from here on (one a dataset: 10–15), outside the dev wallet's 0–9 so they do not clutter it. */
  firstDevice: 10,
  /**
   * The demo's MQTT gateway (workbench/gateway): registered as a device of every demo dataset, it
   * appends what the MQTT devices publish. The last funded account, clear of the datasets' devices.
   */
  gateway: { index: 19, label: "MQTT gateway (appends for the MQTT devices)" },
} as const;

/** The largest index the Hardhat node funds. */
export const LAST_FUNDED_INDEX = 19;

let root: HDNodeWallet | undefined;

/** Dev account `index` (m/44'/60'/0'/0/index), connected to `provider` when given. */
export function devWallet(index: number, provider?: Provider): Wallet {
  if (!Number.isInteger(index) || index < 0 || index > LAST_FUNDED_INDEX) {
    throw new RangeError(`dev account index must be 0..${LAST_FUNDED_INDEX}, got ${index}`);
  }
  root ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'/0");
  return new Wallet(root.deriveChild(index).privateKey, provider);
}

/**
 * How many relayer keys the demo deployment makes operators: as many worker processes (`WORKERS`,
 * Compose's `--scale worker=N`) as this can run on the local chain with keys of their own.
 */
export const DEMO_RELAYER_COUNT = 8;

/**
 * The `n`th demo relayer (1-based): relayer 1 is dev account #1 (the worker's of a one-worker
 * `npm start`); relayer n ≥ 2 is account #(100 + n) of the same mnemonic, outside the accounts the
 * node funds (so that it clutters neither the dev wallet nor the devices' range): the demo deployment
 * grants each of them OPERATOR_ROLE and ETH for gas (workbench/demo/operators.ts).
 */
export function demoRelayer(n: number, provider?: Provider): Wallet {
  if (!Number.isInteger(n) || n < 1 || n > DEMO_RELAYER_COUNT) {
    throw new RangeError(`demo relayer number must be 1..${DEMO_RELAYER_COUNT}, got ${n}`);
  }
  if (n === 1) return devWallet(DEMO_ROLES.relayer.index, provider);
  root ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'/0");
  return new Wallet(root.deriveChild(100 + n).privateKey, provider);
}

/** The first `count` demo relayers' keys. */
export function demoRelayerKeys(count = DEMO_RELAYER_COUNT): string[] {
  return Array.from({ length: count }, (_, i) => demoRelayer(i + 1).privateKey);
}
