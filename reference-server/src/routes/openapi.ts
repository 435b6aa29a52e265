import { ENDPOINTS, type Endpoint, ErrorResponseSchema } from "@mpvstream/core";
import { z } from "zod";

/** An OpenAPI 3.1 document (kept loose: it is built from the core schemas and served as JSON). */
export type OpenApiDocument = Record<string, unknown>;

const json = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

/** Builds the OpenAPI 3.1 document of the API from `ENDPOINTS` of `@mpvstream/core`. */
export function buildOpenApi(version: string, serverUrl: string): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, endpoint] of Object.entries(ENDPOINTS) as [string, Endpoint][]) {
    const operation: Record<string, unknown> = { operationId: name, summary: endpoint.summary };
    const parameters: unknown[] = [];
    for (const match of endpoint.path.matchAll(/\{(\w+)\}/g)) {
      parameters.push({ name: match[1], in: "path", required: true, schema: { type: "string" } });
    }
    if (endpoint.query) {
      const schema = json(endpoint.query, "input") as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [param, property] of Object.entries(schema.properties ?? {})) {
        parameters.push({
          name: param,
          in: "query",
          required: schema.required?.includes(param) ?? false,
          schema: property,
        });
      }
    }
    if (endpoint.idempotent) {
      parameters.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        description:
          "Replays the first answer for the same key and body; 422 for another body; 409 while running.",
        schema: { type: "string", minLength: 1, maxLength: 255 },
      });
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (endpoint.body) {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: json(endpoint.body, "input") } },
      };
    }
    const responses: Record<string, unknown> = {
      [String(endpoint.status)]: endpoint.response
        ? {
            description: "Success",
            content: { "application/json": { schema: json(endpoint.response, "output") } },
          }
        : { description: "Success" },
      "4XX": problemResponse("A problem (RFC 9457); `code` says which"),
      "5XX": problemResponse("A problem on the server side (503 carries Retry-After)"),
    };
    operation.responses = responses;
    if (endpoint.auth === "user" || endpoint.auth === "admin") operation.security = [{ bearer: [] }];
    if (endpoint.auth === "metrics") operation.security = [{ bearer: [] }, {}];
    if (endpoint.auth === "admin") operation.description = "Admins only (403 `forbidden` for other users).";
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "mpvstream API",
      version,
      description: "Pay-per-minute live streaming for mpv viewers. Errors are application/problem+json.",
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: json(ErrorResponseSchema, "output") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}
