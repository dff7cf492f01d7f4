import { describe, expect, it } from "vitest";
import { TimeoutError, backoff, retry, withTimeout } from "../src/async.js";

describe("withTimeout", () => {
  it("resolves with the value when the promise settles in time", async () => {
    await expect(withTimeout(Promise.resolve(5), 50, "op")).resolves.toBe(5);
  });

  it("rejects with a TimeoutError naming the operation", async () => {
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 10, "redis GET")).rejects.toThrow(new TimeoutError("redis GET", 10));
    await expect(withTimeout(never, 10, "redis GET")).rejects.toThrow("redis GET timed out after 10 ms");
  });
});

describe("backoff", () => {
  it("doubles from the base up to the cap", () => {
    const delay = backoff(500, 5_000);
    expect([0, 1, 2, 3, 4, 5].map(delay)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});

describe("retry", () => {
  it("retries until the task succeeds, sleeping the backoff in between", async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return "ok";
      },
      { attempts: 5, delayMs: backoff(100, 1_000), sleep: async (ms) => void slept.push(ms) },
    );
    expect(result).toBe("ok");
    expect(slept).toEqual([100, 200]);
  });

  it("rethrows the last error after the final attempt", async () => {
    let calls = 0;
    const run = retry(
      async () => {
        throw new Error(`fail ${++calls}`);
      },
      { attempts: 3, delayMs: () => 0, sleep: async () => {} },
    );
    await expect(run).rejects.toThrow("fail 3");
    expect(calls).toBe(3);
  });
});
