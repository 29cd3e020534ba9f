import fp from "fastify-plugin";
import type { Config } from "../config";

declare module "fastify" {
  interface FastifyInstance {
    /** The parsed configuration (see config.ts). */
    config: Config;
    /** The current time; tests inject a clock. */
    now(): Date;
  }
}

/** Options of the config plugin. */
export interface ConfigPluginOptions {
  config: Config;
  now?: () => Date;
}

/** Makes the configuration and the clock available to every other plugin and route. */
export default fp<ConfigPluginOptions>(
  async (app, options) => {
    app.decorate("config", options.config);
    app.decorate("now", options.now ?? (() => new Date()));
  },
  { name: "config", fastify: "5.x" },
);
