/**
 * The broker `npm start` uses: MQTT_URL, else a broker answering on the default address, else the
 * embedded broker (which then enforces the registry's logins).
 */
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { hashPassword } from "../../gateway/device-registry";
import { startEmbeddedBroker } from "../../gateway/embedded-broker";
import { ConsoleLog } from "../console-log";
import { LauncherError } from "../launcher-error";
import { ensureBroker } from "../mqtt-broker";

const registry = { version: 1 as const, topicPrefix: "iotdm-test", gateway: { username: "gw", passwordHash: hashPassword("pw") }, devices: [] };
const quiet = () => new ConsoleLog({ sink: () => undefined });

describe("ensureBroker", () => {
  it("starts the embedded broker when nothing answers on the default address, and stops it", async () => {
    const port = await freePort();
    const broker = await ensureBroker({ mqttUrl: undefined, registry: () => registry, log: quiet(), defaultUrl: `mqtt://127.0.0.1:${port}` });
    try {
      expect(broker).toMatchObject({ source: "embedded", url: `mqtt://127.0.0.1:${port}` });
      const client = await mqtt.connectAsync(broker.url, { clientId: "gw", username: "gw", password: "pw", reconnectPeriod: 0 });
      await client.endAsync(true);
      await expect(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized|Bad username/i);
    } finally {
      await broker.stop();
    }
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 2_000 })).rejects.toThrow();
  });

  it("uses a broker that answers on the default address, even one that wants a login", async () => {
    const running = await startEmbeddedBroker({ registry: () => registry });
    try {
      const broker = await ensureBroker({ mqttUrl: undefined, registry: () => registry, log: quiet(), defaultUrl: running.url });
      expect(broker).toMatchObject({ source: "default", url: running.url });
    } finally {
      await running.close();
    }
  });

  it("uses MQTT_URL when set, and stops with a sentence when nothing answers there", async () => {
    const running = await startEmbeddedBroker({ registry: () => registry });
    try {
      expect(await ensureBroker({ mqttUrl: running.url, registry: () => registry, log: quiet() })).toMatchObject({ source: "MQTT_URL", url: running.url });
    } finally {
      await running.close();
    }
    const closed = `mqtt://127.0.0.1:${await freePort()}`;
    const error = await ensureBroker({ mqttUrl: closed, registry: () => registry, log: quiet() }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LauncherError);
    expect((error as Error).message).toContain(`the MQTT broker at ${closed} (MQTT_URL) does not answer`);
  });
});
