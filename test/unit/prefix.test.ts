import assert from "node:assert/strict";
import { contains, formatPrefix, overlaps, parsePrefix, prefix } from "../../provider/ipam/prefix";

describe("prefix parsing", () => {
  it("round-trips IPv4 and IPv6 networks", () => {
    for (const text of [
      "10.0.0.0/8",
      "192.168.1.0/24",
      "0.0.0.0/0",
      "10.1.2.3/32",
      "fd00:10::/48",
      "2001:db8::/32",
      "::/0",
    ]) {
      assert.equal(formatPrefix(prefix(text)), text);
    }
  });

  it("names what is wrong with a malformed CIDR", () => {
    const cases: [unknown, RegExp][] = [
      ["10.0.0.0", /no prefix length/],
      ["10.0.0.256/24", /invalid IP address '10.0.0.256'/],
      ["10.0.0.0/33", /invalid prefix length '33' \(IPv4 allows 0 to 32\)/],
      ["fd00::/129", /IPv6 allows 0 to 128/],
      ["10.0.0.1/16", /host bits set; the network is 10.0.0.0\/16/],
      ["10.1/16", /invalid IP address/],
      ["fe80::1%eth0/64", /invalid IP address/],
      [42, /not a string/],
    ];
    for (const [input, reason] of cases) {
      const r = parsePrefix(input);
      assert.equal(r.ok, false, `${String(input)} should not parse`);
      if (!r.ok) assert.match(r.reason, reason);
    }
  });

  it("knows containment and overlap across families", () => {
    assert.ok(contains(prefix("10.0.0.0/8"), prefix("10.20.0.0/16")));
    assert.ok(!contains(prefix("10.20.0.0/16"), prefix("10.0.0.0/8")));
    assert.ok(overlaps(prefix("10.0.0.0/8"), prefix("10.255.255.0/24")));
    assert.ok(!overlaps(prefix("10.0.0.0/8"), prefix("11.0.0.0/8")));
    assert.ok(!overlaps(prefix("10.0.0.0/8"), prefix("a00::/8")), "families never overlap");
  });
});
