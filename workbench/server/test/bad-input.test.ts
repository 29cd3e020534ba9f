import { randomUUID } from "node:crypto";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { App } from "../app";
import type { ErrorCode } from "../errors";
import type { Store } from "../store/store";
import { as, createTestApp, expectError, signIn, type TestUser } from "./support/app";
import { describeEachBackend, snapshotStore } from "./support/backends";
import { apiOperations } from "./support/openapi";

/**
 * Malformed and hostile input on every API route: each request gets a 4xx with the error shape
 * (the expected code where it is specific) and leaves the store exactly as it was. Requests are sent
 * signed in, so they reach validation. The table must name every operation of the OpenAPI document.
 */

const BODY_LIMIT = 65_536;

/** Strings that are never acceptable in stored text. */
const HOSTILE_TEXT: Record<string, string> = {
  "a NUL byte": "before\u0000after",
  "an unpaired surrogate": "broken \ud800 text",
  "a bidirectional override": "safe\u202Eeval",
  "an escape sequence": "\u001b[31mred",
};

interface Fixture {
  notebookId: string;
  cellId: string;
  templateId: string;
  /** The signed-in user's address. */
  user: string;
}

interface RouteSpec {
  /** `METHOD /documented/{path}`. */
  operation: string;
  url: (f: Fixture) => string;
  /** A body the route accepts (for JSON-body routes): the generic cases add to it or replace it. */
  validBody?: (f: Fixture) => Record<string, unknown>;
  /** `null` is a valid body for routes whose body is optional. */
  bodyOptional?: boolean;
  pathParams?: boolean;
  query?: boolean;
  /** Route-specific bad bodies (merged over `validBody`) or query strings. */
  cases?: { name: string; body?: (f: Fixture) => unknown; query?: string; status?: number; code?: ErrorCode }[];
  /** Route-specific bad URLs (path parameters that are not UUIDs). */
  urlCases?: { name: string; url: string; status?: number; code?: ErrorCode }[];
}

const OTHER_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const RECIPE = 'from "greenhouse" window all\nmean(temperature)';
const PROGRAM_HASH = `0x${"12".repeat(32)}`;
const SIGNATURE = `0x${"ab".repeat(65)}`;

const runRequest = (f: Fixture, overrides: Record<string, unknown> = {}) => ({
  buyer: f.user,
  datasetId: "1",
  programHash: PROGRAM_HASH,
  fromIndex: "0",
  toIndex: "8",
  nonce: "42",
  deadline: "4102444800",
  ...overrides,
});

const authorization = (f: Fixture, overrides: Record<string, unknown> = {}) => ({
  buyer: f.user,
  datasetId: "1",
  programHash: PROGRAM_HASH,
  fromIndex: "0",
  cadence: "60",
  expiry: "4102444800",
  maxRuns: 10,
  nonce: "43",
  maxPaymentPerRun: "0",
  ...overrides,
});

const hostileParamsCases = [
  { name: "params: a boolean value", body: () => ({ params: { hot: true } }) },
  { name: "params: code instead of a number", body: () => ({ params: { hot: "1)\nsum(x" } }) },
  { name: "params: a bad name", body: () => ({ params: { "hot value": 1 } }) },
  { name: "params: too many", body: () => ({ params: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, 1])) }) },
];

const hostileTitleCases = (field: string, max: number) => [
  { name: `${field}: a number`, body: () => ({ [field]: 42 }) },
  { name: `${field}: blank`, body: () => ({ [field]: "   " }) },
  { name: `${field}: too long`, body: () => ({ [field]: "x".repeat(max + 1) }) },
  { name: `${field}: a line break`, body: () => ({ [field]: "two\nlines" }) },
  ...Object.entries(HOSTILE_TEXT).map(([name, text]) => ({ name: `${field}: ${name}`, body: () => ({ [field]: text }) })),
];

const hostileSourceCases = (field: string) =>
  Object.entries(HOSTILE_TEXT).map(([name, text]) => ({ name: `${field}: ${name}`, body: () => ({ [field]: text }) }));

const document = (cells: unknown[], extra: Record<string, unknown> = {}) => ({
  format: "iot-notebook",
  version: 1,
  metadata: { title: "Imported" },
  cells,
  ...extra,
});

