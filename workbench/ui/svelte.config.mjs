/** Svelte compiler options of the workbench UI: runes everywhere. */
export default {
  compilerOptions: { runes: true },
};
