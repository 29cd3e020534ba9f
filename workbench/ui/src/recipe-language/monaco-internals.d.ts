// Monaco's own Monarch compiler and tokenizer (not part of its public typings), used by the
// node-side token tests to tokenize exactly as the editor does.
declare module "monaco-editor/editor/standalone/common/monarch/monarchCompile" {
  export function compile(languageId: string, json: unknown): unknown;
}
declare module "monaco-editor/editor/standalone/common/monarch/monarchLexer" {
  export class MonarchTokenizer {
    constructor(languageService: unknown, standaloneThemeService: unknown, languageId: string, lexer: unknown, configurationService: unknown);
    getInitialState(): unknown;
    tokenize(line: string, hasEOL: boolean, state: unknown): { tokens: { offset: number; type: string }[]; endState: unknown };
  }
}
