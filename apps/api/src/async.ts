export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/** Rejects with a TimeoutError when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RetryOptions {
  readonly attempts: number;
  /** Delay before retry n (0-based). */
  readonly delayMs: (retry: number) => number;
  readonly onRetry?: (error: unknown, retry: number, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Runs `task` until it resolves or `attempts` runs have failed; rethrows the last error. */
export async function retry<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      const delayMs = options.delayMs(attempt - 1);
      options.onRetry?.(error, attempt - 1, delayMs);
      await sleep(delayMs);
    }
  }
}

/** Exponential backoff: base, 2×base, 4×base, … capped at `capMs`. */
export function backoff(baseMs: number, capMs: number): (retry: number) => number {
  return (retry) => Math.min(baseMs * 2 ** retry, capMs);
}
