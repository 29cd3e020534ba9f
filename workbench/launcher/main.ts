/**
 * `npm start` (= `tsx workbench/launcher/main.ts`): see start.ts for what it does, config.ts for
 * its options. Exit codes: 0 after Ctrl-C or SIGTERM, 1 when something failed (the message says
 * what), 2 on bad options. `main.ts prepare | exec | devices` are the Compose services' commands
 * (compose-commands.ts).
 */
import path from "node:path";
import { USAGE, parseLauncherConfig } from "./config";
import { killAllChildren } from "./child-process";
import { ConsoleLog } from "./console-log";
import { execWithDeployment, prepare, runDevices } from "./compose-commands";
import { LauncherError } from "./launcher-error";
import { launch } from "./start";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** The Compose subcommands (compose-commands.ts); none means `npm start`. */
const SUBCOMMANDS = ["prepare", "exec", "devices"] as const;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const subcommand = SUBCOMMANDS.find((name) => name === argv[0]);
  if (subcommand) return runSubcommand(subcommand, argv.slice(1));

  const parsed = parseLauncherConfig({ argv, env: process.env, cwd: process.cwd() });
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

/** `main.ts prepare | devices | exec [--relayer] -- <command…>`, for Docker Compose. */
async function runSubcommand(name: (typeof SUBCOMMANDS)[number], rest: string[]): Promise<number> {
  const separator = rest.indexOf("--");
  const command = name === "exec" ? rest.slice(separator + 1) : [];
  const flags = separator < 0 ? rest : rest.slice(0, separator);
  const relayer = name === "exec" && flags.includes("--relayer");
  const badFlags = flags.filter((flag) => !(relayer && flag === "--relayer"));
  if ((name === "exec" && separator < 0) || badFlags.length > 0) {
    console.error(`usage: main.ts prepare | main.ts devices | main.ts exec [--relayer] -- <command> [args…]`);
    return 2;
  }
  const parsed = parseLauncherConfig({ argv: [], env: process.env, cwd: process.cwd() });
  if (parsed.kind !== "start") {
    console.error(`${name}: ${parsed.kind === "error" ? parsed.message : "no options"}`);
    return 2;
  }
  const log = new ConsoleLog({ level: parsed.config.logLevel === "silent" ? "warn" : "info" });
  try {
    if (name === "prepare") return await prepare({ config: parsed.config, log });
    if (name === "exec") return await execWithDeployment({ config: parsed.config, command, relayer, log });
    const stop = new AbortController();
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
    return await runDevices({ config: parsed.config, log, signal: stop.signal, root: ROOT });
  } catch (err) {
    log.error(name, err instanceof LauncherError ? err.message : ((err as Error).stack ?? String(err)));
    return 1;
  }
}

main().then((code) => process.exit(code));
