import path from "node:path";
import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");

/**
 * The workbench UI: a Svelte 5 single-page app with Monaco, built to workbench/ui/dist, which the
 * workbench service serves in production (UI_DIR). `npm run dev:ui` serves it on :5173 and proxies
 * /api to a service on :8787 (start that one with PUBLIC_ORIGINS=http://localhost:5173 so that the
 * sign-in message's origin is accepted).
 */
export default defineConfig({
  root: here,
  base: "/",
  plugins: [svelte()],
  resolve: {
    alias: [
      // @fhevm/mock-utils imports the relayer SDK's Node entry, which reads files with `fs`; the
      // browser entry has the same exports (TOOLCHAIN.md).
      { find: /^@zama-fhe\/relayer-sdk\/node$/, replacement: "@zama-fhe/relayer-sdk/web" },
    ],
  },
  server: {
    port: 5173,
    strictPort: true,
    // recipes/ and contracts/client/ live outside this folder.
    fs: { allow: [repo] },
    proxy: { "/api": { target: process.env.WORKBENCH_API ?? "http://127.0.0.1:8787" } },
  },
  preview: { port: 4173 },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // Monaco's core is one large chunk, loaded only with the first editor.
    chunkSizeWarningLimit: 4_000,
  },
});
