/**
 * `npm run simulate -- --dataset <id|name> --rate <readings/s>`: one simulated IoT device (see
 * simulate-options.ts for the options). Ctrl-C stops it after its last batch; exit code 0 then, 1
 * when the market refuses the device for good (not registered, no such dataset, no market), 2 on
 * bad options. A launcher command, like `npm start`, because it joins two folders that do not
 * import each other's way: the device of workbench/simulator, and the deployment record and dev
 * accounts of workbench/demo that it takes its defaults from (the demo uses the simulator's signals).
 */
import { readDeployment } from "../demo/deployment-file";
import { DeviceSimulator, SimulatorError, type SimulatorEvent } from "../simulator/device-simulator";
import { describeEvent, eventToJson, statusLine } from "../simulator/progress";
import { USAGE, parseSimulateArgs } from "./simulate-options";

async function main(): Promise<number> {
  const parsed = parseSimulateArgs({ argv: process.argv.slice(2), env: process.env, loadDeployment: readDeployment });
  if (parsed.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === "error") {
    console.error(`simulate: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  const live = process.stdout.isTTY && !options.json;
  let unit = "";
  let status = "";
  const print = (line: string) => {
    if (live) process.stdout.write(`\r\x1b[2K${line}\n${status}`);
    else console.log(line);
  };

  const simulator = new DeviceSimulator({
    ...options,
    onEvent: (event: SimulatorEvent) => {
      if (options.json) return console.log(JSON.stringify({ at: new Date().toISOString(), ...(eventToJson(event) as object) }));
      if (event.type === "connected") unit = event.dataset.unit;
      if (event.type === "batch" && live) {
        status = statusLine(event.stats);
        process.stdout.write(`\r\x1b[2K${status}`);
        return;
      }
      print(describeEvent(event, unit));
    },
  });
  const ticker = live ? setInterval(() => process.stdout.write(`\r\x1b[2K${(status = statusLine(simulator.stats))}`), 1000) : undefined;

  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    if (!options.json) print("stopping (Ctrl-C again to quit at once)…");
    void simulator.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await simulator.run();
    return 0;
  } catch (err) {
    if (live) process.stdout.write("\r\x1b[2K");
    console.error(`simulate: ${err instanceof SimulatorError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    if (ticker) clearInterval(ticker);
    if (live) process.stdout.write("\n");
  }
}

main().then((code) => process.exit(code));
