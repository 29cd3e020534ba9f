/**
 * `npm run bench:recipes [-- --json]`: parse + check + plan time of the built-in recipe templates
 * (target: under 5 ms), and the check of the worst text (nested unclosed calls) at the anonymous
 * checker's 4,096 characters and a notebook cell's 65,536 (JSON `worstCheck`). Prints a table, or
 * one JSON document with --json.
 */
import { benchmarkCompile, benchmarkWorstCheck } from "@iotdm/recipes";

const COMPILE_TARGET_MS = 5;

function main(): void {
  const json = process.argv.includes("--json");
  const result = benchmarkCompile();
  const worstCheck = benchmarkWorstCheck();
  if (json) {
    process.stdout.write(`${JSON.stringify({ benchmark: "recipes-compile", targetMs: COMPILE_TARGET_MS, node: process.version, ...result, worstCheck }, null, 2)}\n`);
    return;
  }
  const pad = (text: string, width: number) => text.padEnd(width);
  console.log(`Recipe compile (parse + check + plan), ${result.templates} templates × ${result.samples / result.templates} rounds, dataset of ${result.readings.toLocaleString("en-US")} readings`);
  console.log(`${pad("template", 26)}${pad("median ms", 12)}p99 ms`);
  for (const t of result.perTemplate) console.log(`${pad(t.template, 26)}${pad(t.medianMs.toFixed(3), 12)}${t.p99Ms.toFixed(3)}`);
  console.log(`${pad("all", 26)}${pad(result.medianMs.toFixed(3), 12)}${result.p99Ms.toFixed(3)}   (max ${result.maxMs.toFixed(3)} ms)`);
  console.log(`target < ${COMPILE_TARGET_MS} ms: ${result.p99Ms < COMPILE_TARGET_MS ? "met" : "NOT met"} (p99)`);
  for (const w of worstCheck) console.log(`worst text (nested unclosed calls), ${w.characters.toLocaleString("en-US")} characters: ${w.ms.toFixed(1)} ms (${w.msPerCharacter} ms per character)`);
}

main();
