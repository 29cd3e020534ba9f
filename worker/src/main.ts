/**
 * The worker process: `npx tsx worker/src/main.ts` (configuration from the environment, see
 * worker/README.md). SIGTERM or SIGINT closes it gracefully: no new jobs, running jobs finish the
 * transaction in flight and go back to the queue for another worker. A second signal exits at once
 * (the jobs' locks then expire and another worker takes them over). It refuses to start when its
 * relayer key is in use by another live worker of the queue or lacks the market's OPERATOR_ROLE,
 * and stops (exit 1) if another worker ever takes its key over.
 */
import { loadConfig } from "./config";
import { createLogger } from "./logger";
import { startWorker } from "./start-worker";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const runtime = await startWorker({ config, logger });

  let stopping = false;
  const stop = (signal: NodeJS.Signals | "relayer lost", code = 0) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    runtime.close({ release: true }).then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // Not `stop` itself: Node passes the signal's number as a second argument.
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Another worker now signs with this worker's key: stop taking jobs, hand back the running ones.
  void runtime.relayerLost.then((reason) => {
    logger.error({ relayer: runtime.relayer }, reason);
    stop("relayer lost", 1);
  });
}

main().catch((err: unknown) => {
  // Configuration and connection errors: say what is wrong, no stack for a missing variable.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
