/**
 * The repository's parts keep their boundaries (README, "Layout"). Each part is an npm workspace
 * (the root package.json's `workspaces`) whose package.json `exports` are its public entries, and:
 *
 * - a relative import never leaves its part: another part is imported by its package name;
 * - a part imports only the parts its package.json depends on, and only their exported entries
 *   (hardhat.config.ts and the contracts' Hardhat tests belong to the root package; a Hardhat benchmark,
 *   which `hardhat test` loads as one of them, may use their support);
 * - there is no import cycle between parts, nor between the top folders of a part (such as
 *   workbench/demo and workbench/simulator). Tests and their fixtures only consume, so their imports
 *   are held to the first two rules but do not count as cycles;
 * - the workbench's own code reaches the worker through `@iotdm/worker/queues` alone: it enqueues,
 *   it never runs jobs (DESIGN.md).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");
/** The npm scope of the parts' packages. */
const SCOPE = "@iotdm/";

/** A part: a workspace package, or the root package for what lies in none. */
interface Part {
  /** Its folder, relative to the repository's root ("." for the root package). */
  dir: string;
  name: string;
  /** The parts it may import, by package name. */
  dependencies: readonly string[];
  /** Subpath ("." or "./x") → file, relative to `dir`. */
  exports: Readonly<Record<string, string>>;
}

/** One import that breaks a rule, said the way a reviewer would. */
type Violation = string;

interface Layout {
  parts: readonly Part[];
  /** Source text by path relative to the root. */
  files: ReadonlyMap<string, string>;
}

const isTest = (file: string) => /(^|\/)test\/|\.(test|journey)\.ts$/.test(file);

/**
 * A Hardhat benchmark (bench/*.ts calling runHardhatBenchmark) is loaded by `hardhat test` as one of the root's
 * Hardhat tests, so it may share their support (contracts/test/…) instead of copying it: the quote measured by
 * bench:contracts is the one quote.test holds within its band. Nothing else may reach into that folder.
 */
function isHardhatBenchmarkUsingTestSupport(file: string, text: string, target: string): boolean {
  return /^bench\/[^/]+\.ts$/.test(file) && text.includes("runHardhatBenchmark(") && target.startsWith("contracts/test/");
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as Record<string, unknown>;
}

function partFromManifest(dir: string): Part {
  const manifest = readJson(path.join(dir, "package.json"));
  const declared = { ...(manifest.dependencies as object), ...(manifest.devDependencies as object) };
  const exports = manifest.exports ?? {};
  return {
    dir,
    name: manifest.name as string,
    dependencies: Object.keys(declared).filter((name) => name.startsWith(SCOPE)),
    exports: typeof exports === "string" ? { ".": exports } : (exports as Record<string, string>),
  };
}

/** The workspaces of the root package.json, then the root package itself. */
function readParts(): Part[] {
  const workspaces = readJson("package.json").workspaces as string[];
  return [...workspaces.map(partFromManifest), partFromManifest(".")];
}

/** Every TypeScript and Svelte source of the repository that git knows of (ignored files aside). */
function readSources(): Map<string, string> {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  const files = new Map<string, string>();
  for (const file of listed.split("\n")) {
    if (/\.(ts|mts|svelte)$/.test(file) && existsSync(path.join(ROOT, file))) files.set(file, readFileSync(path.join(ROOT, file), "utf8"));
  }
  return files;
}

/** The module specifiers a source imports (static, dynamic, re-exports, type-only, require). */
function specifiersOf(file: string, text: string): string[] {
  const code = file.endsWith(".svelte") ? [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join("\n") : text;
  return ts.preProcessFile(code, true, true).importedFiles.map((imported) => imported.fileName);
}

function partOf(parts: readonly Part[], file: string): Part {
  const owners = parts.filter((part) => part.dir !== "." && (file === part.dir || file.startsWith(`${part.dir}/`)));
  return owners.sort((a, b) => b.dir.length - a.dir.length)[0] ?? parts.find((part) => part.dir === ".")!;
}

/** A part's top folder holding `file` (the part's own folder for a file at its top). */
function unitOf(parts: readonly Part[], file: string): string {
  const part = partOf(parts, file);
  const inside = part.dir === "." ? file : file.slice(part.dir.length + 1);
  const top = inside.includes("/") ? inside.slice(0, inside.indexOf("/")) : "";
  return top ? path.posix.join(part.dir, top) : part.dir;
}

/** The file a relative specifier names, when it exists (extensionless and folder imports too). */
function resolveRelative(files: ReadonlyMap<string, string>, from: string, specifier: string): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier.replace(/\?.*$/, "")));
  const candidates = [target, `${target}.ts`, `${target}.mts`, `${target}/index.ts`];
  return candidates.find((candidate) => files.has(candidate)) ?? (isFolder(target) ? `${target}/index.ts` : target);
}

