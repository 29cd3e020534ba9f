import { canonicalDecimal, check, type Diagnostic, type RecipeAst } from "../../../recipes/src/index";
import type { RecipeDiagnostic, RecipeFork, RecipeParamDeclaration, RecipeTooling, SourceSpan } from "./recipe-tooling";

/**
 * The recipe tooling backed by the recipes/ package's checker.
 * (recipes/ is writing a `forkRecipe` of its own that also reformats and can switch the dataset;
 * `fork` here should delegate to it once the package exports it.)
 */
export const recipesPackageTooling: RecipeTooling = {
  check(source) {
    const result = check({ source });
    return { ok: result.ok, diagnostics: result.diagnostics.map(toDiagnostic), params: declarationsOf(result.ast) };
  },

  fork(source, params): RecipeFork {
    const result = check({ source, params });
    if (!result.ok) return { ok: false, diagnostics: result.diagnostics.map(toDiagnostic) };
    const edits = result.ast.statements.flatMap((statement) =>
      statement.type === "param" && Object.hasOwn(params, statement.name.name)
        ? [{ span: statement.value.span, text: canonicalDecimal(params[statement.name.name]!.trim())! }]
        : [],
    );
    return { ok: true, source: applyEdits(source, edits) };
  },
};

function declarationsOf(ast: RecipeAst): RecipeParamDeclaration[] {
  return ast.statements.flatMap((statement) =>
    statement.type === "param"
      ? [
          {
            name: statement.name.name,
            default: statement.value.text,
            ...(statement.description && { description: statement.description.value }),
          },
        ]
      : [],
  );
}

function toDiagnostic(d: Diagnostic): RecipeDiagnostic {
  return { line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn, message: d.message, severity: d.severity, code: d.code };
}

/** Applies non-overlapping replacements at 1-based spans, last first so earlier offsets stay valid. */
function applyEdits(source: string, edits: readonly { span: SourceSpan; text: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") lineStarts.push(i + 1);
  const offset = (line: number, column: number) => lineStarts[line - 1]! + column - 1;
  let out = source;
  for (const edit of [...edits].sort((a, b) => offset(b.span.line, b.span.column) - offset(a.span.line, a.span.column))) {
    out = out.slice(0, offset(edit.span.line, edit.span.column)) + edit.text + out.slice(offset(edit.span.endLine, edit.span.endColumn));
  }
  return out;
}
