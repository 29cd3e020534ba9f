/**
 * The recipe language: catalogue, parser, checker, typed IR and formatter.
 * Pure TypeScript for Node and the browser; imports nothing else of this repository.
 */
export * from "./catalogue";
export * from "./diagnostics";
export type * from "./ast";
export { parse, type ParseResult } from "./parser";
export { lex, type LexResult } from "./lexer";
export {
  check,
  checkApprovals,
  requiredKinds,
  type CheckApprovalsOptions,
  type CheckOptions,
  type CheckResult,
  type DatasetContext,
  type ParamOverrides,
} from "./checker";
export * from "./ir";
export { format, type FormatResult } from "./formatter";
export * from "./decimal";
export { parseDateTime, formatUnixTime } from "./time";
