/**
 * A problem `npm start` explains to the person who ran it (a busy port, no Redis, a bad variable):
 * printed as its message alone, without a stack trace, and the launcher exits with code 1.
 */
export class LauncherError extends Error {
  override readonly name = "LauncherError";
}
