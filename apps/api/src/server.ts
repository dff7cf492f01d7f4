import { createServer } from "node:http";
import { createApp } from "./app.js";
import { backoff, retry } from "./async.js";
import { ConfigError, parseConfig } from "./config.js";
import { listen, shutdown } from "./lifecycle.js";
import { createLogger } from "./logger.js";
import { createApiMetrics } from "./metrics.js";
import { createGraphDriver, Neo4jGraphStore } from "./neo4j-graph-store.js";
import { createPool, migrate, PostgresTodoStore } from "./postgres-store.js";
import { RedisCache } from "./redis-cache.js";

/** Below Docker's default 10 s stop grace period, so cleanup finishes before SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 8_000;
/** About 30 s of retries in total: long enough for a database that is still starting. */
const MIGRATION_ATTEMPTS = 10;
/** Links are optional, so the graph's constraint is retried for as long as the process runs. */
const GRAPH_MIGRATION_BACKOFF = backoff(1_000, 30_000);

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const entry = {
      time: new Date().toISOString(),
      level: "error",
      msg: "invalid configuration",
      errors: error.errors,
    };
    process.stdout.write(`${JSON.stringify(entry)}\n`);
    process.exit(1);
  }

  const logger = createLogger({ level: config.logLevel });
  const pool = createPool(config.database, logger);
  const store = new PostgresTodoStore(pool);
  const cache = new RedisCache(config.redis, logger);
  const graph = config.graph === undefined ? undefined : new Neo4jGraphStore(createGraphDriver(config.graph));
  const metrics = createApiMetrics();
  const server = createServer(
    createApp({
      store,
      cache,
      logger,
      metrics,
      cacheTtlSeconds: config.cacheTtlSeconds,
      ...(graph === undefined ? {} : { graph }),
    }),
  );
  // Bounds on slow clients; nginx in front applies its own, shorter, proxy timeouts.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal, timeoutMs: SHUTDOWN_TIMEOUT_MS });
    void (async () => {
      const { forced } = await shutdown(server, SHUTDOWN_TIMEOUT_MS);
      if (forced) logger.warn("shutdown timeout reached; open connections were closed");
      await Promise.allSettled([store.close(), cache.close(), graph?.close()]);
      logger.info("stopped");
      process.exit(0);
    })();
  };
  process.once("SIGTERM", stop).once("SIGINT", stop);

  cache.start();
  if (graph === undefined) {
    logger.info("links are off: GRAPH_URL is not set");
  } else {
    // In the background: the API serves todos, and answers 503 for links, until Neo4j is up.
    void retry(() => graph.migrate(), {
      attempts: Number.POSITIVE_INFINITY,
      delayMs: GRAPH_MIGRATION_BACKOFF,
      onRetry: (error, attempt, delayMs) =>
        logger.warn("graph constraint not created; retrying", { attempt: attempt + 1, delayMs, error }),
    }).then(() => logger.info("graph schema ready"));
  }
  await retry(() => migrate(pool), {
    attempts: MIGRATION_ATTEMPTS,
    delayMs: backoff(500, 5_000),
    onRetry: (error, attempt, delayMs) =>
      logger.warn("database migration failed; retrying", { attempt: attempt + 1, delayMs, error }),
  });
  logger.info("database schema ready");
  if (stopping) return;

  const address = await listen(server, config.port);
  logger.info("listening", { port: address.port });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "startup failed", error: message })}\n`,
  );
  process.exit(1);
});
