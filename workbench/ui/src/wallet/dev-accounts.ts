/**
 * The development wallet's accounts: the well-known Hardhat accounts of the mnemonic
 * "test test … junk", whose private keys are public. Offered ONLY on the local chain (31337), and
 * shown as DEV ONLY wherever they appear.
 */
import { HDNodeWallet, Mnemonic } from "ethers";

/** Hardhat's default mnemonic (public; never holds real funds). */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** How many of the node's accounts the picker offers (Hardhat funds 20). */
export const DEV_ACCOUNT_COUNT = 10;

let root: HDNodeWallet | undefined;

/** The HD node of account `index` (m/44'/60'/0'/0/index); the seed is derived once. */
export function devAccount(index: number): HDNodeWallet {
  if (!Number.isInteger(index) || index < 0 || index >= 20) throw new RangeError(`dev account index must be 0..19, got ${index}`);
  root ??= HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), "m/44'/60'/0'/0");
  return root.deriveChild(index);
}

/** The dev accounts the picker lists: index and address. */
export function devAccounts(count = DEV_ACCOUNT_COUNT): { index: number; address: string }[] {
  return Array.from({ length: count }, (_, index) => ({ index, address: devAccount(index).address }));
}
