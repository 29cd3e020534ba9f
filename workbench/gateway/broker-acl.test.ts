import { describe, expect, it } from "vitest";
import { allows, filterCovers, mosquittoConfig, rightsOf } from "./broker-acl";
import { hashPassword, verifyPassword, type DeviceRegistry } from "./device-registry";

const registry: DeviceRegistry = {
  version: 1,
  topicPrefix: "iotdm",
  gateway: { username: "gateway", passwordHash: hashPassword("g") },
  devices: [
    { id: "greenhouse-1", datasetId: "1", mode: "plain", passwordHash: hashPassword("p") },
    { id: "office-1", datasetId: "2", mode: "sealed", passwordHash: hashPassword("q") },
  ],
};

describe("broker rights", () => {
  it("match MQTT filters: + is one level, # the rest, and a subscription's wildcard only where the filter has one", () => {
    expect(filterCovers("a/+/c", "a/b/c")).toBe(true);
    expect(filterCovers("a/+/c", "a/b/d")).toBe(false);
    expect(filterCovers("a/#", "a/b/c")).toBe(true);
    expect(filterCovers("a/b", "a/b/c")).toBe(false);
    expect(filterCovers("a/+/c", "a/+/c")).toBe(true);
    expect(filterCovers("a/b/c", "a/+/c")).toBe(false);
    expect(filterCovers("a/+/c", "a/#")).toBe(false);
  });

  it("let a device write only its own readings topic and read only its status and the gateway's description", () => {
    const device = rightsOf(registry, "greenhouse-1");
    expect(allows(device, "write", "iotdm/datasets/1/devices/greenhouse-1/readings")).toBe(true);
    expect(allows(device, "write", "iotdm/datasets/2/devices/office-1/readings")).toBe(false);
    expect(allows(device, "write", "iotdm/datasets/1/devices/greenhouse-1/status")).toBe(false);
    expect(allows(device, "read", "iotdm/datasets/1/devices/greenhouse-1/status")).toBe(true);
    expect(allows(device, "read", "iotdm/datasets/+/devices/+/status")).toBe(false);
    expect(allows(device, "read", "iotdm/gateway")).toBe(true);
    expect(allows(rightsOf(registry, "stranger"), "write", "iotdm/datasets/1/devices/stranger/readings")).toBe(false);
  });

  it("let the gateway read every readings topic and write statuses and its description", () => {
    const gateway = rightsOf(registry, "gateway");
    expect(allows(gateway, "read", "iotdm/datasets/+/devices/+/readings")).toBe(true);
    expect(allows(gateway, "write", "iotdm/datasets/2/devices/office-1/status")).toBe(true);
    expect(allows(gateway, "write", "iotdm/datasets/2/devices/office-1/readings")).toBe(false);
    expect(allows(gateway, "write", "iotdm/gateway")).toBe(true);
  });

  it("render the same rules as a Mosquitto password file and ACL", () => {
    const config = mosquittoConfig(registry, { passwordFile: "/p", aclFile: "/a" });
    expect(config.passwords.split("\n").filter(Boolean).map((line) => line.split(":")[0])).toEqual(["gateway", "greenhouse-1", "office-1"]);
    expect(config.acl).toContain("user greenhouse-1\ntopic read iotdm/datasets/1/devices/greenhouse-1/status\ntopic read iotdm/gateway\ntopic write iotdm/datasets/1/devices/greenhouse-1/readings\n");
    expect(config.acl).toContain("user gateway\ntopic read iotdm/datasets/+/devices/+/readings\n");
    expect(config.conf).toBe("allow_anonymous false\npassword_file /p\nacl_file /a\n");
  });
});

describe("password hashes", () => {
  it("verify the password they were made from, in Mosquitto's $7$ format, and nothing else", () => {
    const hash = hashPassword("secret");
    expect(hash).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(verifyPassword("secret", hash)).toBe(true);
    expect(verifyPassword("Secret", hash)).toBe(false);
  });

  it("accept a hash written by mosquitto_passwd", () => {
    // `mosquitto_passwd -c -b file alice secret` (Mosquitto 2.0.11)
    const hash = "$7$101$+QdWfc4MVsdkSPG+$UOCzCKpYFt2EUU7QfKRjTHz+rviU1MMGShEfRopKzJize8iWWe00FZeOTMz4OWchRijVJQlyeW7GMkSBAF2vpQ==";
    expect(verifyPassword("secret", hash)).toBe(true);
  });
});
