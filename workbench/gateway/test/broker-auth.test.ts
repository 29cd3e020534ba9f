/**
 * Each device logs in with its own credentials and publishes only to its own topic: enforced by the
 * embedded broker, and by a private Mosquitto (random port, its own directory) configured with what
 * `npm run gateway -- --mosquitto-config` prints, when Mosquitto is installed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@iotdm/contracts-client/local-chain";
import { findExecutable } from "../../launcher/redis";
import { mosquittoConfig } from "../broker-acl";
import { startEmbeddedBroker } from "../embedded-broker";
import { deviceTopics, readingsWildcard } from "../protocol";
import { eventually, testRegistry } from "./support";

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
    const binary = findExecutable("mosquitto", `${process.env.PATH ?? ""}:/usr/sbin:/usr/local/sbin`);
    if (!binary) return context.skip();
    const dir = mkdtempSync(path.join(tmpdir(), "iotdm-mosquitto-"));
    const port = await freePort();
    const config = mosquittoConfig(registry, { passwordFile: path.join(dir, "passwords"), aclFile: path.join(dir, "acl") });
    writeFileSync(path.join(dir, "passwords"), config.passwords, { mode: 0o600 });
    writeFileSync(path.join(dir, "acl"), config.acl, { mode: 0o600 });
    // Started as root, Mosquitto switches to the user named here (by default "mosquitto", who could not read our files).
    writeFileSync(path.join(dir, "mosquitto.conf"), `user ${userInfo().username}\nlistener ${port} 127.0.0.1\npersistence false\nlog_dest stderr\nlog_type error\n${config.conf}`);
    const child: ChildProcess = spawn(binary, ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "inherit"] });
    cleanup.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const url = `mqtt://127.0.0.1:${port}`;
    await eventually("the private Mosquitto to listen", async () => {
      try {
        await (await login(url, victim, passwords.get(victim)!)).endAsync(true);
        return true;
      } catch {
        return child.exitCode !== null ? Promise.reject(new Error(`mosquitto exited with ${child.exitCode}`)) : false;
      }
    }, 15_000);
    await expectPerDeviceTopics(url);
  });
});
