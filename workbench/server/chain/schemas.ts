import { z } from "zod";
import { AddressOutput } from "../shared/schemas";

/** GET /api/chain response: what the browser needs to sign EIP-712 requests and user-decrypt results. */
export const ChainInfo = z
  .object({
    chainId: z.number().int(),
    rpcUrl: z.string().meta({ description: "The JSON-RPC endpoint the browser uses to encrypt and user-decrypt" }),
    marketAddress: AddressOutput.nullable().meta({ description: "The IoTDataMarket contract; null until one is deployed" }),
    deploymentBlock: z.number().int().nullable(),
    indexer: z.object({
      lastIndexedBlock: z.number().int().meta({ description: "The last block whose events are in the catalogue" }),
      caughtUp: z.boolean(),
    }),
  })
  .meta({ id: "ChainInfo" });
