import { ERRORS } from "../server/errors";

/**
 * The error registry as the Markdown table in workbench/README.md (a test keeps the two equal).
 * Run `npx tsx workbench/scripts/print-error-table.ts` and paste its output after a registry change.
 */
export function renderErrorTable(): string {
  const rows = Object.entries(ERRORS).map(([code, { status, message }]) => `| \`${code}\` | ${status} | ${message.replace(/\|/g, "\\|")} |`);
  return ["| code | status | message |", "| --- | --- | --- |", ...rows].join("\n");
}

if (process.argv[1] === import.meta.filename) console.log(renderErrorTable());
