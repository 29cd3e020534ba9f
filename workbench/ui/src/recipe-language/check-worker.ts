/// <reference lib="webworker" />
/**
 * The recipe checker's web worker: parsing and checking run here, off the main thread, while the
 * user types. Requests arriving while it is busy are coalesced per editor: only the latest one of
 * each editor is checked.
 */
import { checkRecipe, latestPerKey, type CheckRequest } from "./check-protocol";

const scope = self as unknown as DedicatedWorkerGlobalScope;
let queue: CheckRequest[] = [];
let scheduled = false;

scope.onmessage = (event: MessageEvent<CheckRequest>) => {
  queue.push(event.data);
  if (scheduled) return;
  scheduled = true;
  // A macrotask: messages already queued behind this one arrive first and overtake it.
  setTimeout(() => {
    const batch = latestPerKey(queue);
    queue = [];
    scheduled = false;
    for (const request of batch) scope.postMessage(checkRecipe(request));
  }, 0);
};
