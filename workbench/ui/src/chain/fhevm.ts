/**
 * User decryption in the browser, through contracts/client's fhevm client: the buyer's key pair is
 * made here, the wallet signs the decryption request (EIP-712), and the clear values come back to
 * this page only. On the local chain (31337) the fhevm is Zama's mock reached through the node; on
 * a real network the relayer SDK. The SDK's WebAssembly loads (initSDK) on the first decryption:
 * this module is imported lazily.
 */
import type { JsonRpcProvider, Signer } from "ethers";
import { createFhevmInstance, userDecrypt, type FhevmClient, type ResultType } from "@iotdm/contracts-client";

const instances = new Map<number, Promise<FhevmClient>>();
let sdkReady: Promise<void> | undefined;

/** Loads the relayer SDK's WebAssembly (the mock uses its key generation too). */
function initSdk(): Promise<void> {
  sdkReady ??= import("@zama-fhe/relayer-sdk/web").then(async (sdk) => {
    await sdk.initSDK();
  });
  return sdkReady;
}

/** The fhevm client of a chain (created once per page). */
function instanceFor(chainId: number, provider: JsonRpcProvider): Promise<FhevmClient> {
  let instance = instances.get(chainId);
  if (!instance) {
    instance = initSdk().then(() => createFhevmInstance({ provider }));
    instance.catch(() => instances.delete(chainId));
    instances.set(chainId, instance);
  }
  return instance;
}

/**
 * Decrypts handles `signer` is allowed on (its runs' results) held by `contract`; values in the
 * order of `handles`. The wallet signs one decryption request per call.
 */
export async function decryptHandles(options: {
  chainId: number;
  provider: JsonRpcProvider;
  signer: Signer;
  contract: string;
  handles: readonly { handle: string; type: ResultType }[];
}): Promise<(bigint | boolean)[]> {
  if (options.handles.length === 0) return [];
  const instance = await instanceFor(options.chainId, options.provider);
  return userDecrypt({ instance, signer: options.signer, contract: options.contract, handles: options.handles });
}