function isFolder(file: string): boolean {
  try {
    return statSync(path.join(ROOT, file)).isDirectory();
  } catch {
    return false;
  }
}

/** An import of one of our packages: the part and the entry's file, or why it is not one. */
function resolvePackage(parts: readonly Part[], specifier: string): { part: Part; file: string } | { error: string } | undefined {
  if (!specifier.startsWith(SCOPE)) return undefined;
  const [scope, name, ...rest] = specifier.split("/");
  const part = parts.find((candidate) => candidate.name === `${scope}/${name}`);
  if (!part) return { error: `no part is named ${scope}/${name}` };
  const subpath = rest.length ? `./${rest.join("/")}` : ".";
  const entry = part.exports[subpath];
  if (!entry) return { error: `${part.name} does not export "${subpath}" (its entries: ${Object.keys(part.exports).join(", ") || "none"})` };
  return { part, file: path.posix.join(part.dir, entry) };
}

/** Each import's target file, with the rules of the header applied to every import. */
function analyse(layout: Layout): { violations: Violation[]; edges: { from: string; to: string; file: string }[] } {
  const { parts, files } = layout;
  const violations: Violation[] = [];
  const edges: { from: string; to: string; file: string }[] = [];
  for (const [file, text] of files) {
    const part = partOf(parts, file);
    for (const specifier of specifiersOf(file, text)) {
      let target: string;
      if (specifier.startsWith(".")) {
        target = resolveRelative(files, file, specifier);
        const owner = partOf(parts, target);
        if (owner !== part && !isHardhatBenchmarkUsingTestSupport(file, text, target)) violations.push(`${file}: "${specifier}" reaches into ${owner.name} by a relative path; import its package's entry instead`);
      } else {
        const resolved = resolvePackage(parts, specifier);
        if (!resolved) continue;
        if ("error" in resolved) {
          violations.push(`${file}: "${specifier}": ${resolved.error}`);
          continue;
        }
        if (resolved.part === part) violations.push(`${file}: "${specifier}" is its own package; import the module by a relative path`);
        else if (!part.dependencies.includes(resolved.part.name)) violations.push(`${file}: "${specifier}": ${part.name} does not depend on ${resolved.part.name} (package.json)`);
        target = resolved.file;
      }
      if (!isTest(file)) edges.push({ from: unitOf(parts, file), to: unitOf(parts, target), file: `${file} → ${specifier}` });
    }
  }
  return { violations, edges };
}

/** The import cycles among units (strongly connected components of more than one), each with the imports that close it. */
function cyclesOf(edges: readonly { from: string; to: string; file: string }[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) if (from !== to) next.set(from, (next.get(from) ?? new Set()).add(to));
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (unit: string) => {
    index.set(unit, index.size);
    low.set(unit, index.get(unit)!);
    stack.push(unit);
    for (const to of next.get(unit) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(unit, Math.min(low.get(unit)!, low.get(to)!));
      } else if (stack.includes(to)) low.set(unit, Math.min(low.get(unit)!, index.get(to)!));
    }
    if (low.get(unit) === index.get(unit)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== unit);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const unit of next.keys()) if (!index.has(unit)) visit(unit);
  return components.map((component) => [
    component.join(" ⇄ "),
    ...edges.filter((edge) => edge.from !== edge.to && component.includes(edge.from) && component.includes(edge.to)).map((edge) => `  ${edge.file}`),
  ]);
}

