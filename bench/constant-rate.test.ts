import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { constantRate } from "./constant-rate";

/** A loopback server answering every request after `delayMs`; records when each request arrived. */
async function serve(delayMs: number, status = 200): Promise<{ url: string; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const server = http.createServer((_request, response) => {
    arrivals.push(performance.now());
    setTimeout(() => response.writeHead(status).end("{}"), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    arrivals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("constantRate", () => {
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("sends the asked rate evenly spaced over the clients, not in bursts", async () => {
    server = await serve(0);
    const result = await constantRate({ url: server.url, headers: {}, clients: 10, rate: 200, durationSeconds: 1 });

    expect(result.ok).toBe(200);
    expect(result.non2xx + result.errors).toBe(0);
    // One request every 5 ms puts 10 in any 50 ms (bursts, as autocannon's rate limit sends them, would put
    // all 200 in the first); the margin is for a busy machine's timer lateness.
    const busiest = Math.max(...server.arrivals.map((t) => server!.arrivals.filter((u) => u >= t && u < t + 50).length));
    expect(busiest).toBeLessThanOrEqual(30);
    const span = server.arrivals.at(-1)! - server.arrivals[0]!;
    expect(span).toBeGreaterThan(900);
  });

  it("counts a slow answer against every request it held up (no coordinated omission)", async () => {
    // One client due every 10 ms, answered after 40 ms: the queue grows, and so must the latencies.
    server = await serve(40);
    const result = await constantRate({ url: server.url, headers: {}, clients: 1, rate: 100, durationSeconds: 0.5 });

    expect(result.latenciesMs).toHaveLength(50);
    expect(result.latenciesMs[0]).toBeGreaterThanOrEqual(40);
    // The 50th request was due at 490 ms but could only leave after 49 answers of 40 ms each.
    expect(result.latenciesMs.at(-1)).toBeGreaterThan(1_400);
    expect(result.requestsPerSecond).toBeLessThan(30);
  });

  it("tells non-2xx answers and failed connections apart", async () => {
    server = await serve(0, 503);
    const refused = await constantRate({ url: "http://127.0.0.1:1/", headers: {}, clients: 2, rate: 20, durationSeconds: 0.5 });
    const unavailable = await constantRate({ url: server.url, headers: {}, clients: 2, rate: 20, durationSeconds: 0.5 });

    expect(refused).toMatchObject({ ok: 0, non2xx: 0, errors: 10 });
    expect(unavailable).toMatchObject({ ok: 0, non2xx: 10, errors: 0 });
  });
});
