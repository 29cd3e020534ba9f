/**
 * The signed-in session: loaded from the service on start, opened with Sign-In with Ethereum
 * (nonce → the wallet signs an EIP-4361 message → verify), closed with sign-out.
 */
import { currentSession, requestNonce, signOut, verifySignIn, type Session } from "../api/auth-api";
import { messageOf } from "../api/http";
import type { WalletConnection } from "../wallet/wallet.svelte";
import { signInMessage } from "../wallet/siwe-message";

/** Where the session is. */
export type SessionStatus = "loading" | "signed-out" | "signing-in" | "signed-in";

/** Session state. */
export class SessionState {
  session = $state.raw<Session | null>(null);
  status = $state<SessionStatus>("loading");
  error = $state<string | undefined>(undefined);

  /** The signed-in address, or undefined. */
  readonly address = $derived(this.session?.address);

  #markLoaded: () => void = () => {};
  readonly #loaded = new Promise<void>((resolve) => (this.#markLoaded = resolve));

  async load(): Promise<void> {
    try {
      // The session cookie is httpOnly; a hint kept beside it avoids asking the service (a 401) on every visit of a signed-out browser.
      if (!readHint()) {
        this.session = null;
        this.status = "signed-out";
        return;
      }
      try {
        this.session = (await currentSession()) ?? null;
        if (!this.session) writeHint(false);
      } catch (error) {
        this.session = null;
        this.error = messageOf(error);
      }
      this.status = this.session ? "signed-in" : "signed-out";
    } finally {
      this.#markLoaded();
    }
  }

  /** Resolves once the first `load` has settled (the page's start), whatever it found. */
  whenLoaded(): Promise<void> {
    return this.#loaded;
  }

  /** Signs in with the connected wallet on chain `chainId`. Returns whether it worked. */
  async signIn(wallet: WalletConnection, chainId: number): Promise<boolean> {
    this.status = "signing-in";
    this.error = undefined;
    try {
      const { nonce } = await requestNonce();
      const now = new Date();
      const message = signInMessage({
        domain: location.host,
        address: wallet.address,
        uri: location.origin,
        chainId,
        nonce,
        issuedAt: now.toISOString(),
        expirationTime: new Date(now.getTime() + 7 * 24 * 3600 * 1000).toISOString(),
      });
      const signature = await wallet.signer.signMessage(message);
      this.session = await verifySignIn({ message, signature });
      this.status = "signed-in";
      writeHint(true);
      return true;
    } catch (error) {
      this.error = messageOf(error);
      this.status = this.session ? "signed-in" : "signed-out";
      return false;
    }
  }

  async signOut(): Promise<void> {
    try {
      await signOut();
    } catch {
      // An expired session is signed out already.
    }
    this.session = null;
    this.status = "signed-out";
    writeHint(false);
  }

  /** Forgets a session the service no longer accepts (a 401 on some call). */
  expired(): void {
    writeHint(false);
    this.session = null;
    this.status = "signed-out";
    this.error = "Your session has expired; sign in again.";
  }
}

const HINT_KEY = "workbench.signed-in";

function readHint(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === "1";
  } catch {
    return true;
  }
}

function writeHint(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(HINT_KEY, "1");
    else localStorage.removeItem(HINT_KEY);
  } catch {
    // Storage unavailable: /me is simply asked every time.
  }
}
