/**
 * `npm start` (= `tsx workbench/launcher/main.ts`): see start.ts for what it does, config.ts for
 * its options. Exit codes: 0 after Ctrl-C or SIGTERM, 1 when something failed (the message says
 * what), 2 on bad options.
 */
import path from "node:path";
import { USAGE, parseLauncherConfig } from "./config";
import { killAllChildren } from "./child-process";
import { ConsoleLog } from "./console-log";
import { launch } from "./start";

const ROOT = path.resolve(__dirname, "..", "..");

async function main(): Promise<number> {
  const parsed = parseLauncherConfig({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() });
  if (parsed.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === "error") {
    console.error(`npm start: ${parsed.message}\n\n${USAGE}`);
    return 2;
  }
  const log = new ConsoleLog({ level: parsed.config.logLevel === "silent" ? "warn" : "info" });
  const running = launch({ config: parsed.config, root: ROOT, log });

  // One Ctrl-C reaches the launcher more than once: from the terminal (the whole foreground process
  // group) and relayed by the wrappers above it (npm, tsx). Repeats within a moment are that one
  // press; a second press after it kills everything at once.
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt < 1_500) return;
    if (firstSignalAt !== undefined) {
      log.warn("launcher", `${signal} again: killing everything now`);
      killAllChildren();
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void running.stop(`${signal}; press Ctrl-C again to kill everything at once`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  // Whatever happens to the launcher, its children must not outlive it.
  process.on("exit", killAllChildren);
  process.on("uncaughtException", (err) => {
    log.error("launcher", `unexpected error: ${err.stack ?? err.message}`);
    void running.stop("an unexpected error", 1);
  });
  return running.done;
}

main().then((code) => process.exit(code));