const ROUTES: RouteSpec[] = [
  { operation: "GET /api/health", url: () => "/api/health" },
  { operation: "GET /api/ready", url: () => "/api/ready" },
  {
    operation: "POST /api/auth/nonce",
    url: () => "/api/auth/nonce",
    validBody: () => ({}),
    bodyOptional: true,
  },
  {
    operation: "POST /api/auth/verify",
    url: () => "/api/auth/verify",
    validBody: () => ({ message: "x", signature: `0x${"ab".repeat(65)}` }),
    cases: [
      { name: "message: a number", body: () => ({ message: 7 }) },
      { name: "message: too long", body: () => ({ message: "m".repeat(4097) }) },
      { name: "signature: too short", body: () => ({ signature: "0x1234" }) },
      { name: "signature: not hex", body: () => ({ signature: `0x${"zz".repeat(65)}` }) },
      { name: "no EIP-4361 message", body: () => ({ message: "'; drop table sessions; --" }), status: 400, code: "ERR_AUTH_MESSAGE_INVALID" },
    ],
  },
  { operation: "GET /api/auth/me", url: () => "/api/auth/me" },
  { operation: "POST /api/auth/sign-out", url: () => "/api/auth/sign-out", validBody: () => ({}), bodyOptional: true },
  {
    operation: "GET /api/notebooks",
    url: () => "/api/notebooks",
    query: true,
    cases: [
      { name: "limit: not a number", query: "limit=ten" },
      { name: "limit: zero", query: "limit=0" },
      { name: "limit: too large", query: "limit=101" },
      { name: "offset: negative", query: "offset=-1" },
    ],
  },
  {
    operation: "POST /api/notebooks",
    url: () => "/api/notebooks",
    validBody: () => ({ title: "ok" }),
    cases: [...hostileTitleCases("title", 200), { name: "title: missing", body: () => ({ title: undefined }) }],
  },
  {
    operation: "POST /api/notebooks/import",
    url: () => "/api/notebooks/import",
    validBody: () => document([]),
    cases: [
      { name: "a later version", body: () => ({ version: 2 }), status: 400, code: "ERR_NOTEBOOK_DOCUMENT_VERSION" },
      { name: "the version as a string", body: () => ({ version: "1" }), status: 400, code: "ERR_NOTEBOOK_DOCUMENT_VERSION" },
      { name: "another format", body: () => ({ format: "ipynb" }), status: 400, code: "ERR_NOTEBOOK_DOCUMENT_FORMAT" },
      { name: "cells: not a list", body: () => ({ cells: {} }) },
      { name: "a cell of an unknown kind", body: () => ({ cells: [{ kind: "python", source: "" }] }) },
      { name: "a markdown cell with a dataset", body: () => ({ cells: [{ kind: "markdown", source: "", datasetId: "1" }] }), code: "ERR_REQUEST_UNKNOWN_FIELDS" },
      { name: "an unknown field in a cell", body: () => ({ cells: [{ kind: "markdown", source: "", outputs: [] }] }), code: "ERR_REQUEST_UNKNOWN_FIELDS" },
      { name: "too many cells", body: () => ({ cells: Array.from({ length: 501 }, () => ({ kind: "markdown", source: "" })) }) },
      { name: "a valid cell after a NUL byte", body: () => ({ cells: [{ kind: "markdown", source: "ok" }, { kind: "markdown", source: "\u0000" }] }) },
      { name: "a hostile title", body: () => ({ metadata: { title: "\u202Egnp.exe" } }) },
    ],
  },
  { operation: "GET /api/notebooks/{notebookId}", url: (f) => `/api/notebooks/${f.notebookId}`, pathParams: true },
  {
    operation: "PATCH /api/notebooks/{notebookId}",
    url: (f) => `/api/notebooks/${f.notebookId}`,
    pathParams: true,
    validBody: () => ({ title: "renamed" }),
    cases: hostileTitleCases("title", 200),
  },
  { operation: "DELETE /api/notebooks/{notebookId}", url: (f) => `/api/notebooks/${f.notebookId}`, pathParams: true },
  { operation: "GET /api/notebooks/{notebookId}/export", url: (f) => `/api/notebooks/${f.notebookId}/export`, pathParams: true },
  {
    operation: "POST /api/notebooks/{notebookId}/cells",
    url: (f) => `/api/notebooks/${f.notebookId}/cells`,
    pathParams: true,
    validBody: () => ({ kind: "recipe", source: "mean(x)" }),
    cases: [
      { name: "kind: unknown", body: () => ({ kind: "python" }) },
      { name: "index: negative", body: () => ({ index: -1 }) },
      { name: "index: fractional", body: () => ({ index: 0.5 }) },
      { name: "index: past the end", body: () => ({ index: 3 }), status: 400, code: "ERR_CELL_INDEX_OUT_OF_RANGE" },
      { name: "datasetId: a number", body: () => ({ datasetId: 1 }) },
      { name: "datasetId: negative", body: () => ({ datasetId: "-1" }) },
      { name: "datasetId: beyond uint256", body: () => ({ datasetId: (2n ** 256n).toString() }) },
      { name: "datasetId: on a markdown cell", body: () => ({ kind: "markdown", datasetId: "1" }), status: 400, code: "ERR_CELL_MARKDOWN_DATASET" },
      { name: "source: too long", body: () => ({ source: "x".repeat(65_537) }), status: 413 },
      ...hostileSourceCases("source"),
    ],
  },
  {
    operation: "PATCH /api/notebooks/{notebookId}/cells/{cellId}",
    url: (f) => `/api/notebooks/${f.notebookId}/cells/${f.cellId}`,
    pathParams: true,
    validBody: () => ({ source: "sum(x)" }),
    cases: [
      { name: "nothing to change", body: () => ({ source: undefined }) },
      { name: "kind: null", body: () => ({ kind: null }) },
      ...hostileSourceCases("source"),
    ],
  },
  { operation: "DELETE /api/notebooks/{notebookId}/cells/{cellId}", url: (f) => `/api/notebooks/${f.notebookId}/cells/${f.cellId}`, pathParams: true },
  {
    operation: "POST /api/notebooks/{notebookId}/cells/{cellId}/move",
    url: (f) => `/api/notebooks/${f.notebookId}/cells/${f.cellId}/move`,
    pathParams: true,
    validBody: () => ({ index: 0 }),
    cases: [
      { name: "index: a string", body: () => ({ index: "1" }) },
      { name: "index: missing", body: () => ({ index: undefined }) },
      { name: "index: past the end", body: () => ({ index: 1 }), status: 400, code: "ERR_CELL_INDEX_OUT_OF_RANGE" },
    ],
  },
  {
    operation: "GET /api/templates",
    url: () => "/api/templates",
    query: true,
    cases: [
      { name: "sort: unknown", query: "sort=oldest" },
      { name: "tag: with a space", query: "tag=a%20b" },
      { name: "author: not an address", query: "author=0x123" },
      { name: "q: too long", query: `q=${"q".repeat(201)}` },
      { name: "mine: not a boolean", query: "mine=maybe" },
    ],
  },
  {
    operation: "POST /api/templates",
    url: () => "/api/templates",
    validBody: () => ({ title: "t", source: 'from "d" window all\nmean(temperature)' }),
    cases: [
      ...hostileTitleCases("title", 120),
      { name: "both source and fromCell", body: (f) => ({ fromCell: { notebookId: f.notebookId, cellId: f.cellId } }) },
      { name: "fromCell: not ids", body: () => ({ source: undefined, fromCell: { notebookId: "x", cellId: "y" } }) },
      { name: "tags: too many", body: () => ({ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }) },
      { name: "tags: a space", body: () => ({ tags: ["two words"] }) },
      { name: "version: not x.y.z", body: () => ({ version: "v1" }) },
      { name: "description: a NUL byte", body: () => ({ description: "\u0000" }) },
      { name: "source: not a recipe", body: () => ({ source: "rm -rf /" }), status: 422, code: "ERR_RECIPE_INVALID" },
    ],
  },
  { operation: "GET /api/templates/{templateId}", url: (f) => `/api/templates/${f.templateId}`, pathParams: true },
  {
    operation: "PATCH /api/templates/{templateId}",
    url: (f) => `/api/templates/${f.templateId}`,
    pathParams: true,
    validBody: () => ({ title: "new" }),
    cases: [
      ...hostileTitleCases("title", 120),
      { name: "nothing to change", body: () => ({ title: undefined }) },
      { name: "tags: not a list", body: () => ({ tags: "a,b" }) },
      { name: "source: not a recipe", body: () => ({ source: "mean(" }), status: 422, code: "ERR_RECIPE_INVALID" },
    ],
  },
  {
    operation: "POST /api/templates/{templateId}/unpublish",
    url: (f) => `/api/templates/${f.templateId}/unpublish`,
    pathParams: true,
    validBody: () => ({}),
    bodyOptional: true,
  },
  {
    operation: "POST /api/templates/{templateId}/publish",
    url: (f) => `/api/templates/${f.templateId}/publish`,
    pathParams: true,
    validBody: () => ({}),
    bodyOptional: true,
  },
  {
    operation: "POST /api/templates/{templateId}/fork",
    url: (f) => `/api/templates/${f.templateId}/fork`,
    pathParams: true,
    validBody: () => ({ values: {} }),
    cases: [
      { name: "values: an object value", body: () => ({ values: { hot: {} } }) },
      { name: "values: a boolean", body: () => ({ values: { hot: true } }) },
      { name: "values: an undeclared parameter", body: () => ({ values: { "__proto__x": 1 } }), status: 400, code: "ERR_TEMPLATE_VALUES_INVALID" },
      { name: "values: code instead of a number", body: () => ({ values: { hot: "1)\nsum(x" } }), status: 400, code: "ERR_TEMPLATE_VALUES_INVALID" },
      { name: "values: too many", body: () => ({ values: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, 1])) }) },
      { name: "notebookId: not an id", body: () => ({ notebookId: "../../etc/passwd" }) },
      { name: "title: a NUL byte", body: () => ({ title: "\u0000" }) },
    ],
  },
  { operation: "GET /api/chain", url: () => "/api/chain" },
  {
    operation: "GET /api/datasets",
    url: () => "/api/datasets",
    query: true,
    cases: [
      { name: "kind: unknown", query: "kind=MEDIAN" },
      { name: "kind: empty", query: "kind=" },
      { name: "seller: not an address", query: "seller=0x123" },
      { name: "field: an expression", query: "field=a%20or%201%3D1" },
      { name: "access: not a boolean", query: "access=maybe" },
      { name: "q: too long", query: `q=${"q".repeat(201)}` },
      { name: "limit: too large", query: "limit=101" },
    ],
  },
  {
    operation: "GET /api/datasets/{datasetId}",
    url: () => "/api/datasets/1",
    urlCases: [
      { name: "a negative id", url: "/api/datasets/-1" },
      { name: "a word", url: "/api/datasets/abc" },
      { name: "beyond uint256", url: `/api/datasets/${2n ** 256n}` },
      { name: "an injected id", url: "/api/datasets/1%27%20OR%20%271%27%3D%271" },
      { name: "an unknown dataset", url: "/api/datasets/999", status: 404, code: "ERR_DATASET_NOT_FOUND" },
    ],
  },
  {
    operation: "GET /api/datasets/{datasetId}/budget",
    url: () => "/api/datasets/1/budget",
    query: true,
    cases: [
      { name: "to: before from", query: "from=200&to=100" },
      { name: "from: negative", query: "from=-1" },
      { name: "from: a word", query: "from=yesterday" },
      { name: "parts: zero", query: "parts=0" },
      { name: "parts: too many", query: "parts=65" },
      { name: "parts: a fraction", query: "parts=1.5" },
      { name: "an unknown field", query: "buyer=0x0000000000000000000000000000000000000001", status: 400, code: "ERR_REQUEST_UNKNOWN_FIELDS" },
    ],
    urlCases: [
      { name: "a word", url: "/api/datasets/abc/budget" },
      { name: "an unknown dataset", url: "/api/datasets/999/budget", status: 404, code: "ERR_DATASET_NOT_FOUND" },
    ],
  },
  {
    operation: "POST /api/recipes/diagnostics",
    url: () => "/api/recipes/diagnostics",
    validBody: () => ({ source: RECIPE }),
    cases: [
      { name: "source: a number", body: () => ({ source: 7 }) },
      { name: "source: missing", body: () => ({ source: undefined }) },
      { name: "datasetId: a number", body: () => ({ datasetId: 1 }) },
      { name: "an unknown dataset", body: () => ({ datasetId: "999" }), status: 404, code: "ERR_DATASET_NOT_FOUND" },
      ...hostileSourceCases("source"),
      ...hostileParamsCases,
    ],
  },
  {
    operation: "POST /api/runs/plan",
    url: () => "/api/runs/plan",
    validBody: () => ({ datasetId: "1", source: RECIPE }),
    cases: [
      { name: "datasetId: missing", body: () => ({ datasetId: undefined }) },
      { name: "source: longer than the worker accepts", body: () => ({ source: "x".repeat(20_001) }) },
      { name: "scheduled: not a boolean", body: () => ({ scheduled: "yes" }) },
      { name: "an unknown dataset", body: () => ({ datasetId: "999" }), status: 404, code: "ERR_DATASET_NOT_FOUND" },
      ...hostileSourceCases("source"),
      ...hostileParamsCases,
    ],
  },
  {
    operation: "POST /api/runs",
    url: () => "/api/runs",
    validBody: (f) => ({ notebookId: f.notebookId, cellId: f.cellId, datasetId: "1", source: RECIPE, request: runRequest(f), signature: SIGNATURE }),
    cases: [
      { name: "request: missing", body: () => ({ request: undefined }) },
      { name: "request: an unknown field", body: (f) => ({ request: { ...runRequest(f), admin: true } }), code: "ERR_REQUEST_UNKNOWN_FIELDS" },
      { name: "request.fromIndex: beyond uint64", body: (f) => ({ request: runRequest(f, { fromIndex: (2n ** 64n).toString() }) }) },
      { name: "request.nonce: negative", body: (f) => ({ request: runRequest(f, { nonce: "-1" }) }) },
      { name: "request.nonce: a number", body: (f) => ({ request: runRequest(f, { nonce: 42 }) }) },
      { name: "request.deadline: leading zeros", body: (f) => ({ request: runRequest(f, { deadline: "0099" }) }) },
      { name: "request.programHash: too short", body: (f) => ({ request: runRequest(f, { programHash: "0x1234" }) }) },
      { name: "request.buyer: not an address", body: (f) => ({ request: runRequest(f, { buyer: "alice" }) }) },
      { name: "signature: too short", body: () => ({ signature: "0x1234" }) },
      { name: "signature: not hex", body: () => ({ signature: `0x${"zz".repeat(65)}` }) },
      { name: "notebookId: not an id", body: () => ({ notebookId: "../../etc/passwd" }) },
      { name: "source: longer than the worker accepts", body: () => ({ source: "x".repeat(20_001) }) },
      {
        name: "a request signed for another buyer",
        body: (f) => ({ request: runRequest(f, { buyer: OTHER_ADDRESS }) }),
        status: 403,
        code: "ERR_RUN_BUYER_MISMATCH",
      },
      {
        name: "a request for another dataset",
        body: (f) => ({ request: runRequest(f, { datasetId: "2" }) }),
        status: 400,
        code: "ERR_RUN_REQUEST_MISMATCH",
      },
      ...hostileSourceCases("source"),
      ...hostileParamsCases,
    ],
  },
  { operation: "GET /api/runs/{runId}", url: () => `/api/runs/${randomUUID()}`, pathParams: true },
  { operation: "GET /api/runs/{runId}/events", url: () => `/api/runs/${randomUUID()}/events`, pathParams: true },
  { operation: "GET /api/runs/{runId}/queue", url: () => `/api/runs/${randomUUID()}/queue`, pathParams: true },
  { operation: "POST /api/runs/{runId}/cancel", url: () => `/api/runs/${randomUUID()}/cancel`, pathParams: true, validBody: () => ({}), bodyOptional: true },
  {
    operation: "GET /api/notebooks/{notebookId}/runs",
    url: (f) => `/api/notebooks/${f.notebookId}/runs`,
    pathParams: true,
    query: true,
    cases: [
      { name: "cellId: not an id", query: "cellId=1" },
      { name: "limit: zero", query: "limit=0" },
    ],
  },
  {
    operation: "POST /api/schedules",
    url: () => "/api/schedules",
    validBody: (f) => ({
      notebookId: f.notebookId,
      cellId: f.cellId,
      datasetId: "1",
      source: RECIPE,
      authorization: authorization(f),
      signature: SIGNATURE,
      repeat: { every: 60_000 },
    }),
    cases: [
      { name: "repeat: missing", body: () => ({ repeat: undefined }) },
      { name: "repeat: every second is too often", body: () => ({ repeat: { every: 999 } }) },
      { name: "repeat: both an interval and a pattern", body: () => ({ repeat: { every: 60_000, pattern: "0 8 * * *" } }) },
      { name: "repeat: not a cron pattern", body: () => ({ repeat: { pattern: "every morning" } }) },
      { name: "repeat: a shell command", body: () => ({ repeat: { pattern: "0 8 * * * ; rm -rf /" } }) },
      { name: "repeat: an unknown time zone", body: () => ({ repeat: { pattern: "0 8 * * *", tz: "Mars/Olympus" } }) },
      { name: "authorization.maxRuns: zero", body: (f) => ({ authorization: authorization(f, { maxRuns: 0 }) }) },
      { name: "authorization.expiry: beyond uint64", body: (f) => ({ authorization: authorization(f, { expiry: (2n ** 64n).toString() }) }) },
      { name: "authorization.fromIndex: missing", body: (f) => ({ authorization: authorization(f, { fromIndex: undefined }) }) },
      { name: "authorization.fromIndex: beyond uint64", body: (f) => ({ authorization: authorization(f, { fromIndex: (2n ** 64n).toString() }) }) },
      { name: "authorization.fromIndex: negative", body: (f) => ({ authorization: authorization(f, { fromIndex: "-8" }) }) },
      { name: "authorization.fromIndex: a number, not a decimal string", body: (f) => ({ authorization: authorization(f, { fromIndex: 8 }) }) },
      { name: "authorization: an unknown field", body: (f) => ({ authorization: { ...authorization(f), extra: 1 } }), code: "ERR_REQUEST_UNKNOWN_FIELDS" },
      {
        name: "an authorization signed for another buyer",
        body: (f) => ({ authorization: authorization(f, { buyer: OTHER_ADDRESS }) }),
        status: 403,
        code: "ERR_SCHEDULE_BUYER_MISMATCH",
      },
      {
        name: "an authorization for another dataset",
        body: (f) => ({ authorization: authorization(f, { datasetId: "2" }) }),
        status: 400,
        code: "ERR_SCHEDULE_REQUEST_MISMATCH",
      },
      {
        name: "an interval shorter than the signed cadence",
        body: (f) => ({ authorization: authorization(f, { cadence: "3600" }), repeat: { every: 60_000 } }),
        status: 400,
        code: "ERR_SCHEDULE_REPEAT_INVALID",
      },
      ...hostileSourceCases("source"),
      ...hostileParamsCases,
    ],
  },
  {
    operation: "GET /api/schedules",
    url: () => "/api/schedules",
    query: true,
    cases: [
      { name: "notebookId: not an id", query: "notebookId=abc" },
      { name: "offset: negative", query: "offset=-1" },
    ],
  },
  { operation: "GET /api/schedules/{scheduleId}", url: () => `/api/schedules/${randomUUID()}`, pathParams: true },
  {
    operation: "GET /api/schedules/{scheduleId}/reports",
    url: () => `/api/schedules/${randomUUID()}/reports`,
    pathParams: true,
    query: true,
    cases: [{ name: "limit: not a number", query: "limit=all" }],
  },
  { operation: "POST /api/schedules/{scheduleId}/pause", url: () => `/api/schedules/${randomUUID()}/pause`, pathParams: true, validBody: () => ({}), bodyOptional: true },
  { operation: "POST /api/schedules/{scheduleId}/resume", url: () => `/api/schedules/${randomUUID()}/resume`, pathParams: true, validBody: () => ({}), bodyOptional: true },
  { operation: "DELETE /api/schedules/{scheduleId}", url: () => `/api/schedules/${randomUUID()}`, pathParams: true },
];

