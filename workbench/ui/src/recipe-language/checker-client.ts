/**
 * The main thread's side of the checker worker: one worker for every editor, one request stream per
 * editor, and the latest request wins — an answer to a request that a newer one of the same editor
 * overtook resolves to undefined and is ignored.
 */
import type { CheckRequest, CheckResponse } from "./check-protocol";

/** Something that accepts requests and answers with messages (a Worker, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: CheckRequest): void;
  addEventListener(type: "message", listener: (event: MessageEvent<CheckResponse>) => void): void;
  terminate?(): void;
}

/** The checker client. */
export class CheckerClient {
  #nextId = 1;
  readonly #latest = new Map<string, number>();
  readonly #pending = new Map<number, (response: CheckResponse | undefined) => void>();

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener("message", (event) => this.#answer(event.data));
  }

  /** Checks a recipe for editor `key`; undefined when a newer request of that editor overtook it. */
  check(request: Omit<CheckRequest, "id">): Promise<CheckResponse | undefined> {
    const id = this.#nextId++;
    const overtaken = this.#latest.get(request.key);
    if (overtaken !== undefined) this.#settle(overtaken, undefined);
    this.#latest.set(request.key, id);
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Forgets an editor (its pending request resolves to undefined). */
  forget(key: string): void {
    const id = this.#latest.get(key);
    if (id !== undefined) this.#settle(id, undefined);
    this.#latest.delete(key);
  }

  #answer(response: CheckResponse): void {
    const latest = this.#latest.get(response.key);
    this.#settle(response.id, latest === response.id ? response : undefined);
  }

  #settle(id: number, response: CheckResponse | undefined): void {
    const resolve = this.#pending.get(id);
    if (!resolve) return;
    this.#pending.delete(id);
    resolve(response);
  }
}

let shared: CheckerClient | undefined;

/** The app's checker client (the worker starts on first use). */
export function sharedChecker(): CheckerClient {
  shared ??= new CheckerClient(new Worker(new URL("./check-worker.ts", import.meta.url), { type: "module", name: "recipe-checker" }));
  return shared;
}
