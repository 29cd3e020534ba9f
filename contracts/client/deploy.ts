import { readFileSync } from "node:fs";
import path from "node:path";
import { Contract, ContractFactory, type InterfaceAbi, type Signer } from "ethers";
import { iotDataMarketAbi } from "./abi";
import { connectMarket, type IoTDataMarket } from "./market";
import { findRepositoryRoot } from "./repo-root";

/** Where `npx hardhat compile` writes artifacts (the repository's `artifacts/`, its root found by {@link findRepositoryRoot}). */
export const DEFAULT_ARTIFACTS_DIR = path.join(findRepositoryRoot(), "artifacts");

const MARKET_ARTIFACT = "contracts/src/IoTDataMarket.sol/IoTDataMarket.json";
/** The market's linked (external) libraries, deployed before it. */
export const MARKET_LIBRARIES = [
  "RecipeEngine",
  "RecipeProgram",
  "PrivacyNoise",
  "DatasetSettings",
  "PrivacyLedger",
  "ReadingLog",
  "RunConsent",
  "RollupTree",
  "RunEscrow",
] as const;
export type MarketLibrary = (typeof MARKET_LIBRARIES)[number];
const libraryArtifact = (name: MarketLibrary) => `contracts/src/libraries/${name}.sol/${name}.json`;
const CONTRACT_WALLET_ARTIFACT = "contracts/src/testing/ContractWallet.sol/ContractWallet.json";

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>;
}

export interface DeployMarketOptions {
  /** Deploys and becomes the market's admin (DEFAULT_ADMIN_ROLE) unless `admin` is given. */
  signer: Signer;
  /** The relayer (worker) account granted OPERATOR_ROLE; omit to grant nobody. */
  operator?: string;
  /** Admin other than the deployer. */
  admin?: string;
  /** The repository's root: artifacts are read from `<root>/artifacts` unless `artifactsDir` is given. */
  root?: string;
  /** Hardhat artifacts directory; defaults to the repository's (run `npx hardhat compile` first). */
  artifactsDir?: string;
}

export interface DeployedMarket {
  market: IoTDataMarket;
  address: string;
  /** The address of each linked library. */
  libraries: Record<MarketLibrary, string>;
  /** Block of the market's deployment: where log indexers start. */
  deploymentBlock: number;
}

/**
 * Deploys the market's libraries and the IoTDataMarket linked to them, with plain ethers (no Hardhat runtime), from
 * the compiled artifacts. Node only (reads files); browsers connect to a deployed market with `iotDataMarketAbi`.
 */
export async function deployMarket(options: DeployMarketOptions): Promise<DeployedMarket> {
  const artifactsDir = options.artifactsDir ?? (options.root !== undefined ? path.join(options.root, "artifacts") : DEFAULT_ARTIFACTS_DIR);
  const marketArtifact = readArtifact(artifactsDir, MARKET_ARTIFACT);
  // Nonces counted here, not asked of the provider before each deployment: a provider that caches
  // eth_getTransactionCount (ethers does, briefly) would hand two deployments the same one.
  let nonce = await options.signer.getNonce("pending");
  const libraries = {} as Record<MarketLibrary, string>;
  for (const name of MARKET_LIBRARIES) {
    const artifact = readArtifact(artifactsDir, libraryArtifact(name));
    const library = await new ContractFactory(artifact.abi, artifact.bytecode, options.signer).deploy({ nonce: nonce++ });
    await library.waitForDeployment();
    libraries[name] = await library.getAddress();
  }

  const bytecode = link(marketArtifact, libraries);
  const admin = options.admin ?? (await options.signer.getAddress());
  const operator = options.operator ?? "0x0000000000000000000000000000000000000000";
  const deployed = await new ContractFactory(iotDataMarketAbi, bytecode, options.signer).deploy(admin, operator, { nonce });
  const receipt = await deployed.deploymentTransaction()!.wait();
  const address = await deployed.getAddress();
  return {
    market: connectMarket(address, options.signer),
    address,
    libraries,
    deploymentBlock: receipt!.blockNumber,
  };
}

/**
 * Deploys the test-only ERC-1271 `ContractWallet` owned by `owner`: a buyer that is a contract, whose signatures
 * are whatever `owner`'s key signs over the EIP-712 digest itself. Calls go through its `execute`.
 */
export async function deployContractWallet(options: { signer: Signer; owner: string; artifactsDir?: string }): Promise<Contract> {
  const artifact = readArtifact(options.artifactsDir ?? DEFAULT_ARTIFACTS_DIR, CONTRACT_WALLET_ARTIFACT);
  const wallet = await new ContractFactory(artifact.abi, artifact.bytecode, options.signer).deploy(options.owner);
  await wallet.waitForDeployment();
  return wallet as Contract;
}

function readArtifact(artifactsDir: string, relative: string): Artifact {
  const file = path.join(artifactsDir, relative);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Artifact;
  } catch (cause) {
    throw new Error(`Cannot read ${file}: run \`npx hardhat compile\` first`, { cause });
  }
}

/** Replaces each library placeholder of `artifact.bytecode` with the library's address. */
function link(artifact: Artifact, libraries: Record<string, string>): string {
  let hex = artifact.bytecode.slice(2);
  for (const references of Object.values(artifact.linkReferences)) {
    for (const [name, positions] of Object.entries(references)) {
      const address = libraries[name];
      if (!address) throw new Error(`No address given for library ${name}`);
      for (const { start, length } of positions) {
        hex = hex.slice(0, start * 2) + address.slice(2).toLowerCase() + hex.slice((start + length) * 2);
      }
    }
  }
  return `0x${hex}`;
}
