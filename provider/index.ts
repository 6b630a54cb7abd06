// The provider's entry point, loaded by the thin shims that Pulumi serializes into state (see
// sdk/shim.ts): `require("anyvpc/provider").providerFor("Vpc")`. Holding the code here, not in the
// serialized text, means refresh and destroy always run the installed version of the handlers.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { InputError } from "./errors";
import { fabricConfigKey } from "./fabric";
import { DeployFailure, type Operation } from "./failure";
import {
  contextFromConfig,
  CreateLeftBehind,
  toFailures,
  type ContextResult,
  type ProviderContext,
  type ResourceHandlers,
} from "./resources/common";
import { attachmentHandlers } from "./resources/attachment";
import { loadBalancerHandlers } from "./resources/loadbalancer";
import { subnetHandlers } from "./resources/subnet";
import { vpcHandlers } from "./resources/vpc";

export { AnyvpcError, InputError, PlanError } from "./errors";
export type * from "./generated/schema";

let context: ContextResult | undefined;

/** The context set by configure; a clear error when the stack's fabric description is missing or bad. */
function requireContext(): ProviderContext {
  if (!context) context = contextFromConfig(undefined);
  if (!context.ok)
    throw new InputError({
      field: fabricConfigKey,
      problem: context.errors.map((e) => e.message).join("; "),
    });
  return context.context;
}

const providers = {
  Vpc: () => bind("Vpc", vpcHandlers),
  Subnet: () => bind("Subnet", subnetHandlers),
  Attachment: () => bind("Attachment", attachmentHandlers),
  LoadBalancer: () => bind("LoadBalancer", loadBalancerHandlers),
} as const;
export type ResourceKind = keyof typeof providers;

/** A dynamic ResourceProvider for one resource kind, bound to the configured context. */
export function providerFor(kind: ResourceKind): dynamic.ResourceProvider {
  const make = providers[kind];
  if (!make) throw new Error(`anyvpc has no resource kind ${kind}`);
  return make();
}

// The engine passes old outputs to check/diff/update/read/delete and new inputs to check/create.
function bind<Args, State>(kind: ResourceKind, h: ResourceHandlers<Args, State>): dynamic.ResourceProvider {
  return {
    async configure(req: dynamic.ConfigureRequest) {
      context = contextFromConfig(req.config.get(fabricConfigKey));
    },
    async check(olds: Partial<State>, news: Args) {
      if (!context) context = contextFromConfig(undefined);
      if (!context.ok) return { inputs: news, failures: toFailures(context.errors) };
      const ctx = context.context;
      return readable(kind, "check", news, () => h.check(ctx, olds, news));
    },
    diff: (id: string, olds: State, news: Args) => readable(kind, "diff", news, () => h.diff(id, olds, news)),
    create: (inputs: Args) => readable(kind, "create", inputs, () => h.create(requireContext(), inputs)),
    read: (id: string, props: State) =>
      readable(kind, "read", props, () => h.read(requireContext(), id, props)),
    update: (id: string, olds: State, news: Args) =>
      readable(kind, "update", news, () => h.update(requireContext(), id, olds, news)),
    delete: (id: string, props: State) =>
      readable(kind, "delete", props, () => h.delete(requireContext(), id, props)),
  };
}

/** Runs one apply-time operation; a failure becomes one paragraph a user can act on. */
async function readable<T>(kind: string, op: Operation, props: unknown, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    // A create that must be recorded (it carries the id of what it made) stays as it is; the
    // dynamic-provider host records its properties as they are, so they carry the provider too.
    if (e instanceof CreateLeftBehind) {
      const provider = (props as { __provider?: unknown }).__provider;
      throw Object.assign(e, { properties: { ...e.properties, __provider: provider } });
    }
    throw new DeployFailure(kind, op, props, e);
  }
}
