/**
 * Where `npm start` keeps the gateway's files under STATE_DIR: the device registry (password
 * hashes, what the gateway and `--mosquitto-config` read) and the demo's secrets (the plain
 * passwords of the demo devices and of the gateway, which the demo devices and `npm run simulate --
 * --mqtt` log in with; mode 0600, local demo only), and the broker the last `npm start` used
 * (`npm run simulate -- --mqtt` connects there).
 */
import path from "node:path";

/** The gateway's files under `stateDir`. */
export function gatewayFiles(stateDir: string): { dir: string; registry: string; secrets: string; broker: string } {
  const dir = path.join(stateDir, "gateway");
  return { dir, registry: path.join(dir, "registry.json"), secrets: path.join(dir, "secrets.json"), broker: path.join(dir, "broker.json") };
}
