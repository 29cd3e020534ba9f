/**
 * What `npm start` prints once everything answers: the URL to open, where the chain and Redis
 * are, and which development-wallet entry to pick for each demo role.
 */
import { formatEther } from "ethers";
import { RecipeKind } from "@iotdm/contracts-client";
import { DEMO_DATASETS } from "../demo/catalogue";
import type { Deployment } from "../demo/deployment-file";
import type { DemoFleetSummary } from "./demo-gateway";

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
  /** The broker, the gateway and the devices' modes, when the demo devices run over MQTT. */
  mqtt?: DemoFleetSummary;
  /** The workers' relayer addresses, one per worker process. */
  relayers?: readonly string[];
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
  const { mqtt } = options;
  if (mqtt) {
    const source = mqtt.broker.source === "embedded" ? "embedded, for this run" : mqtt.broker.source === "MQTT_URL" ? "MQTT_URL" : "already running";
    lines.push(
      `  MQTT     ${mqtt.broker.url} (${source})` + (mqtt.broker.anonymous ? "; it lets anonymous clients in, so device" : ""),
      ...(mqtt.broker.anonymous ? ["           logins and topics are not enforced there (npm run gateway -- --mosquitto-config)"] : []),
      `  Gateway  ${short(mqtt.gateway.address)} (dev account #${mqtt.gateway.index}) appends what devices publish under ${mqtt.topicPrefix}/`,
    );
  }
  const relayers = options.relayers ?? [];
  if (relayers.length > 1) lines.push(`  Workers  ${relayers.length}, each signing with a relayer of its own: ${relayers.map(short).join(", ")}`);
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
        const privacy = demo?.privacy ? `; private, budget ε ${demo.privacy.budget}` : "";
        return `    ${d.id}  ${d.name.padEnd(16)} ${sellerOf(d.seller)?.label.replace(/ \(seller\)$/, "") ?? short(d.seller)}${price}${privacy}; ${approvalSummary(d.approvedKinds)}`;
      }),
      "",
      ...devicesLines(options.simulatorRate, mqtt),
    );
  }
  lines.push("  Ctrl-C stops everything; notebooks and templates are kept for the next npm start.", rule);
  return lines.join("\n");
}

/** What the demo devices do, in a line or three. */
function devicesLines(rate: number, mqtt: DemoFleetSummary | undefined): string[] {
  if (rate === 0) return ["  The devices are off (SIMULATOR_RATE=0); npm run simulate -- --dataset greenhouse --mqtt starts one."];
  const every = `every ${(1 / rate).toFixed(1)} s (SIMULATOR_RATE=${rate})`;
  if (!mqtt || mqtt.devices.length === 0) return [`  Each dataset's device appends a reading ${every}.`];
  const named = (mode: string) => mqtt.devices.filter((d) => d.mode === mode).map((d) => d.dataset).join(", ");
  return [
    `  Each dataset's device publishes a reading ${every} over MQTT:`,
    `    mode b, in clear to the gateway, which encrypts: ${named("plain") || "none"}`,
    `    mode a, encrypted on the device, forwarded:      ${named("sealed") || "none"}`,
  ];
}
