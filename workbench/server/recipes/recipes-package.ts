import {
  canonicalDecimal,
  check,
  checkApprovals,
  forkRecipe,
  kindsFromMask,
  plan,
  PlanSchema,
  planToJSON,
  quoteRun,
  relayerGas,
  requiredKinds,
  type DatasetContext,
  type Diagnostic,
  type RecipeAst,
  type RecipeIR,
} from "@iotdm/recipes";
import type { RecipeDataset, RecipeDiagnostic, RecipeParamDeclaration, RecipePlan, RecipeTooling } from "./recipe-tooling";

/** The recipe tooling backed by the recipes/ package: its checker, planner and `forkRecipe`. */
export const recipesPackageTooling: RecipeTooling = {
  check(source) {
    const result = check({ source });
    return { ok: result.ok, diagnostics: result.diagnostics.map(toDiagnostic), params: declarationsOf(result.ast) };
  },

  fork({ source, params, dataset, field }) {
    const result = forkRecipe({ source, params, ...(dataset !== undefined && { dataset }), ...(field !== undefined && { field }) });
    return result.ok ? { ok: true, source: result.source } : { ok: false, diagnostics: result.diagnostics.map(toDiagnostic) };
  },

  analyze({ source, params, dataset }) {
    // Checked without the approvals first, so that the kinds it needs are known either way.
    const result = check({ source, ...(params && { params }), ...(dataset && { dataset: contextOf(dataset) }) });
    const declared = declarationsOf(result.ast);
    if (!result.ok) {
      return { ok: false, diagnostics: result.diagnostics.map(toDiagnostic), params: declared, requiredKinds: [], missingKinds: dataset ? [] : null };
    }
    const kinds = requiredKinds(result.ir);
    if (!dataset) return { ok: true, diagnostics: result.diagnostics.map(toDiagnostic), params: declared, requiredKinds: kinds, missingKinds: null };
    const approved = kindsFromMask(dataset.approvedMask);
    const approvals = checkApprovals({ ir: result.ir, approvedKinds: approved });
    const diagnostics = [...result.diagnostics, ...approvals].sort((a, b) => a.line - b.line || a.column - b.column);
    return {
      ok: approvals.length === 0,
      diagnostics: diagnostics.map(toDiagnostic),
      params: declared,
      requiredKinds: kinds,
      missingKinds: kinds.filter((kind) => !approved.includes(kind)),
    };
  },

  plan({ source, params, dataset, now, window, privacySpent, scheduled }) {
    const checked = check({ source, ...(params && { params }), dataset: contextOf(dataset) });
    if (!checked.ok) return { ok: false, problem: "recipe", diagnostics: checked.diagnostics.map(toDiagnostic) };
    const base = {
      id: dataset.id,
      scale: dataset.scale,
      offset: BigInt(dataset.offset),
      k: dataset.k,
      unit: dataset.unit,
      ...(dataset.privacy && { privacy: dataset.privacy }),
      ...(dataset.rollups && { rollups: dataset.rollups }),
    };
    const budget = { ...(privacySpent !== undefined && { privacySpent }), ...(scheduled !== undefined && { scheduled }) };
    const planned = window
      ? // Exactly the signed window: the readings after `fromIndex` up to `toIndex`, which the
        // planner's "since last report" resolution yields unchanged when both ends are aligned to k.
        plan({
          ir: { ...checked.ir, window: { type: "sinceLastReport" } } satisfies RecipeIR,
          dataset: { ...base, readingCount: window.toIndex, ...(dataset.timestamps && { timestamps: dataset.timestamps.slice(0, window.toIndex) }) },
          now,
          previousReportEnd: window.fromIndex,
          ...budget,
        })
      : plan({ ir: checked.ir, dataset: { ...base, readingCount: dataset.readingCount, ...(dataset.timestamps && { timestamps: dataset.timestamps }) }, now, ...budget });
    if (!planned.ok) return { ok: false, problem: "plan", code: planned.error.code, message: planned.error.message };
    const json = planToJSON(planned.plan) as unknown as RecipePlan["json"] & Omit<RecipePlan, "json">;
    return {
      ok: true,
      requiredKinds: requiredKinds(checked.ir),
      plan: {
        datasetId: json.datasetId,
        programHash: json.programHash,
        window: json.window,
        ops: json.ops,
        steps: json.steps,
        totalHcu: json.totalHcu,
        notes: json.notes,
        json,
        privacy: (json.privacy as RecipePlan["privacy"] | undefined) ?? null,
      },
    };
  },

  quote({ plan: recipePlan, programStored, ledgerUsed, gasPriceWei, sellerWei }) {
    const planned = PlanSchema.parse(recipePlan.json);
    const gas = relayerGas({
      ops: planned.ops,
      steps: planned.steps,
      rolledUp: planned.rolledUp,
      programStored,
      ...(planned.privacy && { privacy: { lowerBound: planned.privacy.lowerBound, upperBound: planned.privacy.upperBound, ledger: ledgerUsed ? "used" : "fresh" } }),
    });
    const quote = quoteRun({ gas: gas.total, gasPriceWei, sellerWei });
    return {
      gasPriceWei: quote.gasPriceWei.toString(),
      relayerGas: quote.relayerGas.toString(),
      relayerWei: quote.relayerWei.toString(),
      sellerWei: quote.sellerWei.toString(),
      totalWei: quote.totalWei.toString(),
    };
  },
};

function contextOf(dataset: RecipeDataset): DatasetContext {
  return {
    field: dataset.field,
    unit: dataset.unit,
    scale: dataset.scale,
    offset: BigInt(dataset.offset),
    k: dataset.k,
    ...(dataset.privacy && { privacy: dataset.privacy }),
  };
}

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
