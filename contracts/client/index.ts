/**
 * The typed client of the IoT Data Market contracts, for the worker, the server and the browser. Imports nothing of
 * the project's other parts, only ethers and the fhevm packages. Node-only helpers are imported by path:
 * `contracts/client/deploy` (reads Hardhat artifacts) and `contracts/client/local-chain` (spawns a node). The zod
 * schemas of the signed structs in JSON are `contracts/client/wire`, apart so the browser bundle takes only their types.
 */
export { iotDataMarketAbi } from "./abi";
export * from "./program";
export * from "./privacy";
export * from "./privacy-words";
export * from "./eip712";
export * from "./signatures";
export * from "./errors";
export * from "./fhevm";
export * from "./market";
