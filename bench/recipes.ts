/**
 * `npm run bench:recipes [-- --json]`: parse + check + plan time of the built-in recipe templates
 * (target: under 5 ms). Prints a table, or one JSON document with --json.
 */
import { benchmarkCompile } from "@iotdm/recipes";

const COMPILE_TARGET_MS = 5;

function main(): void {
  const json = process.argv.includes("--json");
  const result = benchmarkCompile();
  if (json) {
    process.stdout.write(`${JSON.stringify({ benchmark: "recipes-compile", targetMs: COMPILE_TARGET_MS, node: process.version, ...result }, null, 2)}\n`);
    return;
  }
  const pad = (text: string, width: number) => text.padEnd(width);
  console.log(`Recipe compile (parse + check + plan), ${result.templates} templates × ${result.samples / result.templates} rounds, dataset of ${result.readings.toLocaleString("en-US")} readings`);
  console.log(`${pad("template", 26)}${pad("median ms", 12)}p99 ms`);
  for (const t of result.perTemplate) console.log(`${pad(t.template, 26)}${pad(t.medianMs.toFixed(3), 12)}${t.p99Ms.toFixed(3)}`);
  console.log(`${pad("all", 26)}${pad(result.medianMs.toFixed(3), 12)}${result.p99Ms.toFixed(3)}   (max ${result.maxMs.toFixed(3)} ms)`);
  console.log(`target < ${COMPILE_TARGET_MS} ms: ${result.p99Ms < COMPILE_TARGET_MS ? "met" : "NOT met"} (p99)`);
}

main();
