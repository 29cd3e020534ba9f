import { Contract, type JsonRpcProvider, type Signer } from "ethers";
import type { FhevmInstance, FhevmInstanceConfig } from "@zama-fhe/relayer-sdk/node";
import type { ResultType } from "./program";

/** The part of an fhevm instance the product uses; the mock and the relayer SDK's instance both provide it. */
export type FhevmClient = Pick<FhevmInstance, "createEncryptedInput" | "generateKeypair" | "createEIP712" | "userDecrypt">;

/** The Hardhat node's chain id: the fhevm mock answers there. */
export const LOCAL_CHAIN_ID = 31337n;

export interface CreateFhevmInstanceOptions {
  /** An ethers provider on the chain the market is deployed to. */
  provider: JsonRpcProvider;
  /**
   * Real networks only (ignored on chain 31337, where the node's mock is used): "sepolia" (default), "mainnet", or a
   * full relayer SDK configuration without its `network` field.
   */
  network?: "sepolia" | "mainnet" | Omit<FhevmInstanceConfig, "network">;
  /** Real networks only: the RPC URL the relayer SDK reads the chain through (defaults to the provider's). */
  rpcUrl?: string;
}

/**
 * An fhevm instance for the provider's chain: on the local Hardhat node (chain 31337) a `MockFhevmInstance` from
 * @fhevm/mock-utils that uses the node itself as its relayer; elsewhere the relayer SDK, configured by `network`.
 * Browser bundles alias `@zama-fhe/relayer-sdk/node` to `@zama-fhe/relayer-sdk/web` (and call its `initSDK()`).
 */
export async function createFhevmInstance(options: CreateFhevmInstanceOptions): Promise<FhevmClient> {
  const { chainId } = await options.provider.getNetwork();
  if (chainId === LOCAL_CHAIN_ID) return createMockInstance(options.provider);

  const sdk = await import("@zama-fhe/relayer-sdk/node");
  const base =
    options.network === "mainnet"
      ? sdk.MainnetConfig
      : options.network === undefined || options.network === "sepolia"
        ? sdk.SepoliaConfig
        : options.network;
  return sdk.createInstance({ ...base, network: options.rpcUrl ?? options.provider._getConnection().url });
}

const EIP712_DOMAIN_ABI = [
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
];

/** The node's mock, found through its `fhevm_relayer_metadata` RPC method and the verifiers' EIP-712 domains. */
async function createMockInstance(provider: JsonRpcProvider): Promise<FhevmClient> {
  const { MockFhevmInstance } = await import("@fhevm/mock-utils");
  const metadata = (await provider.send("fhevm_relayer_metadata", [])) as {
    chainId: number;
    gatewayChainId: number;
    ACLAddress: `0x${string}`;
    KMSVerifierAddress: `0x${string}`;
    InputVerifierAddress: `0x${string}`;
  };
  const domainOf = async (address: string) =>
    (await new Contract(address, EIP712_DOMAIN_ABI, provider).eip712Domain()).verifyingContract as `0x${string}`;
  const [decryption, inputVerification] = await Promise.all([
    domainOf(metadata.KMSVerifierAddress),
    domainOf(metadata.InputVerifierAddress),
  ]);
  const instance = await MockFhevmInstance.create(
    provider,
    provider,
    {
      aclContractAddress: metadata.ACLAddress,
      chainId: Number(metadata.chainId),
      gatewayChainId: Number(metadata.gatewayChainId),
      inputVerifierContractAddress: metadata.InputVerifierAddress,
      kmsContractAddress: metadata.KMSVerifierAddress,
      verifyingContractAddressDecryption: decryption,
      verifyingContractAddressInputVerification: inputVerification,
    },
    { inputVerifierProperties: {}, kmsVerifierProperties: {} },
  );
  return instance as unknown as FhevmClient;
}

/** One input proof holds at most 2048 bits: 32 euint64 readings. */
export const MAX_READINGS_PER_BATCH = 32;

export interface EncryptedBatch {
  /** The encrypted readings, as bytes32 hex handles for `appendReadings`. */
  handles: string[];
  /** One proof for the whole batch. */
  inputProof: string;
}

/**
 * Encrypts readings (encoded euint64 values) for `market` on behalf of `appender` (the device or seller that will
 * send `appendReadings`), in batches of at most 32 with one input proof each.
 */
export async function encryptReadings(options: {
  instance: FhevmClient;
  market: string;
  appender: string;
  values: readonly bigint[];
}): Promise<EncryptedBatch[]> {
  const batches: EncryptedBatch[] = [];
  for (let i = 0; i < options.values.length; i += MAX_READINGS_PER_BATCH) {
    const input = options.instance.createEncryptedInput(options.market, options.appender);
    for (const value of options.values.slice(i, i + MAX_READINGS_PER_BATCH)) input.add64(value);
    const { handles, inputProof } = await input.encrypt();
    batches.push({ handles: handles.map(toHex), inputProof: toHex(inputProof) });
  }
  return batches;
}

const BITS: Record<ResultType, number> = { ebool: 2, euint32: 32, euint64: 64 };
/** One user-decryption request carries at most 2048 bits of ciphertexts. */
const MAX_DECRYPT_BITS = 2048;

/**
 * User-decrypts handles the signer is allowed on (the result handles of the signer's runs), in requests of at most
 * 2048 bits. `contract` is the contract that holds them (the market). Returns values in the order of `handles`.
 * A signer who is not allowed gets the relayer's "not authorized" error.
 */
export async function userDecrypt(options: {
  instance: FhevmClient;
  signer: Signer;
  contract: string;
  handles: readonly { handle: string; type: ResultType }[];
  durationDays?: number;
}): Promise<(bigint | boolean)[]> {
  const { instance, signer, contract } = options;
  const durationDays = options.durationDays ?? 1;
  const user = await signer.getAddress();
  const { publicKey, privateKey } = instance.generateKeypair();
  const start = Math.floor(Date.now() / 1000);
  const eip712 = instance.createEIP712(publicKey, [contract], start, durationDays);
  const signature = await signer.signTypedData(
    eip712.domain,
    { UserDecryptRequestVerification: [...eip712.types.UserDecryptRequestVerification] },
    eip712.message,
  );

  const values: (bigint | boolean)[] = [];
  for (const group of groupByBits(options.handles)) {
    const results = await instance.userDecrypt(
      group.map(({ handle }) => ({ handle, contractAddress: contract })),
      privateKey,
      publicKey,
      signature.replace(/^0x/, ""),
      [contract],
      user,
      start,
      durationDays,
    );
    for (const { handle } of group) values.push(results[handle as `0x${string}`] as bigint | boolean);
  }
  return values;
}

function groupByBits<T extends { type: ResultType }>(items: readonly T[]): T[][] {
  const groups: T[][] = [];
  let bits = MAX_DECRYPT_BITS;
  for (const item of items) {
    if (bits + BITS[item.type] > MAX_DECRYPT_BITS) {
      groups.push([]);
      bits = 0;
    }
    groups[groups.length - 1].push(item);
    bits += BITS[item.type];
  }
  return groups;
}

function toHex(bytes: Uint8Array | string): string {
  if (typeof bytes === "string") return bytes.startsWith("0x") ? bytes : `0x${bytes}`;
  return `0x${Buffer.from(bytes).toString("hex")}`;
}
