/**
 * What `npm start` prints once everything answers: the URL to open, where the chain and Redis
 * are, and which development-wallet entry to pick for each demo role.
 */
import { formatEther } from "ethers";
import { RecipeKind } from "@iotdm/contracts-client";
import { DEMO_DATASETS } from "../demo/catalogue";
import type { Deployment } from "../demo/deployment-file";

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** Which recipe kinds the mask leaves out, in words ("all kinds" when none). */
export function approvalSummary(mask: number): string {
  const missing = Object.values(RecipeKind)
    .filter((kind): kind is RecipeKind => typeof kind === "number" && (mask & (1 << kind)) === 0)
    .map((kind) => RecipeKind[kind]);
  return missing.length === 0 ? "every recipe kind approved" : `not approved: ${missing.join(", ")}`;
}

/** The banner's text (without colors). */
export function readyBanner(options: {
  url: string;
  chainRpcUrl: string;
  network: "local" | "sepolia";
  redis: string;
  deployment: Deployment | undefined;
  marketAddress: string;
  uiBuilt: boolean;
  simulatorRate: number;
}): string {
  const { deployment } = options;
  const rule = "─".repeat(78);
  const lines = [rule, `  IoT Data Market workbench is ready: ${options.url}`, ""];
  if (!options.uiBuilt) lines.push("  (no UI build: the page will not load; the API is at /api, its docs at /docs)", "");
  if (options.network === "local") {
    lines.push(
      `  Chain    ${options.chainRpcUrl} — chain 31337 with Zama's fhevm MOCK: computed on cleartext,`,
      "           correct results but no real confidentiality; it listens on 127.0.0.1 only.",
    );
  } else {
    lines.push(`  Chain    ${options.chainRpcUrl} — Zama's fhevm on Sepolia through the relayer SDK`);
  }
  lines.push(`  Market   ${options.marketAddress}`, `  Redis    ${options.redis}`);
  if (deployment) {
    const sellerOf = (address: string) => deployment.accounts.sellers.find((s) => s.address === address);
    lines.push(
      "",
      "  Demo accounts — in the workbench: wallet menu → Development wallet → Dev account #N",
      ...deployment.accounts.buyers.map((b) => `    #${b.index}  ${short(b.address)}  ${b.label}`),
      ...deployment.accounts.sellers.map((s) => {
        const names = deployment.datasets.filter((d) => d.seller === s.address).map((d) => d.name);
        return `    #${s.index}  ${short(s.address)}  ${s.label}: ${names.join(", ")}`;
      }),
      "",
      `  Datasets (${deployment.seed.historyHours} h of history, ${deployment.seed.readings.toLocaleString("en")} readings seeded in ${(deployment.seed.durationMs / 1000).toFixed(1)} s)`,
      ...deployment.datasets.map((d) => {
        const demo = DEMO_DATASETS.find((x) => x.name === d.name);
        const price = demo ? `, ${formatEther(demo.pricePerPeriod)} ETH per ${demo.periodSeconds / 86_400} d` : "";
        return `    ${d.id}  ${d.name.padEnd(16)} ${sellerOf(d.seller)?.label.replace(/ \(seller\)$/, "") ?? short(d.seller)}${price}; ${approvalSummary(d.approvedKinds)}`;
      }),
      "",
      options.simulatorRate > 0
        ? `  Each dataset's device appends a reading every ${(1 / options.simulatorRate).toFixed(1)} s (SIMULATOR_RATE=${options.simulatorRate}).`
        : "  The devices are off (SIMULATOR_RATE=0); npm run simulate -- --dataset greenhouse starts one.",
    );
  }
  lines.push("  Ctrl-C stops everything; notebooks and templates are kept for the next npm start.", rule);
  return lines.join("\n");
}
