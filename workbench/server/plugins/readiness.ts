import fp from "fastify-plugin";

/** A dependency the service needs to serve requests; resolves when it answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<void>;

/** The named readiness checks; plugins that open a client (store, chain, queue) add theirs. */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds the check `name`. */
  add(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} is already registered`);
    this.checks.set(name, check);
  }

  /** Runs every check at once, each bounded by `timeoutMs`; returns each check's outcome. */
  async run(timeoutMs: number): Promise<Record<string, "ok" | "failing">> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([check(), timeout]);
          return [name, "ok"] as const;
        } catch {
          return [name, "failing"] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** What `/api/ready` checks. */
    readiness: Readiness;
  }
}

/** Decorates the app with the readiness checks registry. */
export default fp(
  async (app) => {
    app.decorate("readiness", new Readiness());
  },
  { name: "readiness", fastify: "5.x" },
);
