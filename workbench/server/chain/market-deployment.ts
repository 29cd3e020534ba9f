import fs from "node:fs";
import { getAddress, type TypedDataDomain } from "ethers";
import { z } from "zod";
import { marketDomain } from "@iotdm/contracts-client";

/** The deployed market the workbench serves. */
export interface MarketDeployment {
  chainId: number;
  /** EIP-55 checksum address of the IoTDataMarket contract. */
  address: string;
  /** Block of its deployment: where the indexer starts on a new chain. */
  fromBlock: number;
  /** Where the answer came from, for logs and the readiness details. */
  source: "environment" | "deployment file";
}

/** The market's EIP-712 domain: what buyers sign run requests and standing authorizations for. */
export function domainOf(deployment: Pick<MarketDeployment, "chainId" | "address">): TypedDataDomain {
  return marketDomain({ chainId: deployment.chainId, market: deployment.address });
}

/**
 * The deployment record the launcher writes when it deploys the market on a fresh local chain
 * (`<STATE_DIR>/deployment.json` by default). Other fields are allowed and ignored.
 *
 * ```json
 * { "chainId": 31337, "rpcUrl": "http://127.0.0.1:8545", "marketAddress": "0x…", "deploymentBlock": 3,
 *   "genesisHash": "0x…", "deployedAt": "2030-01-01T00:00:00.000Z" }
 * ```
 */
export const DeploymentFile = z.looseObject({
  chainId: z.number().int().positive().optional(),
  marketAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address"),
  deploymentBlock: z.number().int().min(0).optional(),
});

/** Where the market is configured, from the configuration's point of view. */
export interface DeploymentSettings {
  chainId: number;
  marketAddress: string | undefined;
  fromBlock: number | undefined;
  deploymentFile: string;
}

/** A deployment file that exists but cannot be used. */
export class DeploymentFileError extends Error {
  override readonly name = "DeploymentFileError";
}

/**
 * Finds the market: MARKET_ADDRESS (with MARKET_FROM_BLOCK) when set, else the deployment file,
 * re-read whenever it changes (the launcher rewrites it when it restarts the local chain). Returns
 * undefined while neither says where the market is.
 */
export class DeploymentResolver {
  #cached: { mtimeMs: number; size: number; deployment: MarketDeployment } | undefined;

  constructor(private readonly settings: DeploymentSettings) {}

  /** The market, or undefined when none is configured yet. Throws a DeploymentFileError for an unusable file. */
  resolve(): MarketDeployment | undefined {
    const { settings } = this;
    if (settings.marketAddress !== undefined) {
      return {
        chainId: settings.chainId,
        address: getAddress(settings.marketAddress.toLowerCase()),
        fromBlock: settings.fromBlock ?? 0,
        source: "environment",
      };
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(settings.deploymentFile);
    } catch {
      this.#cached = undefined;
      return undefined;
    }
    if (this.#cached && this.#cached.mtimeMs === stat.mtimeMs && this.#cached.size === stat.size) return this.#cached.deployment;
    const deployment = this.#read();
    this.#cached = { mtimeMs: stat.mtimeMs, size: stat.size, deployment };
    return deployment;
  }

  #read(): MarketDeployment {
    const { settings } = this;
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(settings.deploymentFile, "utf8"));
    } catch (cause) {
      throw new DeploymentFileError(`${settings.deploymentFile} is not readable JSON`, { cause });
    }
    const parsed = DeploymentFile.safeParse(json);
    if (!parsed.success) {
      throw new DeploymentFileError(`${settings.deploymentFile}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    if (parsed.data.chainId !== undefined && parsed.data.chainId !== settings.chainId) {
      throw new DeploymentFileError(
        `${settings.deploymentFile} is for chain ${parsed.data.chainId}, but CHAIN_ID is ${settings.chainId}`,
      );
    }
    return {
      chainId: settings.chainId,
      address: getAddress(parsed.data.marketAddress.toLowerCase()),
      fromBlock: settings.fromBlock ?? parsed.data.deploymentBlock ?? 0,
      source: "deployment file",
    };
  }
}
