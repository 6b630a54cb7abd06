// A user's program whose resources come from config, so one program covers many test cases.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const specs = config.requireObject<{ name: string; args: anyvpc.VpcArgs }[]>("vpcs");
export const vpcs = Object.fromEntries(specs.map((s) => [s.name, new anyvpc.Vpc(s.name, s.args).cidr]));
