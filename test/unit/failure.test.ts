// Apply-time failures read as one paragraph: the resource, what anyvpc was doing, the fabric call
// and the API's answer, and what to do — with no stack frames where the provider host prints them.
import assert from "node:assert/strict";
import { ApiError, PlanError } from "../../provider/errors";
import { DeployFailure } from "../../provider/failure";

describe("apply-time failures", () => {
  const owner = "proj/dev/LoadBalancer/api";

  it("name the resource, the fabric call, the API's answer and request id, and the fix", () => {
    const cause = new ApiError("Metal API", {
      status: 422,
      method: "POST",
      path: "/projects/p1/ips",
      apiMessage: "Quantity must be a power of two",
      requestId: "r-42",
    });
    const e = new DeployFailure("LoadBalancer", "create", { owner }, cause);
    assert.equal(
      e.message,
      "creating LoadBalancer api failed: Metal API POST /projects/p1/ips answered 422: " +
        "Quantity must be a power of two (request id r-42). Fix what the API names above and run `pulumi up` again.",
    );
    assert.equal(e.cause, cause);
    // What the dynamic-provider host prints for a failed read/update/delete: `${e}: ${e.stack}`.
    assert.equal(`${e}: ${e.stack}`, `anyvpc: ${e.message}`);
    assert.doesNotMatch(`${e}: ${e.stack}`, /\n\s+at /);
  });

  it("say what to check when a switch does not answer or refuses the credentials", () => {
    const down = new ApiError("NVUE leaf1", {
      status: 0,
      method: "PATCH",
      path: "/vrf",
      apiMessage: "ECONNREFUSED",
      ambiguous: true,
    });
    assert.match(
      new DeployFailure("Vpc", "delete", { owner: "p/s/Vpc/prod" }, down).message,
      /^deleting Vpc prod failed: NVUE leaf1 PATCH \/vrf did not answer: ECONNREFUSED\. Check that the API is reachable.*anyvpc sim/,
    );
    const refused = new ApiError("NVUE leaf2", {
      status: 401,
      method: "POST",
      path: "/revision",
      apiMessage: "",
    });
    assert.match(
      new DeployFailure("Subnet", "update", {}, refused).message,
      /^updating Subnet failed: .*credentials/,
    );
  });

  it("carry a planner's own fix", () => {
    const e = new DeployFailure(
      "Subnet",
      "create",
      { owner: "p/s/Subnet/web" },
      new PlanError("no free /24 left in 10.1.0.0/24", { fix: "use a larger VPC" }),
    );
    assert.equal(e.message, "creating Subnet web failed: No free /24 left in 10.1.0.0/24. Use a larger VPC.");
  });
});
