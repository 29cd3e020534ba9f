/**
 * Each device logs in with its own credentials and publishes only to its own topic: enforced by the
 * embedded broker, and by a private Mosquitto (random port, its own directory) configured with what
 * `npm run gateway -- --mosquitto-config` prints, when Mosquitto is installed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { startEmbeddedBroker } from "../embedded-broker";
import { deviceTopics, readingsWildcard } from "../protocol";
import { eventually, mosquittoBinary, startPrivateMosquitto, testRegistry } from "./support";

const fixture = testRegistry([
  { id: "victim", mode: "plain" },
  { id: "intruder", mode: "plain", datasetId: "2" },
]);
const { registry, passwords } = fixture;
const [victim, intruder] = registry.devices.map((d) => d.id) as [string, string];
const topicOf = (id: string) => {
  const entry = registry.devices.find((d) => d.id === id)!;
  return deviceTopics({ prefix: registry.topicPrefix, datasetId: entry.datasetId, deviceId: id });
};

const login = (url: string, username: string, password: string, clientId = username): Promise<MqttClient> =>
  mqtt.connectAsync(url, { clientId, username, password, clean: true, reconnectPeriod: 0, connectTimeout: 5_000 });

/** The scenario, against whichever broker listens at `url`. */
async function expectPerDeviceTopics(url: string): Promise<void> {
  const gateway = await login(url, registry.gateway.username, fixture.gatewayPassword);
  const received: { topic: string; payload: string }[] = [];
  gateway.on("message", (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await gateway.subscribeAsync(readingsWildcard(registry.topicPrefix), { qos: 1 });
  const bad = await login(url, intruder, passwords.get(intruder)!);
  const good = await login(url, victim, passwords.get(victim)!);
  try {
    // The intruder writes as the victim: the broker must not deliver it (Mosquitto drops it, aedes also disconnects).
    // No acknowledgement is due for a refused publish (aedes closes the connection): do not wait for one.
    const within = (promise: Promise<unknown>) => Promise.race([promise.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    await within(bad.publishAsync(topicOf(victim).readings, "forged", { qos: 1 }));
    await good.publishAsync(topicOf(victim).readings, "genuine", { qos: 1 });
    await eventually("the victim's genuine message", () => received.some((m) => m.payload === "genuine"), 10_000);
    expect(received.filter((m) => m.topic === topicOf(victim).readings).map((m) => m.payload)).toEqual(["genuine"]);
    expect(received.some((m) => m.payload === "forged")).toBe(false);

    // Wrong password, someone else's name, and no login at all are refused.
    await expect(login(url, victim, "wrong")).rejects.toThrow(/Not authorized|Bad username or password/i);
    await expect(login(url, victim, passwords.get(intruder)!)).rejects.toThrow(/Not authorized|Bad username or password/i);
    await expect(mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000 })).rejects.toThrow(/Not authorized|Bad username or password/i);
  } finally {
    await Promise.all([gateway, bad, good].map((client) => client.endAsync(true).catch(() => undefined)));
  }
}

describe("per-device credentials and topics", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("the embedded broker refuses a device publishing to another device's topic", async () => {
    const broker = await startEmbeddedBroker({ registry: () => registry });
    cleanup.push(() => broker.close());
    await expectPerDeviceTopics(broker.url);
    expect(broker.refusals.map((r) => r.what)).toContain(`publish to ${topicOf(victim).readings}`);
    // Taking over another device's session by its client id is refused too.
    await expect(login(broker.url, intruder, passwords.get(intruder)!, victim)).rejects.toThrow(/Not authorized|Bad username or password/i);
  });

  it("a private Mosquitto with the --mosquitto-config entries refuses it too", async (context) => {
    const binary = mosquittoBinary();
    if (!binary) return context.skip();
    const dir = mkdtempSync(path.join(tmpdir(), "iotdm-mosquitto-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const mosquitto = await startPrivateMosquitto({ binary, registry, gatewayPassword: fixture.gatewayPassword, port: await freePort(), dir });
    cleanup.push(() => mosquitto.stop());
    await expectPerDeviceTopics(mosquitto.url);
  });
});
