import { describe, expect, it } from "vitest";
import { publishFormErrors, publishSummary, serviceFieldErrors } from "./publish-form";

const form = { title: "Hours above", description: "", tags: "", version: "1.0.0" };

describe("publish form", () => {
  it("says the title is missing rather than greying out Publish", () => {
    const errors = publishFormErrors({ ...form, title: "  " });
    expect(errors).toEqual({ title: "Give the template a title; it is missing." });
    expect(publishSummary(errors)).toBe("Fill in the title to publish.");
  });

  it("names every field to fix", () => {
    const errors = publishFormErrors({ ...form, title: "x".repeat(121), version: "one" });
    expect(Object.keys(errors)).toEqual(["title", "version"]);
    expect(publishSummary(errors)).toBe("Fix the title and the version to publish.");
    expect(publishSummary(publishFormErrors(form))).toBeUndefined();
  });

  it("maps the service's validation issues onto the fields", () => {
    expect(serviceFieldErrors({ issues: [{ path: "tags.2", message: "must be at most 32 characters" }, { path: "fromCell", message: "x" }] })).toEqual({
      tags: "Tags: must be at most 32 characters.",
    });
    expect(serviceFieldErrors(undefined)).toEqual({});
  });
});
