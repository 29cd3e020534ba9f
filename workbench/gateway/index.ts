/**
 * `@iotdm/workbench/gateway`: what a program outside the workbench needs to drive the MQTT gateway
 * (bench/gateway.ts): the device side of the protocol, the embedded broker, the device registry and
 * the gateway itself. The gateway's own process is `npm run gateway` (workbench/launcher/gateway.ts).
 */
export { Gateway, type GatewayEvent, type GatewayOptions } from "./gateway";
export { MqttDevice, type DeviceCounters, type DeviceEvent, type MqttDeviceOptions, type Sealer } from "./device-client";
export { startEmbeddedBroker, type EmbeddedBroker } from "./embedded-broker";
export { hashPassword, newPassword, writeRegistry, type DeviceMode, type DeviceRegistry } from "./device-registry";
export { MAX_READINGS_PER_PROOF, deviceTopics, type DeviceStatus } from "./protocol";
export type { AppendedBatch, BatchTimings } from "./appender";
