/**
 * Test and benchmark support: a run's server-sent event stream read the way a browser's EventSource
 * parses it (no test framework imported: the benchmarks use it too, as `@iotdm/workbench/testing/sse`).
 */

/** One server-sent event. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/**
 * Reads a server-sent event stream into `events` as they arrive, as a browser's EventSource parses
 * it, until the stream ends or `timeoutMs` passes (then it is cancelled). When the stream breaks (its
 * instance died), this rejects and what arrived stays in `events`, to resume from with Last-Event-ID.
 * `onEvent` is called after each event is added, `onComment` for each comment (keep-alives).
 */
export async function readEventsInto(
  response: Response,
  events: SseEvent[],
  options: { timeoutMs?: number; onEvent?: () => void; onComment?: () => void } = {},
): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const timer = setTimeout(() => void reader.cancel(), options.timeoutMs ?? 120_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        if (lines.every((line) => line.startsWith(":"))) {
          options.onComment?.();
          continue;
        }
        const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
        events.push({ id: field("id"), event: field("event") ?? "message", data: JSON.parse(field("data") ?? "null") });
        options.onEvent?.();
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a server-sent event stream until it ends ({@link readEventsInto}); comments (keep-alives) are counted apart. */
export async function readEventStream(response: Response, options: { timeoutMs?: number } = {}): Promise<{ events: SseEvent[]; comments: number }> {
  const events: SseEvent[] = [];
  let comments = 0;
  await readEventsInto(response, events, { ...options, onComment: () => comments++ });
  return { events, comments };
}
