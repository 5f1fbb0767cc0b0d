/**
 * The OpenAPI 3.1 document of the service, made from the zod schemas that
 * check the requests (serve/schemas.ts), so the document and the checks are
 * one thing.
 */
import { z } from "zod";
import { clockSchema, endSchema, estimateSchema, forecastSchema, grantSchema, powerBudgetSchema, refundSchema, startSchema, submitSchema, tokenSchema } from "./schemas.js";

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }) });

type Auth = "none" | "admin" | "project";

interface Op {
  readonly summary: string;
  readonly auth: Auth;
  readonly body?: z.ZodType;
  readonly params?: readonly string[];
  readonly query?: readonly string[];
  readonly produces?: string;
}

const ROUTES: Record<string, Record<string, Op>> = {
  "/healthz": { get: { summary: "Liveness: the service's clock and counts", auth: "none" } },
  "/openapi.json": { get: { summary: "This document", auth: "none" } },
  "/metrics": { get: { summary: "Prometheus metrics", auth: "admin", produces: "text/plain" } },
  "/v1/jobs": { post: { summary: "Submit a job for a placement decision (site, partition and node type, start time, with the reason); the budget check may defer or refuse it", auth: "project", body: submitSchema } },
  "/v1/jobs/{id}": { get: { summary: "A job's state and decision", auth: "project", params: ["id"] } },
  "/v1/jobs/{id}/start": { post: { summary: "Report that a job started", auth: "project", body: startSchema, params: ["id"] } },
  "/v1/jobs/{id}/end": { post: { summary: "Report that a job ended (killed or not), with its measured energy when known; charges the ledger", auth: "project", body: endSchema, params: ["id"] } },
  "/v1/estimates": { post: { summary: "Estimates of a job on the live cluster: wait, run time, energy and impacts per site, node type and start", auth: "project", body: estimateSchema } },
  "/v1/clock": { post: { summary: "Move a simulated clock (replays)", auth: "admin", body: clockSchema } },
  "/v1/decisions": { get: { summary: "Decisions after a sequence number (bridges apply them)", auth: "admin", query: ["after", "limit"] } },
  "/v1/cluster": { get: { summary: "The cluster now: queue, running jobs, pools, site power and budgets", auth: "admin" } },
  "/v1/sites/{site}/forecast": { post: { summary: "A climate-change intensity forecast for a site, with its issue time", auth: "admin", body: forecastSchema, params: ["site"] } },
  "/v1/sites/{site}/power-budget": { put: { summary: "A site's IT power budget", auth: "admin", body: powerBudgetSchema, params: ["site"] } },
  "/v1/projects/{project}/balance": { get: { summary: "What is left of a project's (or user's) budget", auth: "project", params: ["project"], query: ["user", "unit", "at"] } },
  "/v1/projects/{project}/statement": { get: { summary: "A project's (or user's) statement: impacts by phase and category, per user, waste, balance", auth: "project", params: ["project"], query: ["user", "from", "to", "unit"] } },
  "/v1/projects/{project}/entries.csv": { get: { summary: "The project's ledger entries as CSV", auth: "project", params: ["project"], query: ["user", "from", "to"], produces: "text/csv" } },
  "/v1/projects/{project}/grants": { post: { summary: "Grant impact credits to a project (or user) for a period", auth: "admin", body: grantSchema, params: ["project"] } },
  "/v1/projects/{project}/tokens": { post: { summary: "A new token for a project (shown once; stored hashed)", auth: "admin", body: tokenSchema, params: ["project"] } },
  "/v1/refunds": { post: { summary: "Refund a charge (a new entry of the opposite figures)", auth: "admin", body: refundSchema.extend({ refers: z.string().min(1) }) } },
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const err = z.toJSONSchema(errorSchema);
  for (const [path, ops] of Object.entries(ROUTES)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(ops)) {
      const responses: Record<string, unknown> = { "200": { description: "OK", content: { [op.produces ?? "application/json"]: {} } }, "400": { description: "Invalid request (each issue with its JSON path)", content: { "application/json": { schema: err } } } };
      if (op.auth !== "none") {
        responses["401"] = { description: "No or unknown token", content: { "application/json": { schema: err } } };
        responses["403"] = { description: op.auth === "admin" ? "Not the admin token" : "Another project's token", content: { "application/json": { schema: err } } };
      }
      if (op.body) responses["413"] = { description: "Body too large", content: { "application/json": { schema: err } } };
      responses["429"] = { description: "Rate limit", content: { "application/json": { schema: err } } };
      paths[path][method] = {
        summary: op.summary,
        ...(op.auth !== "none" ? { security: [{ bearer: [] }] } : {}),
        parameters: [...(op.params ?? []).map((n) => ({ name: n, in: "path", required: true, schema: { type: "string" } })), ...(op.query ?? []).map((n) => ({ name: n, in: "query", required: false, schema: { type: "string" } }))],
        ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: z.toJSONSchema(op.body, { io: "input", unrepresentable: "any" }) } } } } : {}),
        responses,
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "impactsim serve", version: "1", description: "Placement decisions, live impact accounting and budgets in impact credits (EF 3.1 single score or a chosen category). Tokens: Authorization: Bearer; the admin token may do everything, a project's token what concerns its project." },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
