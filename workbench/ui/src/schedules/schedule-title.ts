/**
 * What a schedule is called in lists: the recipe's own title, its first comment (templates open
 * with one saying what the recipe does), else its first statistic. Pure.
 */

/** The title of the recipe `source`, at most `max` characters. */
export function scheduleTitle(source: string, max = 80): string {
  const lines = source.split("\n").map((line) => line.trim());
  const comment = lines.find((line) => line.startsWith("#") && line.replace(/^#+/, "").trim() !== "");
  const title = comment
    ? comment.replace(/^#+/, "").trim()
    : (lines.find((line) => /^[a-z_]+\s*\(/i.test(line)) ?? lines.find((line) => line !== "") ?? "Recipe");
  return title.length > max ? `${title.slice(0, max - 1).trimEnd()}…` : title;
}
