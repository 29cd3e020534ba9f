import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { COMMON_ERRORS, errorResponses } from "../shared/schemas";
import { CatalogueCache } from "./catalogue-cache";
import { SIGNED_IN } from "../plugins/docs";
import { budgetPicture } from "./budget";
import { BudgetPicture, BudgetQuery, CatalogueQuery, Dataset, DatasetPage, DatasetParams } from "./schemas";
import { DatasetService } from "./service";

const errors = (...extra: number[]) => errorResponses(...COMMON_ERRORS, ...extra);

/**
 * The dataset catalogue, public, from the chain indexer's rows; a signed-in caller also sees their
 * access expiry. Mounted at /api/datasets.
 */
const datasetRoutes: FastifyPluginAsyncZod = async (app) => {
  const cache = new CatalogueCache({ ttlMs: app.config.catalogueCacheMs });
  // The indexer is the catalogue's only writer: what it writes is visible at once on this instance.
  app.indexer.on("range", ({ events }) => {
    if (events.length > 0) cache.clear();
  });
  app.indexer.on("reset", () => cache.clear());
  const datasets = new DatasetService({ store: app.store, now: () => app.now(), cache });
  const tags = ["datasets"];
  app.addHook("onRequest", app.identifyUser);

  app.get(
    "",
    {
      schema: {
        tags,
        summary: "Browse and search the dataset catalogue",
        description:
          "Every dataset the market holds, in id order: seller, field, unit, fixed-point encoding, price, access period, k, " +
          "readings count and time span, approved recipe types, pause. With a session, `accessExpiresAt` is yours.",
        querystring: CatalogueQuery,
        response: { 200: DatasetPage, ...errors(401) },
      },
    },
    async (request) => {
      const { q, seller, field, kind, access, paused, limit, offset } = request.query;
      const page = await datasets.search(request.user?.address, { q, seller, field, kinds: kind, withAccess: access, paused, limit, offset });
      return { ...page, limit, offset };
    },
  );

  app.get(
    "/:datasetId",
    {
      schema: { tags, summary: "One dataset", params: DatasetParams, response: { 200: Dataset, ...errors(404) } },
    },
    async (request) => datasets.get(request.user?.address, request.params.datasetId),
  );

  app.get(
    "/:datasetId/budget",
    {
      onRequest: app.requireUser,
      schema: {
        tags,
        security: SIGNED_IN,
        summary: "Your privacy budget on a private dataset, over time",
        description:
          "For each of `parts` equal time ranges of [from, to) (default: the dataset's private history), the most ε any reading " +
          "stamped in it has spent on you and what it keeps of the seller's budget — the contract's own per-reading accounting " +
          "(privacySpent). A run over a range can spend at most its `remainingMilli`. An exact dataset keeps no budget (409).",
        params: DatasetParams,
        querystring: BudgetQuery,
        response: { 200: BudgetPicture, ...errors(401, 404, 409, 503) },
      },
    },
    async (request) =>
      budgetPicture(
        { store: app.store, chain: app.chain },
        {
          datasetId: request.params.datasetId,
          buyer: request.user!.address,
          parts: request.query.parts,
          ...(request.query.from !== undefined && { from: request.query.from }),
          ...(request.query.to !== undefined && { to: request.query.to }),
        },
      ),
  );
};

export default datasetRoutes;
