import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_DATASETS } from "../demo/catalogue";
import type { Deployment } from "../demo/deployment-file";
import { rightsOf } from "../gateway/broker-acl";
import { verifyPassword } from "../gateway/device-registry";
import { demoDeviceId, ensureDemoRegistry } from "./demo-gateway";
import { gatewayFiles } from "./demo-gateway-files";

const address = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const account = (index: number) => ({ index, address: address(index), label: `#${index}` });

/** A deployment record with the demo catalogue's datasets (only the fields the registry reads matter). */
const deployment = {
  datasets: DEMO_DATASETS.map((dataset, i) => ({
    id: String(i + 1),
    name: dataset.name,
    kind: dataset.kind,
    seller: address(2),
    device: account(10 + i),
    deviceMode: dataset.deviceMode,
    approvedKinds: dataset.approvedKinds,
    utcOffsetHours: dataset.utcOffsetHours,
  })),
} as unknown as Deployment;

describe("the demo's device registry", () => {
  const dirs: string[] = [];
  const stateDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "demo-gateway-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("gives every dataset its demo device in the catalogue's mode and a spare login per mode, each allowed its own topic only", () => {
    const { registry, secrets } = ensureDemoRegistry({ stateDir: stateDir(), deployment });
    expect(registry.devices).toHaveLength(3 * DEMO_DATASETS.length);
    const greenhouse = registry.devices.find((d) => d.id === demoDeviceId(secrets.instance, "greenhouse", "demo"))!;
    expect(greenhouse).toMatchObject({ datasetId: "1", mode: "plain" });
    expect(registry.devices.find((d) => d.id === demoDeviceId(secrets.instance, "office-humidity", "demo"))).toMatchObject({ datasetId: "2", mode: "sealed" });
    expect(registry.devices.find((d) => d.id === demoDeviceId(secrets.instance, "greenhouse", "sim-sealed"))).toMatchObject({ datasetId: "1", mode: "sealed" });
    expect(rightsOf(registry, greenhouse.id)!.write).toEqual([`iotdm/${secrets.instance}/datasets/1/devices/${greenhouse.id}/readings`]);
    for (const device of registry.devices) expect(verifyPassword(secrets.devices[device.id]!, device.passwordHash), device.id).toBe(true);
    expect(verifyPassword(secrets.gateway, registry.gateway.passwordHash)).toBe(true);
  });

  it("keeps the registry, its names and its passwords across starts, and only the owner can read the passwords", () => {
    const dir = stateDir();
    const first = ensureDemoRegistry({ stateDir: dir, deployment });
    const second = ensureDemoRegistry({ stateDir: dir, deployment });
    expect(first.written).toBe(true);
    expect(second.written).toBe(false);
    expect(second.registry).toEqual(first.registry);
    expect(second.secrets).toEqual(first.secrets);
    expect(statSync(gatewayFiles(dir).secrets).mode & 0o077).toBe(0);
  });

  it("rewrites a registry that no longer matches the datasets, keeping the instance and the remaining passwords", () => {
    const dir = stateDir();
    const first = ensureDemoRegistry({ stateDir: dir, deployment });
    const fewer = { ...deployment, datasets: deployment.datasets.slice(0, 2) } as Deployment;
    const second = ensureDemoRegistry({ stateDir: dir, deployment: fewer });
    expect(second.written).toBe(true);
    expect(second.registry.devices).toHaveLength(6);
    expect(second.secrets.instance).toBe(first.secrets.instance);
    const id = demoDeviceId(first.secrets.instance, "greenhouse", "demo");
    expect(second.secrets.devices[id]).toBe(first.secrets.devices[id]);
    expect(JSON.parse(readFileSync(gatewayFiles(dir).registry, "utf8")).devices).toHaveLength(6);
  });

  it("names two demos' logins and topics apart, so that they can share a broker", () => {
    const a = ensureDemoRegistry({ stateDir: stateDir(), deployment });
    const b = ensureDemoRegistry({ stateDir: stateDir(), deployment });
    expect(a.registry.topicPrefix).not.toBe(b.registry.topicPrefix);
    expect(a.registry.gateway.username).not.toBe(b.registry.gateway.username);
    const ids = new Set(a.registry.devices.map((d) => d.id));
    expect(b.registry.devices.some((d) => ids.has(d.id))).toBe(false);
  });
});
