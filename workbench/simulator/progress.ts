/**
 * Human-readable progress of a simulated device: one sentence per event and a status line of its
 * counters. The CLI redraws the status line on a terminal; the launcher logs the sentences.
 */
import type { SimulatorEvent, SimulatorStats } from "./device-simulator";

const count = (n: number) => n.toLocaleString("en");
const short = (hex: string) => `${hex.slice(0, 10)}…`;
const duration = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The sentence for `event`; `unit` is the dataset's unit (for anomaly values). */
export function describeEvent(event: SimulatorEvent, unit = ""): string {
  switch (event.type) {
    case "connected": {
      const d = event.dataset;
      return (
        `connected to chain ${event.chainId} (genesis ${short(event.genesisHash)}): dataset ${d.id} "${d.name}" ` +
        `(${d.field} in ${d.unit}, scale ${d.scale}, offset ${d.offset}, k ${d.bucketSize}) has ${count(Number(d.readingCount))} readings; ` +
        `device ${event.device} simulates ${event.kind}`
      );
    }
    case "batch":
      return (
        `+${event.readings} readings` +
        (event.firstIndex >= 0n ? ` (#${event.firstIndex}–#${event.firstIndex + BigInt(event.readings) - 1n})` : "") +
        ` in block ${event.blockNumber}, tx ${short(event.txHash)}; ${statusLine(event.stats)}`
      );
    case "anomaly":
      return `anomaly under way: ${event.name} (${event.value}${unit ? ` ${unit}` : ""} at ${new Date(event.timestamp * 1000).toISOString()})`;
    case "disconnected":
      return `${event.reason}; retrying in ${duration(event.retryInMs)}`;
    case "rejected":
      return `the market rejected a batch: ${event.reason}; checking the dataset and retrying in ${duration(event.retryInMs)}`;
    case "chain-reset":
      return `the chain was restarted (genesis ${short(event.previousGenesis)} → ${short(event.genesisHash)}): reconnecting with a new fhevm instance`;
    case "waiting":
      return `waiting: ${event.reason}; retrying in ${duration(event.retryInMs)}`;
    case "dropped":
      return `buffer full while disconnected: dropped the ${count(event.readings)} oldest readings`;
    case "stopped":
      return `stopped: ${statusLine(event.stats)}`;
  }
}

/** The counters in one line. */
export function statusLine(stats: SimulatorStats): string {
  const parts = [
    `sent ${count(stats.readingsSent)} readings in ${count(stats.batchesSent)} batches`,
    `${stats.ratePerSecond.toFixed(2)} readings/s`,
  ];
  if (stats.lastTxHash) parts.push(`last tx ${short(stats.lastTxHash)} (block ${stats.lastBlock})`);
  if (stats.buffered > 0) parts.push(`${count(stats.buffered)} buffered`);
  if (stats.readingsDropped > 0) parts.push(`${count(stats.readingsDropped)} dropped`);
  if (stats.readingsClamped > 0) parts.push(`${count(stats.readingsClamped)} clamped to the encoding's range`);
  return parts.join(" · ");
}

/** A JSON-friendly copy of `event` (bigints as decimal strings). */
export function eventToJson(event: SimulatorEvent): unknown {
  return JSON.parse(JSON.stringify(event, (_key, value) => (typeof value === "bigint" ? value.toString() : value)));
}
