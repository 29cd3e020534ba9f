/**
 * The demo's devices while `npm start` runs: one simulated device per demo dataset, in the
 * launcher's process (they are light: a signal, one encrypted batch now and then), each logging
 * under its own prefix. They start after the seed, so their readings follow the history.
 */
import { devWallet } from "../demo/accounts";
import type { Deployment } from "../demo/deployment-file";
import { DeviceSimulator } from "../simulator/device-simulator";
import type { FhevmNetwork } from "../simulator/fhevm-network";
import { describeEvent } from "../simulator/progress";
import type { SensorKind } from "../simulator/signals";
import type { ConsoleLog } from "./console-log";

/** The running devices. */
export interface DemoDevices {
  /** Stops every device after its batch in flight. */
  stop(): Promise<void>;
}

/**
 * Starts one device per dataset of `deployment` at `rate` readings per second each. A device that
 * stops on a refusal logs why; the others go on.
 */
export function startDemoDevices(options: { deployment: Deployment; rpcUrl: string; rate: number; network: FhevmNetwork; log: ConsoleLog }): DemoDevices {
  const { log } = options;
  // A batch at least every minute, and at most 32 readings (one input proof).
  log.reserve(options.deployment.datasets.map((dataset) => `device ${dataset.name}`));
  const maxBatchDelayMs = Math.max(5_000, Math.min(60_000, (32 / options.rate) * 1000));
  const devices = options.deployment.datasets.map((dataset) => {
    const source = `device ${dataset.name}`;
    let unit = "";
    let batches = 0;
    const device = new DeviceSimulator({
      rpcUrl: options.rpcUrl,
      market: options.deployment.marketAddress,
      datasetId: BigInt(dataset.id),
      deviceKey: devWallet(dataset.device.index).privateKey,
      rate: options.rate,
      kind: dataset.kind as SensorKind,
      seed: `demo:${dataset.name}:live`,
      utcOffsetHours: dataset.utcOffsetHours,
      maxBatchDelayMs,
      network: options.network,
      onEvent: (event) => {
        if (event.type === "connected") unit = event.dataset.unit;
        // Every batch at debug level; at info, the first and then one in ten.
        if (event.type === "batch" && batches++ % 10 !== 0) return;
        if (event.type === "stopped") return;
        const message = describeEvent(event, unit);
        if (event.type === "disconnected" || event.type === "rejected" || event.type === "dropped") log.warn(source, message);
        else log.info(source, message);
      },
    });
    const running = device.run().catch((err: unknown) => log.error(source, `stopped: ${(err as Error).message}`));
    return { device, running };
  });
  return {
    async stop() {
      await Promise.all(devices.map(async ({ device, running }) => {
        await device.stop();
        await running;
      }));
    },
  };
}
