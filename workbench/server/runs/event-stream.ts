import type { FastifyReply } from "fastify";
import type { RunRecord } from "../store/records";
import { FINAL_ORDINAL, type RunEventBus, type RunStreamEvent } from "./run-events";

/** The open event streams of this instance, so that a shutdown can end them (browsers reconnect elsewhere). */
export class EventStreams {
  readonly #open = new Set<() => void>();

  /** Ends every open stream. */
  endAll(): void {
    for (const end of [...this.#open]) end();
  }

  /**
   * Streams run `run`'s events to `reply` as server-sent events: its history from the store first
   * (what a browser that connects late, or reconnects with Last-Event-ID, missed), then the live
   * events the bus delivers, until `done` or `failed`. Comments keep idle proxies from closing it.
   */
  open(options: {
    reply: FastifyReply;
    run: RunRecord;
    bus: RunEventBus;
    /** The run as it is now (read after subscribing, so no event falls between). */
    load: () => Promise<RunRecord | undefined>;
    toFinalData: (run: RunRecord) => Record<string, unknown>;
    lastEventId: number;
    keepAliveMs: number;
  }): void {
    const { reply, run, bus } = options;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // nginx and friends: do not buffer the stream.
      "x-accel-buffering": "no",
    });
    raw.write(": run events\n\n");

    let last = options.lastEventId;
    let ended = false;
    let buffered: RunStreamEvent[] | undefined = [];
    const send = (event: RunStreamEvent) => {
      if (ended || event.ordinal <= last) return;
      last = event.ordinal;
      raw.write(`id: ${event.ordinal}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      if (event.ordinal === FINAL_ORDINAL) end();
    };
    const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), options.keepAliveMs);
    const unsubscribe = bus.subscribe(run.id, (event) => (buffered ? buffered.push(event) : send(event)));
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      unsubscribe();
      this.#open.delete(end);
      raw.end();
    };
    this.#open.add(end);
    raw.on("close", end);

    options.load().then(
      (current) => {
        for (const event of history(current ?? run, options.toFinalData)) send(event);
        const pending = buffered ?? [];
        buffered = undefined;
        for (const event of pending.sort((a, b) => a.ordinal - b.ordinal)) send(event);
      },
      () => end(),
    );
  }
}

/** A run's events so far, rebuilt from its record. */
export function history(run: RunRecord, toFinalData: (run: RunRecord) => Record<string, unknown>): RunStreamEvent[] {
  const events: RunStreamEvent[] = [{ type: "queued", ordinal: 0, data: { runId: run.id, createdAt: run.createdAt } }];
  if (run.startedAt !== null) {
    events.push({
      type: "running",
      ordinal: 1,
      data: { runId: run.id, chainRunId: run.chainRunId, stepsTotal: run.progress.stepsTotal, startedAt: run.startedAt },
    });
    // Step by step the list holds each step's transaction; once done, the start transaction leads it.
    const offset = Math.max(0, run.txHashes.length - run.progress.stepsDone);
    for (let step = 1; step <= run.progress.stepsDone; step++) {
      events.push({
        type: "step",
        ordinal: 1 + step,
        data: { runId: run.id, step, of: run.progress.stepsTotal, txHash: run.txHashes[offset + step - 1] ?? null },
      });
    }
  }
  if (run.status === "done") events.push({ type: "done", ordinal: FINAL_ORDINAL, data: toFinalData(run) });
  if (run.status === "error") events.push({ type: "failed", ordinal: FINAL_ORDINAL, data: toFinalData(run) });
  return events;
}
