import { describe, expect, it } from "vitest";
import { hrefOf, matchRoute, sectionOf, type Route } from "./routes";

describe("routes", () => {
  it.each<[string, Route]>([
    ["/", { name: "catalogue" }],
    ["/datasets", { name: "catalogue" }],
    ["/datasets/7", { name: "dataset", datasetId: "7" }],
    ["/notebooks", { name: "notebooks" }],
    ["/notebooks/5f0c-uuid", { name: "notebook", notebookId: "5f0c-uuid" }],
    ["/templates/", { name: "templates" }],
    ["/templates/abc", { name: "template", templateId: "abc" }],
    ["/schedules", { name: "schedules" }],
    ["/seller", { name: "seller" }],
    ["/seller/new", { name: "seller-new" }],
    ["/seller/datasets/3", { name: "seller-dataset", datasetId: "3" }],
    ["/nope/deeper", { name: "not-found", path: "/nope/deeper" }],
  ])("matches %s", (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it("builds the URL a route is matched from", () => {
    const routes: Route[] = [
      { name: "dataset", datasetId: "12" },
      { name: "notebook", notebookId: "a b" },
      { name: "template", templateId: "t" },
      { name: "seller-dataset", datasetId: "9" },
      { name: "seller-new" },
    ];
    for (const route of routes) expect(matchRoute(hrefOf(route))).toEqual(route);
  });

  it("puts each page in its navigation section", () => {
    expect(sectionOf({ name: "dataset", datasetId: "1" })).toBe("datasets");
    expect(sectionOf({ name: "seller-new" })).toBe("seller");
    expect(sectionOf({ name: "not-found", path: "/x" })).toBeUndefined();
  });
});