interface BadRequest {
  route: string;
  name: string;
  request: (f: Fixture) => InjectOptions;
  status?: number;
  code?: ErrorCode;
}

/** The generic bad requests of a route plus its own cases. */
function badRequests(spec: RouteSpec): BadRequest[] {
  const method = spec.operation.split(" ")[0] as InjectOptions["method"];
  const out: BadRequest[] = [];
  const add = (name: string, request: (f: Fixture) => Omit<InjectOptions, "method" | "url"> & { url?: string }, expected: { status?: number; code?: ErrorCode } = {}) =>
    out.push({ route: spec.operation, name, request: (f) => ({ method, url: spec.url(f), ...request(f) }), ...expected });

  if (spec.validBody) {
    const json = (payload: string, contentType = "application/json") => () => ({ payload, headers: { "content-type": contentType } });
    add("malformed JSON", json('{"title": '), { status: 400, code: "ERR_REQUEST_MALFORMED_JSON" });
    add("a __proto__ key", json('{"__proto__": {"admin": true}}'), { status: 400, code: "ERR_REQUEST_MALFORMED_JSON" });
    add("a constructor.prototype key", json('{"constructor": {"prototype": {"admin": true}}}'), { status: 400, code: "ERR_REQUEST_MALFORMED_JSON" });
    add("an empty JSON body", json(""), { status: 400, code: "ERR_REQUEST_EMPTY_JSON_BODY" });
    add("a text/plain body", json("hello", "text/plain"), { status: 415, code: "ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE" });
    add("a form body", json("title=x", "application/x-www-form-urlencoded"), { status: 415, code: "ERR_REQUEST_UNSUPPORTED_MEDIA_TYPE" });
    add("an oversized body", json(JSON.stringify({ title: "x".repeat(BODY_LIMIT) })), { status: 413, code: "ERR_REQUEST_BODY_TOO_LARGE" });
    add("a JSON array", json("[]"), { status: 400, code: "ERR_REQUEST_VALIDATION" });
    add("a JSON string", json('"title"'), { status: 400, code: "ERR_REQUEST_VALIDATION" });
    if (!spec.bodyOptional) add("JSON null", json("null"), { status: 400, code: "ERR_REQUEST_VALIDATION" });
    add("an unknown field", (f) => ({ payload: { ...spec.validBody!(f), isAdmin: true } }), { status: 400, code: "ERR_REQUEST_UNKNOWN_FIELDS" });
  }
  if (spec.pathParams) {
    add("a malformed id", (f) => ({ url: spec.url(f).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, "not-a-uuid") }), { status: 400, code: "ERR_REQUEST_VALIDATION" });
    add("an injected id", (f) => ({ url: spec.url(f).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, "1%27%20OR%20%271%27%3D%271") }), { status: 400, code: "ERR_REQUEST_VALIDATION" });
  }
  if (spec.query) {
    add("an unknown query parameter", (f) => ({ url: `${spec.url(f)}?admin=1` }), { status: 400, code: "ERR_REQUEST_UNKNOWN_FIELDS" });
  }
  for (const c of spec.urlCases ?? []) {
    add(c.name, () => ({ url: c.url }), { status: c.status ?? 400, code: c.code ?? (c.status === undefined ? "ERR_REQUEST_VALIDATION" : undefined) });
  }
  for (const c of spec.cases ?? []) {
    if (c.query !== undefined) {
      add(c.name, (f) => ({ url: `${spec.url(f)}?${c.query}` }), { status: c.status ?? 400, code: c.code ?? "ERR_REQUEST_VALIDATION" });
    } else {
      add(c.name, (f) => ({ payload: JSON.stringify({ ...spec.validBody!(f), ...(c.body!(f) as object) }), headers: { "content-type": "application/json" } }), {
        status: c.status ?? 400,
        code: c.code ?? (c.status === undefined ? "ERR_REQUEST_VALIDATION" : undefined),
      });
    }
  }
  return out;
}

