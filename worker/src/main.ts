/**
 * The worker process: `npx tsx worker/src/main.ts` (configuration from the environment, see
 * worker/README.md). SIGTERM or SIGINT closes it gracefully: no new jobs, running jobs finish the
 * transaction in flight and go back to the queue for another worker. A second signal exits at once
 * (the jobs' locks then expire and another worker takes them over).
 */
import { loadConfig } from "./config";
import { createLogger } from "./logger";
import { startWorker } from "./start-worker";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const runtime = await startWorker({ config, logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    runtime.close({ release: true }).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  // Configuration and connection errors: say what is wrong, no stack for a missing variable.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
