import { canonicalDecimal, check, forkRecipe, type Diagnostic, type RecipeAst } from "../../../recipes/src/index";
import type { RecipeDiagnostic, RecipeParamDeclaration, RecipeTooling } from "./recipe-tooling";

/** The recipe tooling backed by the recipes/ package: its checker and its `forkRecipe`. */
export const recipesPackageTooling: RecipeTooling = {
  check(source) {
    const result = check({ source });
    return { ok: result.ok, diagnostics: result.diagnostics.map(toDiagnostic), params: declarationsOf(result.ast) };
  },

  fork({ source, params, dataset }) {
    const result = forkRecipe({ source, params, ...(dataset !== undefined && { dataset }) });
    return result.ok ? { ok: true, source: result.source } : { ok: false, diagnostics: result.diagnostics.map(toDiagnostic) };
  },
};

function declarationsOf(ast: RecipeAst): RecipeParamDeclaration[] {
  return ast.statements.flatMap((statement) =>
    statement.type === "param"
      ? [
          {
            name: statement.name.name,
            default: canonicalDecimal(statement.value.text) ?? statement.value.text,
            ...(statement.description && { description: statement.description.value }),
          },
        ]
      : [],
  );
}

function toDiagnostic(d: Diagnostic): RecipeDiagnostic {
  return { line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn, message: d.message, severity: d.severity, code: d.code };
}
