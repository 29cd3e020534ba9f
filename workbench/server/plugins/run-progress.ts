import fp from "fastify-plugin";
import { ProgressRecorder } from "../runs/progress-recorder";
import { RunEventBus } from "../runs/run-events";

declare module "fastify" {
  interface FastifyInstance {
    /** Run events for this instance's open event streams. */
    runEvents: RunEventBus;
    /** Writes the worker's progress, results and reports into the store (see runs/progress-recorder.ts). */
    progressRecorder: ProgressRecorder;
  }
}

/** Listens to the worker's queue events from when the app is ready until it closes. */
export default fp(
  async (app) => {
    const bus = new RunEventBus();
    const recorder = new ProgressRecorder({
      store: app.store,
      runQueue: app.runQueue,
      chain: app.chain,
      recipes: app.recipes,
      bus,
      logger: app.log.child({ component: "progress" }),
      now: () => app.now(),
    });
    app.decorate("runEvents", bus);
    app.decorate("progressRecorder", recorder);
    app.addHook("onReady", async () => recorder.start());
    app.addHook("preClose", async () => recorder.stop());
  },
  { name: "run-progress", fastify: "5.x", dependencies: ["config", "store", "queue", "chain", "recipes"] },
);
