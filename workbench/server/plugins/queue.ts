import fp from "fastify-plugin";
import { createRunQueue, type RunQueue } from "@iotdm/worker/queues";

declare module "fastify" {
  interface FastifyInstance {
    /** The worker's producer API: enqueue runs, manage report schedules, listen to their events. */
    runQueue: RunQueue;
  }
}

/** Options of the queue plugin. */
export interface QueuePluginOptions {
  /** A queue opened by the caller (tests); the caller closes it. */
  runQueue?: RunQueue;
}

/**
 * The runs queue in Redis (BullMQ), through the worker's producer API only: the service enqueues
 * and listens, it never imports a processor. Readiness pings Redis.
 */
export default fp<QueuePluginOptions>(
  async (app, options) => {
    const { config } = app;
    const runQueue = options.runQueue ?? createRunQueue({ redisUrl: config.redisUrl, name: config.queue.name, prefix: config.queue.prefix });
    if (!options.runQueue) app.addHook("onClose", async () => runQueue.close());
    app.decorate("runQueue", runQueue);
    // A real round trip to Redis (waitUntilReady alone resolves from a cached connection state).
    app.readiness.add("queue", async () => {
      await runQueue.queue.getJobCounts("wait");
    });
  },
  { name: "queue", fastify: "5.x", dependencies: ["config", "readiness"] },
);
