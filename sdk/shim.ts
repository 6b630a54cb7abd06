// The provider object Pulumi serializes into state for every anyvpc resource. It must stay a thin
// shim: Pulumi runs the *stored* provider text for refresh and destroy, so anything serialized by
// value would freeze old code (and drag drivers into state). Each method captures only the kind
// and requires the installed package at call time; the dynamic-provider process runs in the
// program's directory, where `anyvpc` resolves from node_modules.
import type * as pulumi from "@pulumi/pulumi";

export function providerShim(kind: string): pulumi.dynamic.ResourceProvider {
  return {
    configure: (req) => require("anyvpc/provider").providerFor(kind).configure(req),
    check: (olds, news) => require("anyvpc/provider").providerFor(kind).check(olds, news),
    diff: (id, olds, news) => require("anyvpc/provider").providerFor(kind).diff(id, olds, news),
    create: (inputs) => require("anyvpc/provider").providerFor(kind).create(inputs),
    read: (id, props) => require("anyvpc/provider").providerFor(kind).read(id, props),
    update: (id, olds, news) => require("anyvpc/provider").providerFor(kind).update(id, olds, news),
    delete: (id, props) => require("anyvpc/provider").providerFor(kind).delete(id, props),
  };
}
