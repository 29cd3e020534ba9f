/**
 * User decryption in the browser: the buyer's key pair is made here, the wallet signs the
 * decryption request (EIP-712), and the clear values come back to this page only. On the local
 * chain (31337) the fhevm is Zama's mock, reached through the node (`fhevm_relayer_metadata`); on
 * a real network the relayer SDK. Both are large and load only when a result is decrypted.
 *
 * When contracts/client exposes its own createFhevmInstance/userDecrypt, this file is the one to
 * switch over.
 */
import type { JsonRpcProvider, TypedDataDomain, TypedDataField } from "ethers";
import { Contract } from "ethers";

/** The signer of the decryption request. */
export interface DecryptSigner {
  address: string;
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>): Promise<string>;
}

/** The subset of the fhevm instance API used here (the mock and the relayer SDK share it). */
interface FhevmInstanceLike {
  generateKeypair(): { publicKey: string; privateKey: string };
  createEIP712(publicKey: string, contracts: string[], start: number, days: number): {
    domain: TypedDataDomain;
    types: Record<string, TypedDataField[]>;
    message: Record<string, unknown>;
  };
  userDecrypt(
    handles: { handle: string; contractAddress: string }[],
    privateKey: string,
    publicKey: string,
    signature: string,
    contracts: string[],
    user: string,
    start: number,
    days: number,
  ): Promise<Record<string, bigint | boolean | string>>;
}

const instances = new Map<string, Promise<FhevmInstanceLike>>();

const EIP712_ABI = ["function eip712Domain() view returns (bytes1, string, string, uint256 chainId, address verifyingContract, bytes32, uint256[])"];

async function mockInstance(provider: JsonRpcProvider): Promise<FhevmInstanceLike> {
  const { MockFhevmInstance } = await import("@fhevm/mock-utils");
  const metadata = (await provider.send("fhevm_relayer_metadata", [])) as {
    ACLAddress: string;
    InputVerifierAddress: string;
    KMSVerifierAddress: string;
  };
  const network = await provider.getNetwork();
  const domainOf = async (address: string) => {
    const domain = await new Contract(address, EIP712_ABI, provider).getFunction("eip712Domain")();
    return { chainId: Number(domain.chainId), verifyingContract: String(domain.verifyingContract) };
  };
  const [kms, input] = await Promise.all([domainOf(metadata.KMSVerifierAddress), domainOf(metadata.InputVerifierAddress)]);
  const instance = await MockFhevmInstance.create(
    provider as never,
    provider as never,
    {
      aclContractAddress: metadata.ACLAddress as `0x${string}`,
      chainId: Number(network.chainId),
      gatewayChainId: kms.chainId,
      inputVerifierContractAddress: metadata.InputVerifierAddress as `0x${string}`,
      kmsContractAddress: metadata.KMSVerifierAddress as `0x${string}`,
      verifyingContractAddressDecryption: kms.verifyingContract as `0x${string}`,
      verifyingContractAddressInputVerification: input.verifyingContract as `0x${string}`,
    },
    { inputVerifierProperties: {}, kmsVerifierProperties: {} } as never,
  );
  return instance as unknown as FhevmInstanceLike;
}

async function relayerInstance(chainId: number): Promise<FhevmInstanceLike> {
  const sdk = await import("@zama-fhe/relayer-sdk/web");
  await sdk.initSDK();
  const config = (sdk as unknown as Record<string, unknown>).SepoliaConfig as Record<string, unknown> | undefined;
  if (!config || Number(config.chainId) !== chainId) {
    throw new Error(`No relayer configuration for chain ${chainId}; only the local mock (31337) and Sepolia are supported.`);
  }
  return (await sdk.createInstance({ ...config, network: (window as { ethereum?: unknown }).ethereum } as never)) as unknown as FhevmInstanceLike;
}

/** The fhevm instance for a chain (created once). */
function instanceFor(options: { chainId: number; provider: JsonRpcProvider }): Promise<FhevmInstanceLike> {
  const key = String(options.chainId);
  let instance = instances.get(key);
  if (!instance) {
    instance = options.chainId === 31_337 ? mockInstance(options.provider) : relayerInstance(options.chainId);
    instance.catch(() => instances.delete(key));
    instances.set(key, instance);
  }
  return instance;
}

/**
 * Decrypts result handles allowed to `signer` on `contract`. The wallet is asked to sign the
 * decryption request once per call.
 */
export async function userDecrypt(options: {
  chainId: number;
  provider: JsonRpcProvider;
  handles: readonly string[];
  contract: string;
  signer: DecryptSigner;
}): Promise<Record<string, bigint | boolean | string>> {
  if (options.handles.length === 0) return {};
  const instance = await instanceFor(options);
  const { publicKey, privateKey } = instance.generateKeypair();
  const start = Math.floor(Date.now() / 1000);
  const days = 1;
  const typed = instance.createEIP712(publicKey, [options.contract], start, days);
  const types = { UserDecryptRequestVerification: typed.types.UserDecryptRequestVerification! };
  const signature = await options.signer.signTypedData(typed.domain, types, typed.message);
  return instance.userDecrypt(
    options.handles.map((handle) => ({ handle, contractAddress: options.contract })),
    privateKey,
    publicKey,
    signature.replace(/^0x/, ""),
    [options.contract],
    options.signer.address,
    start,
    days,
  );
}
