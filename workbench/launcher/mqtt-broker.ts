/**
 * The MQTT broker for `npm start`, found like Redis: MQTT_URL when set; otherwise 127.0.0.1:1883
 * when a broker answers there (this project's machines run Mosquitto); otherwise the embedded
 * broker (aedes, workbench/gateway/embedded-broker.ts) for this run, on 127.0.0.1:1883 when that
 * port is free and on another free port when not, enforcing the registry's logins and topics.
 */
import mqtt from "mqtt";
import { freePort, portIsFree } from "@iotdm/contracts-client/local-chain";
import type { DeviceRegistry } from "../gateway/device-registry";
import { startEmbeddedBroker } from "../gateway/embedded-broker";
import type { ConsoleLog } from "./console-log";
import { LauncherError } from "./launcher-error";
import { redactUrl } from "./redact-url";

export const DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883";

/** Where the broker is and who runs it. */
export interface BrokerHandle {
  url: string;
  source: "MQTT_URL" | "default" | "embedded";
  /**
   * True when the broker let an anonymous client in: it does not check the devices' logins and
   * topics (this project's machines run such a Mosquitto), so any client may publish as any device.
   * The embedded broker never does.
   */
  anonymous: boolean;
  /** Stops an embedded broker; nothing otherwise. */
  stop(): Promise<void>;
}

/** Finds or starts the broker; see the module comment. `defaultUrl` is for tests. */
export async function ensureBroker(options: { mqttUrl: string | undefined; registry: () => DeviceRegistry; log: ConsoleLog; defaultUrl?: string }): Promise<BrokerHandle> {
  const { log } = options;
  const openWarning = (url: string) =>
    log.warn(
      "mqtt",
      `${redactUrl(url)} lets anonymous clients in: it does not enforce the devices' own logins and topics ` +
        "(npm run gateway -- --mosquitto-config prints the password file and ACL that make a Mosquitto do so)",
    );
  if (options.mqttUrl) {
    const probe = await probeBroker(options.mqttUrl);
    if (!probe.answers) throw new LauncherError(`the MQTT broker at ${redactUrl(options.mqttUrl)} (MQTT_URL) does not answer: ${probe.problem}`);
    log.info("mqtt", `using ${redactUrl(options.mqttUrl)} (MQTT_URL)`);
    if (probe.anonymous) openWarning(options.mqttUrl);
    return { url: options.mqttUrl, source: "MQTT_URL", anonymous: probe.anonymous, stop: async () => undefined };
  }
  const defaultUrl = options.defaultUrl ?? DEFAULT_MQTT_URL;
  const probe = await probeBroker(defaultUrl);
  if (probe.answers) {
    log.info("mqtt", `using the broker at ${defaultUrl}`);
    if (probe.anonymous) openWarning(defaultUrl);
    return { url: defaultUrl, source: "default", anonymous: probe.anonymous, stop: async () => undefined };
  }
  const { hostname, port: defaultPort } = new URL(defaultUrl);
  const port = (await portIsFree(hostname, Number(defaultPort || 1883))) ? Number(defaultPort || 1883) : await freePort();
  const broker = await startEmbeddedBroker({
    registry: options.registry,
    port,
    onRefusal: (refusal) => log.warn("mqtt", `refused ${refusal.username ?? "a client"} (${refusal.clientId}): ${refusal.what}`),
  });
  log.info("mqtt", `nothing answers on ${defaultUrl}: started the embedded broker for this run on ${broker.url} (devices log in with their own credentials)`);
  return { url: broker.url, source: "embedded", anonymous: false, stop: () => broker.close() };
}

/**
 * Whether an MQTT broker answers at `url`, and whether it let an anonymous client in; otherwise
 * what is wrong. A broker that refuses an anonymous login still answers (it has a CONNACK to
 * send): it is there, and will check the gateway's and the devices' own logins.
 */
export async function probeBroker(url: string): Promise<{ answers: true; anonymous: boolean } | { answers: false; problem: string }> {
  try {
    const client = await mqtt.connectAsync(url, { connectTimeout: 2_000, reconnectPeriod: 0, clientId: `iotdm-probe-${process.pid}-${Date.now()}` });
    await client.endAsync(true);
    // Credentials in the URL are not an anonymous login.
    return { answers: true, anonymous: !new URL(url).username };
  } catch (err) {
    const message = (err as Error).message;
    if (/Not authorized|Bad username or password|Connection refused: (Not authorized|Bad)/i.test(message)) return { answers: true, anonymous: false };
    return { answers: false, problem: message || "no answer" };
  }
}
