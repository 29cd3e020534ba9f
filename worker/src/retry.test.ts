import { describe, expect, it } from "vitest";
import { backoffDelay, retryWithBackoff, sleep } from "./retry";

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

describe("retryWithBackoff", () => {
  it("retries a retryable failure until it succeeds", async () => {
    let calls = 0;
    const value = await retryWithBackoff({
      policy: fast,
      shouldRetry: () => true,
      fn: async () => {
        calls += 1;
        if (calls < 3) throw new Error("flaky");
        return "ok";
      },
    });
    expect(value).toBe("ok");
    expect(calls).toBe(3);
  });

  it("never retries what shouldRetry refuses", async () => {
    let calls = 0;
    const failing = retryWithBackoff({
      policy: fast,
      shouldRetry: () => false,
      fn: async () => {
        calls += 1;
        throw new Error("revert");
      },
    });
    await expect(failing).rejects.toThrow("revert");
    expect(calls).toBe(1);
  });

  it("gives up after the policy's attempts with the last error", async () => {
    let calls = 0;
    const failing = retryWithBackoff({
      policy: fast,
      shouldRetry: () => true,
      fn: async () => {
        calls += 1;
        throw new Error(`failure ${calls}`);
      },
    });
    await expect(failing).rejects.toThrow("failure 4");
  });

  it("doubles the delay up to the cap, with bounded jitter", () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
    for (const [attempt, nominal] of [[1, 100], [2, 200], [3, 400], [5, 1_000]] as const) {
      const delay = backoffDelay(policy, attempt);
      expect(delay).toBeGreaterThanOrEqual(nominal * 0.8);
      expect(delay).toBeLessThanOrEqual(nominal * 1.2);
    }
  });

  it("stops sleeping as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleep(10_000, controller.signal);
    controller.abort("shutdown");
    await expect(sleeping).rejects.toBe("shutdown");
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
