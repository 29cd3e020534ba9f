import http from "node:http";

/** What a constant-rate run measured. */
export interface ConstantRateResult {
  /** Latency of every completed request, in ms, counted from the moment it was due (see `constantRate`). */
  latenciesMs: number[];
  /** Requests answered with a 2xx status. */
  ok: number;
  /** Requests answered with another status. */
  non2xx: number;
  /** Requests that failed without an answer (connection errors). */
  errors: number;
  /** Requests completed per second over the run. */
  requestsPerSecond: number;
}

/**
 * An open-loop load generator: `clients` keep-alive connections that together send `rate` requests
 * per second, evenly spaced. Client i's j-th request is due at (i + j · clients) / rate seconds
 * after the start, so one request leaves every 1 / rate seconds, taking turns over the clients —
 * the arrival pattern of wrk2 or k6's constant-arrival-rate executor.
 *
 * autocannon cannot do this: its rate limits (`overallRate`, `connectionRate`) let each connection
 * send its quota for a second back to back when the second starts, so at 500 req/s over 50
 * connections every second opens with 50 requests in flight at once — a burst at the server's
 * maximum rate, not 500 req/s.
 *
 * A request that comes due while its client still waits for the previous answer is sent as soon
 * as that answer arrives, and its latency still counts from when it was due: a slow answer shows
 * in the figures of every request it held up (no coordinated omission). Timer lateness in this
 * process counts against the server too, so the figures err on the slow side.
 */
export async function constantRate(options: {
  url: string;
  headers: Record<string, string>;
  clients: number;
  rate: number;
  durationSeconds: number;
}): Promise<ConstantRateResult> {
  const { clients, rate, durationSeconds } = options;
  const target = new URL(options.url);
  const perClient = Math.floor((rate * durationSeconds) / clients);
  const result: ConstantRateResult = { latenciesMs: [], ok: 0, non2xx: 0, errors: 0, requestsPerSecond: 0 };
  const start = performance.now() + 50;

  async function client(index: number): Promise<void> {
    // One socket per client, kept open between requests, as a browser tab or a service client would.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let j = 0; j < perClient; j++) {
        const due = start + ((index + j * clients) / rate) * 1000;
        // Node's timers count whole milliseconds and may fire a fraction of one early: never send before the due time.
        for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        try {
          const status = await get(target, options.headers, agent);
          result.latenciesMs.push(performance.now() - due);
          if (status >= 200 && status < 300) result.ok++;
          else result.non2xx++;
        } catch {
          result.errors++;
        }
      }
    } finally {
      agent.destroy();
    }
  }

  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  result.requestsPerSecond = Math.round((result.latenciesMs.length / (performance.now() - start)) * 1000);
  return result;
}

/** One GET, its body read to the end; resolves with the status code. */
function get(url: URL, headers: Record<string, string>, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent }, (response) => {
      response.on("error", reject);
      response.on("end", () => resolve(response.statusCode ?? 0));
      response.resume();
    });
    request.on("error", reject);
  });
}
