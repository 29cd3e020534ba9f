/**
 * The worker and the service run as plain Node processes from esbuild bundles, exactly as
 * `npm run worker` and `npm run workbench` run them (dependencies stay external). tsx cannot load
 * them directly: recipes/ uses chevrotain, an ES module whose helpers export only `import`, from
 * CommonJS. Bundling takes about a second each.
 */
import path from "node:path";
import { build, stop } from "esbuild";

/** Stops esbuild's helper process (the JS API keeps one running for the next build). */
export function stopBundler(): void {
  void stop();
}

/** Bundles `entry` (relative to `root`) to `outfile` as the npm scripts do; returns `outfile`. */
export async function bundleEntry(options: { root: string; entry: string; outfile: string }): Promise<string> {
  const outfile = path.resolve(options.root, options.outfile);
  await build({
    entryPoints: [path.join(options.root, options.entry)],
    bundle: true,
    platform: "node",
    target: "node20",
    packages: "external",
    format: "cjs",
    sourcemap: true,
    logLevel: "silent",
    outfile,
  });
  return outfile;
}
