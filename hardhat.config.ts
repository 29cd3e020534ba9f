import "@fhevm/hardhat-plugin";
import "@nomicfoundation/hardhat-ethers";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_NODE_SERVER_CREATED } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";

/**
 * Hardhat 2 loads this file through ts-node, which compiles CommonJS only. The contracts client the
 * tests import, and bench/contracts.ts that mocha loads for `npm run bench:contracts`, are ES modules
 * that tsx runs from source everywhere else: from here on tsx compiles every TypeScript file mocha
 * loads too (an ES module required from CommonJS becomes CommonJS, `import.meta` included).
 */
require("tsx/cjs/api").register();

/** The compiler comes from the `solc` npm package: these machines cannot download one. */
const SOLC_VERSION: string = require("solc/package.json").version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: require("solc").version(),
  };
});

/**
 * `hardhat node` answers every web page (`Access-Control-Allow-Origin: *`) and its fhevm mock answers
 * `fhevm_getClearText`: before it listens, its JSON-RPC is limited to programs (no Origin header),
 * the browser origins of CHAIN_ALLOWED_ORIGINS (npm start: the workbench's own) and browser
 * extensions (contracts/client/rpc-origin-guard.ts). Required here, after tsx's hook: it is an ES module.
 */
subtask(TASK_NODE_SERVER_CREATED, async (args: { server: unknown }, _hre, runSuper) => {
  const guard: typeof import("@iotdm/contracts-client/rpc-origin-guard") = require("@iotdm/contracts-client/rpc-origin-guard");
  const { allowedOrigins } = guard.guardHardhatNode(args.server);
  console.log(
    `JSON-RPC for programs (no Origin header), browser extensions and ${allowedOrigins.length > 0 ? allowedOrigins.join(", ") : "no web page"} ` +
      `(${guard.CHAIN_ALLOWED_ORIGINS_VARIABLE}); every other web page is refused`,
  );
  return runSuper(args);
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { evmVersion: "cancun", optimizer: { enabled: true, runs: 200 } },
  },
  paths: {
    sources: "contracts/src",
    tests: "contracts/test",
    cache: "cache",
    artifacts: "artifacts",
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.CHAIN_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
  },
  mocha: { timeout: 300_000 },
};

export default config;
