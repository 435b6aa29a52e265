import {
  CreateStreamRequestSchema,
  StreamIdSchema,
  StreamStateRequestSchema,
  UpdateStreamRequestSchema,
} from "@mpvstream/core";
import type { Express, Request } from "express";
import { authenticate } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { HttpProblem } from "../http/problem.js";
import { parseBody } from "../http/validate.js";

/** The `{id}` of a stream URL; an id that cannot exist is simply not found. */
const streamId = (req: Request): string => {
  const id = String(req.params.id);
  if (!StreamIdSchema.safeParse(id).success) {
    throw new HttpProblem("stream_not_found", `There is no stream "${id.slice(0, 64)}".`);
  }
  return id;
};

/** Registers the stream records and admin CRUD (`/streams...`). */
export function streamRoutes(app: Express, ctx: AppContext): void {
  const user = authenticate(ctx);
  const admin = authenticate(ctx, "admin");

  app.get("/streams", user, async (_req, res) => {
    res.json({ streams: await ctx.streams.list(ctx.clock()) });
  });

  app.get("/streams/:id", user, async (req, res) => {
    const id = streamId(req);
    const stream = await ctx.streams.get(id, ctx.clock());
    if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
    res.json(stream);
  });

  app.post("/streams", admin, async (req, res) => {
    const body = parseBody(CreateStreamRequestSchema, req);
    const stream = await ctx.streams.create(body, ctx.clock());
    if (!stream) throw new HttpProblem("stream_exists", `A stream "${body.id}" exists already.`);
    res.status(201).location(`/streams/${stream.id}`).json(stream);
  });

  app.patch("/streams/:id", admin, async (req, res) => {
    const id = streamId(req);
    const body = parseBody(UpdateStreamRequestSchema, req);
    const stream = await ctx.streams.update(id, body, ctx.clock());
    if (!stream) throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
    res.json(stream);
  });

  app.delete("/streams/:id", admin, async (req, res) => {
    const id = streamId(req);
    const outcome = await ctx.streams.delete(id);
    if (outcome === "not_found") throw new HttpProblem("stream_not_found", `There is no stream "${id}".`);
    if (outcome !== "deleted") {
      throw new HttpProblem(
        "invalid_transition",
        `The stream "${id}" is ${outcome}; set it offline before deleting it.`,
      );
    }
    res.status(204).end();
  });

  app.post("/streams/:id/state", admin, async (req, res) => {
    const id = streamId(req);
    const { state } = parseBody(StreamStateRequestSchema, req);
    res.status(202).json(await ctx.controller.setState(id, state));
  });

  app.post("/streams/:id/restart", admin, async (req, res) => {
    const id = streamId(req);
    res.status(202).json(await ctx.controller.restart(id));
  });
}