const BAD_REQUESTS = ROUTES.flatMap(badRequests);

describeEachBackend("bad input on every route", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: App;
  let alice: TestUser;
  let fixture: Fixture;

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    app = await createTestApp({ store, env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
    alice = await signIn(app);
    const notebook = (await as(app, alice, { method: "POST", url: "/api/notebooks", payload: { title: "fixture" } })).json();
    const cell = (await as(app, alice, { method: "POST", url: `/api/notebooks/${notebook.id}/cells`, payload: { kind: "recipe", source: "x" } })).json();
    const template = (
      await as(app, alice, {
        method: "POST",
        url: "/api/templates",
        payload: { title: "fixture", source: 'param hot = 30\nfrom "d" window all\ncount(temperature > hot)' },
      })
    ).json();
    fixture = { notebookId: notebook.id, cellId: cell.id, templateId: template.id, user: alice.address };
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  it("names every operation of the API", async () => {
    const documented = (await apiOperations(app)).map((o) => o.key).sort();
    expect(ROUTES.map((r) => r.operation).sort()).toEqual(documented);
  });

  it.each(BAD_REQUESTS.map((b) => [`${b.route} — ${b.name}`, b] as const))("%s → 4xx, error shape, nothing written", async (_title, bad) => {
    const before = await snapshotStore(store);
    const response = await as(app, alice, bad.request(fixture));
    if (bad.status !== undefined && bad.code !== undefined) {
      expectError(response, bad.status, bad.code);
    } else {
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, response.body).toBeLessThan(500);
      if (bad.status !== undefined) expect(response.statusCode).toBe(bad.status);
      expect(Object.keys(response.json())).toEqual(["error"]);
    }
    expect(response.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(await snapshotStore(store)).toEqual(before);
  });
});
