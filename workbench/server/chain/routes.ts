import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ChainInfo } from "./schemas";

/** Where the chain and the market are, for the browser. Mounted at /api. */
const chainRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/chain",
    {
      schema: {
        tags: ["service"],
        summary: "The chain and the market contract",
        description: "What the browser needs to sign EIP-712 requests and user-decrypt results: chain id, RPC URL, market address.",
        response: { 200: ChainInfo },
      },
    },
    async (request) => {
      let deployment;
      try {
        deployment = app.chain.deployment();
      } catch (error) {
        // An unusable deployment file is the operator's to fix (readiness says so); the browser sees "none".
        request.log.warn({ err: error }, "the deployment file cannot be used");
      }
      const status = app.indexer.status();
      return {
        chainId: app.chain.chainId,
        rpcUrl: app.config.chain.publicRpcUrl,
        marketAddress: deployment?.address ?? null,
        deploymentBlock: deployment?.fromBlock ?? null,
        indexer: { lastIndexedBlock: status.lastIndexedBlock, caughtUp: status.caughtUp },
      };
    },
  );
};

export default chainRoutes;
