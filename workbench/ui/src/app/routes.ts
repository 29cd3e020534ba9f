/**
 * The pages of the workbench and their URLs. Pure: the router (router.svelte.ts) keeps the current
 * route in state; links are built with {@link hrefOf} so that a URL is spelled in one place.
 */

/** A page and its parameters. */
export type Route =
  | { readonly name: "catalogue" }
  | { readonly name: "dataset"; readonly datasetId: string }
  | { readonly name: "notebooks" }
  | { readonly name: "notebook"; readonly notebookId: string }
  | { readonly name: "templates" }
  | { readonly name: "template"; readonly templateId: string }
  | { readonly name: "schedules" }
  | { readonly name: "seller" }
  | { readonly name: "seller-new" }
  | { readonly name: "seller-dataset"; readonly datasetId: string }
  | { readonly name: "not-found"; readonly path: string };

/** The name of a page. */
export type RouteName = Route["name"];

const ID = "([^/]+)";
const TABLE: readonly [RegExp, (m: RegExpExecArray) => Route][] = [
  [/^\/$/, () => ({ name: "catalogue" })],
  [/^\/datasets\/?$/, () => ({ name: "catalogue" })],
  [new RegExp(`^/datasets/${ID}/?$`), (m) => ({ name: "dataset", datasetId: decode(m[1]!) })],
  [/^\/notebooks\/?$/, () => ({ name: "notebooks" })],
  [new RegExp(`^/notebooks/${ID}/?$`), (m) => ({ name: "notebook", notebookId: decode(m[1]!) })],
  [/^\/templates\/?$/, () => ({ name: "templates" })],
  [new RegExp(`^/templates/${ID}/?$`), (m) => ({ name: "template", templateId: decode(m[1]!) })],
  [/^\/schedules\/?$/, () => ({ name: "schedules" })],
  [/^\/seller\/?$/, () => ({ name: "seller" })],
  [/^\/seller\/new\/?$/, () => ({ name: "seller-new" })],
  [new RegExp(`^/seller/datasets/${ID}/?$`), (m) => ({ name: "seller-dataset", datasetId: decode(m[1]!) })],
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route of a path (without query or hash). */
export function matchRoute(pathname: string): Route {
  for (const [pattern, build] of TABLE) {
    const m = pattern.exec(pathname);
    if (m) return build(m);
  }
  return { name: "not-found", path: pathname };
}

/** The URL of a route. */
export function hrefOf(route: Route): string {
  const id = (value: string) => encodeURIComponent(value);
  switch (route.name) {
    case "catalogue":
      return "/";
    case "dataset":
      return `/datasets/${id(route.datasetId)}`;
    case "notebooks":
      return "/notebooks";
    case "notebook":
      return `/notebooks/${id(route.notebookId)}`;
    case "templates":
      return "/templates";
    case "template":
      return `/templates/${id(route.templateId)}`;
    case "schedules":
      return "/schedules";
    case "seller":
      return "/seller";
    case "seller-new":
      return "/seller/new";
    case "seller-dataset":
      return `/seller/datasets/${id(route.datasetId)}`;
    case "not-found":
      return route.path;
  }
}

/** The top-level section a route belongs to, for the navigation bar. */
export function sectionOf(route: Route): "datasets" | "notebooks" | "templates" | "schedules" | "seller" | undefined {
  switch (route.name) {
    case "catalogue":
    case "dataset":
      return "datasets";
    case "notebooks":
    case "notebook":
      return "notebooks";
    case "templates":
    case "template":
      return "templates";
    case "schedules":
      return "schedules";
    case "seller":
    case "seller-new":
    case "seller-dataset":
      return "seller";
    case "not-found":
      return undefined;
  }
}

/** Whether a click on a link should be left to the browser (new tab, download, other origin…). */
export function isPlainLeftClick(event: Pick<MouseEvent, "button" | "metaKey" | "ctrlKey" | "shiftKey" | "altKey" | "defaultPrevented">): boolean {
  return !event.defaultPrevented && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}
