/**
 * Who may do what on the broker, from the device registry: a device publishes only to its own
 * readings topic and reads only its own status topic and the gateway's description; the gateway
 * reads every readings topic and writes statuses and its description. The embedded broker checks
 * these rules itself (`allows`); for an external Mosquitto, `mosquittoConfig` renders the same
 * rules as its password file and ACL file.
 */
import { deviceTopics, gatewayInfoTopic, readingsWildcard, statusWildcard } from "./protocol";
import type { DeviceRegistry } from "./device-registry";

/** One user's rights: topic filters to read and to write. */
export interface Rights {
  read: string[];
  write: string[];
}

/** The rights of `username` under `registry`, or undefined for an unknown user. */
export function rightsOf(registry: DeviceRegistry, username: string): Rights | undefined {
  const prefix = registry.topicPrefix;
  if (username === registry.gateway.username) {
    return { read: [readingsWildcard(prefix)], write: [statusWildcard(prefix), gatewayInfoTopic(prefix)] };
  }
  const device = registry.devices.find((entry) => entry.id === username);
  if (!device) return undefined;
  const topics = deviceTopics({ prefix, datasetId: device.datasetId, deviceId: device.id });
  return { read: [topics.status, gatewayInfoTopic(prefix)], write: [topics.readings] };
}

/**
 * True when the MQTT topic filter `filter` covers `topic` (`+` one level, `#` the rest). For a
 * subscription, `topic` is itself a filter: it is allowed only if every topic it can match is.
 */
export function filterCovers(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    // A subscription's '#' can match more than a fixed level or '+' allows.
    if (t[i] === "#") return false;
    if (f[i] === "+") continue;
    if (f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when `rights` allow `action` on `topic` (a topic to publish, or a filter to subscribe). */
export function allows(rights: Rights | undefined, action: "read" | "write", topic: string): boolean {
  if (!rights) return false;
  return rights[action].some((filter) => filterCovers(filter, topic));
}

/** Mosquitto's `password_file` and `acl_file` contents for `registry`, plus the lines to load them. */
export function mosquittoConfig(registry: DeviceRegistry, paths: { passwordFile: string; aclFile: string }): { passwords: string; acl: string; conf: string } {
  const users = [{ username: registry.gateway.username, passwordHash: registry.gateway.passwordHash }, ...registry.devices.map((d) => ({ username: d.id, passwordHash: d.passwordHash }))];
  const passwords = users.map((user) => `${user.username}:${user.passwordHash}\n`).join("");
  const acl = users
    .map(({ username }) => {
      const rights = rightsOf(registry, username)!;
      return [`user ${username}`, ...rights.read.map((t) => `topic read ${t}`), ...rights.write.map((t) => `topic write ${t}`), ""].join("\n");
    })
    .join("\n");
  const conf = [`allow_anonymous false`, `password_file ${paths.passwordFile}`, `acl_file ${paths.aclFile}`, ""].join("\n");
  return { passwords, acl, conf };
}
