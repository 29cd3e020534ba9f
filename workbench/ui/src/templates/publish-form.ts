/**
 * The publish form's checks, by field, so that Publish says which field is missing or wrong
 * instead of staying greyed out; and the service's validation issues mapped onto the same fields.
 */

/** The fields of the publish form. */
export type PublishField = "title" | "description" | "tags" | "version";

/** What the form holds. */
export interface PublishForm {
  title: string;
  description: string;
  tags: string;
  version: string;
}

const LABELS: Record<PublishField, string> = { title: "Title", description: "Description", tags: "Tags", version: "Version" };

/** The problem of each field that has one, checked as the service checks them. */
export function publishFormErrors(form: PublishForm): Partial<Record<PublishField, string>> {
  const errors: Partial<Record<PublishField, string>> = {};
  if (form.title.trim() === "") errors.title = "Give the template a title; it is missing.";
  else if (form.title.trim().length > 120) errors.title = "A title has at most 120 characters.";
  if (form.description.length > 4000) errors.description = "A description has at most 4,000 characters.";
  const version = form.version.trim();
  if (version !== "" && !/^\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(version)) errors.version = "A version such as 1.0.0.";
  return errors;
}

/** One sentence naming the fields to fix: "Fill in the title." / "Fix the title and the version." */
export function publishSummary(errors: Partial<Record<PublishField, string>>): string | undefined {
  const fields = (Object.keys(errors) as PublishField[]).map((f) => `the ${LABELS[f].toLowerCase()}`);
  if (fields.length === 0) return undefined;
  if (fields.length === 1 && errors.title?.includes("missing")) return "Fill in the title to publish.";
  return `Fix ${fields.length === 1 ? fields[0] : `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}`} to publish.`;
}

/** The service's validation issues (`error.details.issues`) by form field. */
export function serviceFieldErrors(details: unknown): Partial<Record<PublishField, string>> {
  const issues = (details as { issues?: { path?: string; message?: string }[] } | undefined)?.issues ?? [];
  const errors: Partial<Record<PublishField, string>> = {};
  for (const issue of issues) {
    const field = (issue.path ?? "").split(".")[0] as PublishField;
    if (field in LABELS && !errors[field]) errors[field] = `${LABELS[field]}: ${issue.message ?? "is not valid"}.`.replace(/([.?!])\.$/, "$1");
  }
  return errors;
}
