import "@fhevm/hardhat-plugin";
import "@nomicfoundation/hardhat-ethers";
import path from "node:path";
import { extendProvider, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_NODE_SERVER_CREATED, TASK_NODE_SERVER_READY } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import { ProviderWrapper } from "hardhat/plugins";
import type { EIP1193Provider, RequestArguments } from "hardhat/types";

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

type Follower = typeof import("@iotdm/contracts-client/coprocessor-follower");
/** The node's coprocessor follower, once it is ready (`hardhat node` only). */
let follower: import("@iotdm/contracts-client/coprocessor-follower").CoprocessorFollower | undefined;

/**
 * Outermost provider wrapper (registered after the fhevm plugin's): answers iotdm_coprocessorStatus,
 * notes decryptions and starts a coprocessor catch-up after each request that may mine a block
 * (contracts/client/coprocessor-follower.ts). Until the follower exists it only forwards.
 */
class CoprocessorFollowingProvider extends ProviderWrapper {
  private readonly module: Follower = require("@iotdm/contracts-client/coprocessor-follower");
  public override request(args: RequestArguments): Promise<unknown> {
    return this.module.followerRequest(args, (a) => this._wrappedProvider.request(a as RequestArguments), follower);
  }
}
extendProvider((provider: EIP1193Provider) => new CoprocessorFollowingProvider(provider));

/**
 * `hardhat node`: keep the fhevm mock's coprocessor caught up as blocks are mined, so that no
 * decryption replays a backlog of unrelated events first. The plugin keeps its coprocessor in its
 * internal context (the one its own provider uses; no public API exposes it): it is read from the
 * plugin's installed files, and a missing one stops the node rather than let it run lazily unnoticed.
 * FHEVM_MOCK_LAZY_COPROCESSOR=1 leaves the mock as it comes (`npm run bench:e2e -- --lazy-coprocessor` compares).
 */
subtask(TASK_NODE_SERVER_READY, async (args: unknown, hre, runSuper) => {
  if (process.env.FHEVM_MOCK_LAZY_COPROCESSOR === "1") {
    console.log("fhevm mock coprocessor: lazy, as the plugin comes (FHEVM_MOCK_LAZY_COPROCESSOR=1): each decryption replays every event since the last one first");
    return runSuper(args);
  }
  // Before the node says it listens (startLocalChain waits for that line): the plugin deployed its
  // mock when the node's provider was made (TASK_NODE_GET_PROVIDER).
  const plugin = path.dirname(require.resolve("@fhevm/hardhat-plugin"));
  const context = require(path.join(plugin, "internal", "EnvironmentExtender.js")).fhevmContext;
  const coprocessor = context?.get?.().coprocessor;
  if (typeof coprocessor?.awaitCoprocessor !== "function") {
    throw new Error("hardhat node: the fhevm plugin's mock coprocessor was not found (a plugin upgrade?); cannot keep it caught up");
  }
  const module: Follower = require("@iotdm/contracts-client/coprocessor-follower");
  follower = module.followCoprocessor({
    coprocessor,
    blockNumber: async () => Number(await hre.network.provider.request({ method: "eth_blockNumber" })),
  });
  await follower.catchUp();
  console.log("fhevm mock coprocessor: replaying events as blocks are mined (iotdm_coprocessorStatus)");
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
