import { listTemplates } from "@iotdm/recipes";

/**
 * The recipes/ library of built-in templates, as gallery templates. They live in the store like the
 * ones users publish (the service upserts them when it starts), so listing, search, preview and fork
 * have one code path; their author is {@link BUILTIN_AUTHOR}, a value no signed-in user can have, so
 * the author-only routes refuse every change to them (403).
 */

/** The author of the built-in templates: not an address, so it never matches a user. */
export const BUILTIN_AUTHOR = "Built-in";

/** The prefix of a built-in template's id: `builtin:<library id>`. */
export const BUILTIN_ID_PREFIX = "builtin:";

/** The pattern of a built-in template's id (the library's ids are kebab-case). */
export const BUILTIN_ID_PATTERN = /^builtin:[a-z0-9][a-z0-9-]{0,63}$/;

/** The version the gallery shows for a built-in template. */
export const BUILTIN_VERSION = "1.0.0";

/** A built-in template as the gallery stores it. */
export interface BuiltinTemplate {
  id: string;
  title: string;
  description: string;
  tags: string[];
  source: string;
}

/** The library's templates in display order, with gallery ids and tags. */
export function builtinTemplates(): BuiltinTemplate[] {
  return listTemplates().map((template) => {
    const fits = usesValueAlias(template.source)
      ? "It reads `value`, so it fits a dataset of any sensor."
      : `Written for a dataset of \`${template.example.field}\` readings (${template.example.unit}).`;
    return {
      id: `${BUILTIN_ID_PREFIX}${template.id}`,
      title: template.title,
      description: `${template.description}\n\n${fits}`,
      tags: [...new Set(template.tags.map(galleryTag).filter((tag) => tag !== ""))],
      source: template.source,
    };
  });
}

/** A library tag as a gallery tag (1–32 lower-case letters, digits or dashes): `any sensor` → `any-sensor`, `pm2.5` → `pm2-5`. */
export function galleryTag(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 32)
    .replace(/-+$/, "");
}

function usesValueAlias(source: string): boolean {
  return source
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .some((line) => /\bvalue\b/.test(line));
}