describe("the checks themselves", () => {
  const parts: Part[] = [
    { dir: "recipes", name: "@iotdm/recipes", dependencies: [], exports: { ".": "./index.ts" } },
    { dir: "worker", name: "@iotdm/worker", dependencies: ["@iotdm/recipes"], exports: { "./queues": "./src/queues.ts" } },
    { dir: ".", name: "root", dependencies: [], exports: {} },
  ];

  it("report a relative import into another part, an undeclared part and an entry that is not exported", () => {
    const files = new Map([
      ["recipes/index.ts", ""],
      ["recipes/src/a.ts", 'import { x } from "../../worker/src/queues";\nimport type { Y } from "@iotdm/worker/queues";'],
      ["worker/src/queues.ts", 'export * from "@iotdm/recipes/src/parser";'],
    ]);
    expect(analyse({ parts, files }).violations).toEqual([
      'recipes/src/a.ts: "../../worker/src/queues" reaches into @iotdm/worker by a relative path; import its package\'s entry instead',
      'recipes/src/a.ts: "@iotdm/worker/queues": @iotdm/recipes does not depend on @iotdm/worker (package.json)',
      'worker/src/queues.ts: "@iotdm/recipes/src/parser": @iotdm/recipes does not export "./src/parser" (its entries: .)',
    ]);
  });

  it("let a Hardhat benchmark use the contracts' Hardhat test support, and nothing else reach into it", () => {
    const withBench: Part[] = [...parts.slice(0, 2), { dir: "bench", name: "@iotdm/bench", dependencies: [], exports: {} }, parts[2]!];
    const files = new Map([
      ["contracts/test/support.ts", ""],
      ["bench/contracts.ts", 'import { m } from "../contracts/test/support";\nrunHardhatBenchmark({});'],
      ["bench/api.ts", 'import { m } from "../contracts/test/support";'],
      ["recipes/src/a.ts", 'import { m } from "../../contracts/test/support";\nrunHardhatBenchmark({});'],
    ]);
    expect(analyse({ parts: withBench, files }).violations).toEqual([
      'bench/api.ts: "../contracts/test/support" reaches into root by a relative path; import its package\'s entry instead',
      'recipes/src/a.ts: "../../contracts/test/support" reaches into root by a relative path; import its package\'s entry instead',
    ]);
  });

  it("find a cycle between two folders of a part, and leave tests out of it", () => {
    const files = new Map([
      ["recipes/index.ts", 'export * from "./src/a";'],
      ["recipes/src/a.ts", 'import { b } from "../library/b";'],
      ["recipes/library/b.ts", 'import { a } from "../src/a";'],
      ["recipes/src/a.test.ts", 'import { b } from "../library/b";'],
    ]);
    expect(cyclesOf(analyse({ parts, files }).edges)).toEqual([
      ["recipes/library ⇄ recipes/src", "  recipes/src/a.ts → ../library/b", "  recipes/library/b.ts → ../src/a"],
    ]);
    files.set("recipes/library/b.ts", "");
    expect(cyclesOf(analyse({ parts, files }).edges)).toEqual([]);
  });
});

describe("the repository's parts", () => {
  const parts = readParts();
  const files = readSources();
  const { violations, edges } = analyse({ parts, files });

  it("are npm workspaces of ES modules whose package.json exports name files that exist", () => {
    for (const part of parts.filter((p) => p.dir !== ".")) {
      expect(part.name, part.dir).toMatch(new RegExp(`^${SCOPE}`));
      expect(readJson(path.join(part.dir, "package.json")).type, part.dir).toBe("module");
      for (const [subpath, file] of Object.entries(part.exports)) expect(existsSync(path.join(ROOT, part.dir, file)), `${part.name} ${subpath}`).toBe(true);
    }
  });

  it("import each other only by package name, through exported entries, as their package.json declares", () => {
    expect(violations).toEqual([]);
  });

  it("have no import cycle between them, nor between the top folders of one", () => {
    expect(cyclesOf(edges)).toEqual([]);
  });

  it("keep the workbench's own code to the worker's producer API", () => {
    const reached = [...files]
      .filter(([file]) => file.startsWith("workbench/") && !isTest(file))
      .flatMap(([file, text]) => specifiersOf(file, text).filter((s) => s.startsWith("@iotdm/worker") && s !== "@iotdm/worker/queues").map((s) => `${file}: ${s}`));
    expect(reached).toEqual([]);
  });
});
