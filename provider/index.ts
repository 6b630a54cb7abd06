// The provider's entry point, loaded by the thin shims that Pulumi serializes into state (see
// sdk/shim.ts): `require("anyvpc/provider").providerFor("Vpc")`. Holding the code here, not in the
// serialized text, means refresh and destroy always run the installed version of the handlers.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { InputError } from "./errors";
import { fabricConfigKey } from "./fabric";
import { contextFromConfig, toFailures, type ContextResult, type ProviderContext } from "./resources/common";
import { checkVpc, createVpc, deleteVpc, diffVpc, readVpc, updateVpc } from "./resources/vpc";

export { AnyvpcError, InputError, PlanError } from "./errors";
export type * from "./generated/schema";

export type ResourceKind = "Vpc";

let context: ContextResult | undefined;

/** The context set by configure; a clear error when the stack's fabric description is missing or bad. */
function requireContext(): ProviderContext {
  if (!context) context = contextFromConfig(undefined);
  if (!context.ok) throw new InputError({ field: fabricConfigKey, problem: context.errors.map((e) => e.message).join("; ") });
  return context.context;
}

interface Handlers {
  check(ctx: ProviderContext, olds: any, news: any): Promise<{ inputs: any; failures: { property: string; reason: string }[] }>;
  diff(id: string, olds: any, news: any): Promise<dynamic.DiffResult>;
  create(ctx: ProviderContext, inputs: any): Promise<{ id: string; outs: any }>;
  read(ctx: ProviderContext, id: string, props: any): Promise<{ id: string; props: any }>;
  update(ctx: ProviderContext, id: string, olds: any, news: any): Promise<{ outs: any }>;
  delete(ctx: ProviderContext, id: string, props: any): Promise<void>;
}

const handlers: Record<ResourceKind, Handlers> = {
  Vpc: { check: checkVpc, diff: diffVpc, create: createVpc, read: readVpc, update: updateVpc, delete: deleteVpc },
};

/** A dynamic ResourceProvider for one resource kind, bound to the configured context. */
export function providerFor(kind: ResourceKind): dynamic.ResourceProvider {
  const h = handlers[kind];
  if (!h) throw new Error(`anyvpc has no resource kind ${kind}`);
  return {
    async configure(req) {
      context = contextFromConfig(req.config.get(fabricConfigKey));
    },
    async check(olds, news) {
      if (!context) context = contextFromConfig(undefined);
      if (!context.ok) return { inputs: news, failures: toFailures(context.errors) };
      return h.check(context.context, olds, news);
    },
    diff: (id, olds, news) => h.diff(id, olds, news),
    create: (inputs) => h.create(requireContext(), inputs),
    read: (id, props) => h.read(requireContext(), id, props),
    update: (id, olds, news) => h.update(requireContext(), id, olds, news),
    delete: (id, props) => h.delete(requireContext(), id, props),
  };
}
