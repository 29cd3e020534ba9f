import fp from "fastify-plugin";
import { createMarketChain, type MarketChain } from "../chain/market-chain";

declare module "fastify" {
  interface FastifyInstance {
    /** The chain and the deployed market (reads only: the worker sends the transactions). */
    chain: MarketChain;
  }
}

/** Options of the chain plugin. */
export interface ChainPluginOptions {
  /** A chain reader opened by the caller (tests); the caller closes it. */
  chain?: MarketChain;
}

/**
 * The chain: a JSON-RPC provider on CHAIN_RPC_URL and the market from MARKET_ADDRESS, or from the
 * deployment file the launcher writes. Readiness fails while the node does not answer or no market
 * is known; routes that need the chain answer 503 with a sentence saying which.
 */
export default fp<ChainPluginOptions>(
  async (app, options) => {
    const { chain: settings } = app.config;
    const chain =
      options.chain ??
      createMarketChain({
        rpcUrl: settings.rpcUrl,
        chainId: settings.chainId,
        marketAddress: settings.marketAddress,
        fromBlock: settings.fromBlock,
        deploymentFile: settings.deploymentFile,
      });
    if (!options.chain) app.addHook("onClose", async () => chain.close());
    app.decorate("chain", chain);
    app.readiness.add("chain", () => chain.ping());
  },
  { name: "chain", fastify: "5.x", dependencies: ["config", "readiness"] },
);
