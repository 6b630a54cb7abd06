// Helpers the route files share.
import { notFound, param, type Ctx } from "../http";

/** The project in the path must be the simulated one; anything else is a 404, as for a foreign project. */
export function requireProject(ctx: Ctx, key = "id"): string {
  const id = param(ctx, key);
  if (id !== ctx.store.projectId) throw notFound("Project not found");
  return id;
}
