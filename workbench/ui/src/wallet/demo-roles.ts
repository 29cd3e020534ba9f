/**
 * Who is who among the development accounts in `npm start`'s demo (workbench/demo/accounts.ts is
 * the authority; a test keeps the two equal): the development wallet labels each account by role
 * ("#4 demo buyer", "#2 GreenLeaf Farms (seller)"), never preselects the relayer, and sellers are
 * shown by name. Used on the local chain only, where these public accounts are the demo's.
 */
import { devAccount } from "./dev-accounts";

/** A dev account's role in the demo. */
export interface DemoRole {
  index: number;
  /** Short, for pickers: "demo buyer", "GreenLeaf Farms (seller)". */
  label: string;
  /** A seller's name, shown wherever the seller is. */
  sellerName?: string;
  /** The worker's account: never the one to act with in the browser. */
  relayer?: boolean;
}

/** The demo's roles by dev account index. */
export const DEMO_ACCOUNT_ROLES: readonly DemoRole[] = [
  { index: 0, label: "market admin" },
  { index: 1, label: "relayer (the worker's account)", relayer: true },
  { index: 2, label: "GreenLeaf Farms (seller)", sellerName: "GreenLeaf Farms" },
  { index: 3, label: "Harbour Offices (seller)", sellerName: "Harbour Offices" },
  { index: 4, label: "demo buyer" },
  { index: 5, label: "second buyer" },
];

/** The account the development wallet offers first: the demo buyer. */
export const DEFAULT_DEV_INDEX = 4;

/** "#4 demo buyer · 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65". */
export function devAccountOption(account: { index: number; address: string }): string {
  const role = DEMO_ACCOUNT_ROLES.find((r) => r.index === account.index);
  return `#${account.index}${role ? ` ${role.label}` : ""} · ${account.address}`;
}

let sellers: Map<string, string> | undefined;

/** The demo seller's name of an address ("GreenLeaf Farms"), or undefined. */
export function demoSellerName(address: string): string | undefined {
  sellers ??= new Map(DEMO_ACCOUNT_ROLES.filter((r) => r.sellerName).map((r) => [devAccount(r.index).address.toLowerCase(), r.sellerName!]));
  return sellers.get(address.toLowerCase());
}
