// A Kubernetes cluster's network on a switch fabric: the nodes in one subnet of a VPC, a bastion
// beside them, and a load balancer in front of the control plane (443 → the API server's 6443) and
// the ingress (80). Which nodes serve, and any extra listeners, come from config, so a node can be
// drained out of the load balancer, or a port added, with one `pulumi up`.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const site = config.get("site") ?? "ams";
const nodeNames = config.getObject<string[]>("nodes") ?? ["node-1", "node-2", "node-3"];
const serving = config.getObject<string[]>("backends") ?? nodeNames;
const extraListeners = config.getObject<{ port: number; targetPort?: number }[]>("extraListeners") ?? [];

const vpc = new anyvpc.Vpc("k8s", { sites: [site], tags: { cluster: pulumi.getStack() } });
const nodesNet = new anyvpc.Subnet("nodes", { vpc: vpc.id, site, size: 24 });
const nodes = Object.fromEntries(
  nodeNames.map((n) => [n, new anyvpc.Attachment(n, { subnet: nodesNet.id, server: n })]),
);
const bastion = new anyvpc.Attachment("bastion", {
  subnet: nodesNet.id,
  server: config.get("bastion") ?? "node-4",
});

const api = new anyvpc.LoadBalancer("api", {
  vpc: vpc.id,
  listeners: [{ port: 443, targetPort: 6443 }, { port: 80 }, ...extraListeners],
  backends: serving.map((n) => nodes[n]!.id),
  healthCheck: { protocol: "tcp", port: 6443 },
});

export const vip = api.vip;
export const listeners = api.listeners;
export const backends = api.backends;
export const inService = api.inService;
export const addresses = Object.fromEntries(
  [...Object.entries(nodes), ["bastion", bastion] as const].map(([n, a]) => [n, a.ip]),
);
export const prefixLength = nodesNet.size;
