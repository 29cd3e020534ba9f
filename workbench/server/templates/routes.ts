import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { createError } from "../errors";
import { toCell } from "../notebooks/routes";
import { SIGNED_IN } from "../plugins/docs";
import { COMMON_ERRORS, EmptyBody, errorResponses } from "../shared/schemas";
import type { TemplateRecord } from "../store/records";
import { ForkBody, ForkResponse, PublishBody, SearchQuery, Template, TemplatePage, TemplateParams, UpdateBody } from "./schemas";
import { TemplateService } from "./service";

const errors = (...extra: number[]) => errorResponses(...COMMON_ERRORS, ...extra);

/** Public recipe templates: browse, search, fork; authors publish, edit, unpublish. Mounted at /api/templates. */
const templateRoutes: FastifyPluginAsyncZod = async (app) => {
  const templates = new TemplateService({
    store: app.store,
    recipes: app.recipes,
    now: () => app.now(),
    onBuiltinsError: (error) => app.log.warn({ err: error }, "built-in templates not installed yet; the next template request retries"),
    onBuiltinSkipped: (templateId) => app.log.error({ templateId }, "built-in template does not check; left out of the gallery"),
  });
  // The built-in library goes into the store when the app starts (and, if that failed, on the next request).
  app.addHook("onReady", () => templates.builtinsReady());
  const tags = ["templates"];
  const userOf = (request: { user: { address: string } | null }) => request.user!.address;

  app.get(
    "",
    {
      onRequest: app.identifyUser,
      schema: {
        tags,
        summary: "Browse and search templates",
        description: "Published templates (and, with `mine=true`, your own unpublished ones), newest or most forked first.",
        querystring: SearchQuery,
        response: { 200: TemplatePage, ...errors(401) },
      },
    },
    async (request) => {
      const { q, tag, author, mine, sort, limit, offset } = request.query;
      const viewer = request.user?.address;
      if (mine && viewer === undefined) throw createError("ERR_AUTH_REQUIRED");
      const page = await templates.search(viewer, {
        text: q,
        tag,
        author: mine ? viewer : author,
        sort,
        limit,
        offset,
      });
      return { items: page.items.map(toTemplate), total: page.total, limit, offset };
    },
  );

  app.post(
    "",
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Publish a template",
        description: "From raw recipe source or from one of your recipe cells. The recipe must check without errors.",
        body: PublishBody,
        response: { 201: Template, ...errors(401, 404, 422) },
      },
    },
    async (request, reply) => {
      const { source, fromCell, ...metadata } = request.body;
      const origin = fromCell ? { fromCell } : { source: source! };
      return reply.status(201).send(toTemplate(await templates.publish(userOf(request), { ...metadata, ...origin })));
    },
  );

  app.get(
    "/:templateId",
    {
      onRequest: app.identifyUser,
      schema: { tags, summary: "Get a template", params: TemplateParams, response: { 200: Template, ...errors(404) } },
    },
    async (request) => toTemplate(await templates.get(request.user?.address, request.params.templateId)),
  );

  app.patch(
    "/:templateId",
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Edit your template",
        params: TemplateParams,
        body: UpdateBody,
        response: { 200: Template, ...errors(401, 403, 404, 422) },
      },
    },
    async (request) => toTemplate(await templates.update(userOf(request), request.params.templateId, request.body)),
  );

  for (const [action, published] of [
    ["unpublish", false],
    ["publish", true],
  ] as const) {
    app.post(
      `/:templateId/${action}`,
      {
        onRequest: app.requireUser,
        schema: {
          tags,
          security: SIGNED_IN,
          summary: published ? "Publish your template again" : "Unpublish your template",
          description: published ? undefined : "Hides it from everyone else; existing forks are not affected.",
          params: TemplateParams,
          body: EmptyBody,
          response: { 200: Template, ...errors(401, 403, 404) },
        },
      },
      async (request) => toTemplate(await templates.setPublished(userOf(request), request.params.templateId, published)),
    );
  }

  app.post(
    "/:templateId/fork",
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Fork a template into a notebook",
        description:
          "Adds a recipe cell with your parameter values to one of your notebooks (or a new one) and counts the fork. " +
          "With a dataset, the recipe reads it and names its values by the dataset's field.",
        params: TemplateParams,
        body: ForkBody,
        response: {
          201: ForkResponse,
          ...errors(401, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const result = await templates.fork(userOf(request), request.params.templateId, request.body);
      return reply.status(201).send({ notebookId: result.notebookId, cell: toCell(result.cell), forkCount: result.forkCount });
    },
  );
};

function toTemplate(template: TemplateRecord): z.output<typeof Template> {
  return {
    id: template.id,
    author: template.author,
    title: template.title,
    description: template.description,
    source: template.source,
    params: template.params,
    tags: template.tags,
    version: template.version,
    forkCount: template.forkCount,
    published: template.unpublishedAt === null,
    createdAt: template.createdAt,
    updatedAt: template.updatedAt,
  };
}

export default templateRoutes;
