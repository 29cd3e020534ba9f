/**
 * The compile benchmark: parse + check + plan of every built-in template against a realistic
 * dataset (40 days of readings every 5 minutes with their timestamps, k = 12), as the server and
 * the worker do for each run. `npm run bench:recipes` prints it; the worker's benchmark imports it.
 */
import { check } from "../src/checker";
import { plan, type PlanDataset } from "../src/planner";
import { listTemplates } from "./index";

/** Input of {@link benchmarkCompile}. */
export interface BenchmarkCompileOptions {
  /** Measured compilations per template (default 200). */
  readonly rounds?: number;
  /** Unmeasured compilations per template first, to warm the JIT (default 50). */
  readonly warmup?: number;
}

/** Timings in milliseconds of one template's compilation. */
export interface CompileTiming {
  readonly template: string;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** What {@link benchmarkCompile} measured. */
export interface CompileBenchmark {
  readonly templates: number;
  /** Compilations measured (templates × rounds). */
  readonly samples: number;
  /** Readings of the dataset each plan searches. */
  readonly readings: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly perTemplate: readonly CompileTiming[];
}

const READINGS = 40 * 24 * 12;
const NOW = 1_800_000_000;

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** Measures parse + check + plan over the built-in templates. */
export function benchmarkCompile({ rounds = 200, warmup = 50 }: BenchmarkCompileOptions = {}): CompileBenchmark {
  const timestamps = Array.from({ length: READINGS }, (_, i) => NOW - (READINGS - 1 - i) * 300);
  const jobs = listTemplates().map((template) => {
    const { field, unit, scale, offset } = template.example;
    const dataset: PlanDataset = { id: 1n, scale, offset, k: 12, readingCount: READINGS, timestamps, unit };
    const compile = () => {
      const checked = check({ source: template.source, dataset: { field, unit, scale, offset, k: 12 } });
      if (!checked.ok) throw new Error(`template ${template.id} does not check`);
      const planned = plan({ ir: checked.ir, dataset, now: NOW, previousReportEnd: READINGS - 600 });
      if (!planned.ok) throw new Error(`template ${template.id} does not plan: ${planned.error.message}`);
    };
    return { id: template.id, compile, samples: [] as number[] };
  });
  // Round-robin over the templates, as a server sees them, after warming every code path.
  for (let i = 0; i < warmup; i++) for (const job of jobs) job.compile();
  for (let i = 0; i < rounds; i++) {
    for (const job of jobs) {
      const start = performance.now();
      job.compile();
      job.samples.push(performance.now() - start);
    }
  }
  const all = jobs.flatMap((j) => j.samples).sort((a, b) => a - b);
  const perTemplate = jobs.map((job) => {
    const sorted = [...job.samples].sort((a, b) => a - b);
    return { template: job.id, medianMs: round3(percentile(sorted, 50)), p99Ms: round3(percentile(sorted, 99)) };
  });
  return {
    templates: jobs.length,
    samples: all.length,
    readings: READINGS,
    medianMs: round3(percentile(all, 50)),
    p99Ms: round3(percentile(all, 99)),
    maxMs: round3(all[all.length - 1]),
    perTemplate,
  };
}

/** What {@link benchmarkWorstCheck} measured for one length. */
export interface WorstCheckTiming {
  readonly characters: number;
  /** Median of the measured checks. */
  readonly ms: number;
  readonly msPerCharacter: number;
}

/**
 * The check of the worst text for its length — a window line, then nothing but nested unclosed
 * calls (`mean(mean(mean(…`) — at each of `lengths` characters, the median of `rounds` checks after
 * one unmeasured: what one anonymous request to the service's checker can cost its event loop.
 */
export function benchmarkWorstCheck({ lengths = [4_096, 65_536], rounds = 5 }: { lengths?: readonly number[]; rounds?: number } = {}): WorstCheckTiming[] {
  const head = 'from "your-dataset" window last 24h\n\n';
  const dataset = { field: "temperature", unit: "°C", scale: 2, offset: -5000, k: 12 };
  return lengths.map((characters) => {
    const source = head + "mean(".repeat(Math.ceil(characters / 5)).slice(0, characters - head.length);
    check({ source, dataset });
    const samples = Array.from({ length: rounds }, () => {
      const start = performance.now();
      check({ source, dataset });
      return performance.now() - start;
    }).sort((a, b) => a - b);
    const ms = percentile(samples, 50);
    return { characters, ms: round3(ms), msPerCharacter: Math.round((ms / characters) * 10_000) / 10_000 };
  });
}
