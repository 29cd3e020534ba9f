/**
 * The library of built-in recipe templates: list them, look one up, fork one onto a dataset with
 * parameter values. A template's parameters and the recipe kinds it needs are read from its
 * source, so they cannot disagree with it.
 */
import { check, requiredKinds, type ParamOverrides } from "../src/checker";
import type { RecipeKindName } from "../src/catalogue";
import { forkRecipe, type ForkResult } from "../src/fork";
import type { RecipeIR } from "../src/ir";
import { TEMPLATE_DEFINITIONS, type TemplateDefinition } from "./templates";

export type { TemplateDefinition, TemplateExample } from "./templates";

/** A template parameter, as declared in the template's source. */
export interface TemplateParam {
  readonly name: string;
  /** The default value, a canonical decimal. */
  readonly default: string;
  readonly description?: string;
}

/** A built-in template with what its source declares. */
export interface Template extends TemplateDefinition {
  readonly params: readonly TemplateParam[];
  /** The recipe kinds a seller must approve for it to run. */
  readonly kinds: readonly RecipeKindName[];
  /** The checked recipe with its default parameters. */
  readonly ir: RecipeIR;
}

let templates: readonly Template[] | undefined;

function build(definition: TemplateDefinition): Template {
  const checked = check({ source: definition.source });
  if (!checked.ok) {
    throw new Error(`built-in template '${definition.id}' does not check: ${checked.diagnostics.map((d) => d.message).join("; ")}`);
  }
  const params = checked.ir.params.map(({ name, default: value, description }) => ({
    name,
    default: value,
    ...(description === undefined ? {} : { description }),
  }));
  return { ...definition, params, kinds: requiredKinds(checked.ir), ir: checked.ir };
}

/** Every built-in template, in display order. */
export function listTemplates(): readonly Template[] {
  templates ??= TEMPLATE_DEFINITIONS.map(build);
  return templates;
}

/** The built-in template with this id, if any. */
export function getTemplate(id: string): Template | undefined {
  return listTemplates().find((t) => t.id === id);
}

/** Input of {@link forkTemplate}. */
export interface ForkTemplateOptions {
  readonly id: string;
  /** New default values of the template's parameters. */
  readonly params?: ParamOverrides;
  /** The dataset's field name, replacing the one the template was written for (`value` templates need none). */
  readonly field?: string;
  /** The dataset (name or id) for the `from` line. */
  readonly dataset?: string;
}

/**
 * A new recipe source from a template: its parameters' defaults replaced by the given values,
 * optionally renamed to the dataset's field and pointed at the dataset. Undefined when there is
 * no template with this id (like {@link getTemplate}).
 */
export function forkTemplate({ id, ...options }: ForkTemplateOptions): ForkResult | undefined {
  const template = getTemplate(id);
  return template && forkRecipe({ source: template.source, ...options });
}
