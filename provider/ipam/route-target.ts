// BGP route targets (RFC 4360) as "ASN:number". The number comes from an integer pool whose width
// depends on the ASN: a 2-byte ASN leaves 32 bits for it (type 0), a 4-byte ASN only 16 (type 2).
import { PlanError } from "../errors";
import type { NumberRange } from "./space";

export function routeTargetRange(asn: number): NumberRange {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4_294_967_295) {
    throw new PlanError(`AS ${asn} is not a valid AS number`, {
      value: asn,
      fix: "use an ASN from 1 to 4294967295",
    });
  }
  return { from: 1, to: asn <= 65_535 ? 4_294_967_295 : 65_535 };
}

export function formatRouteTarget(asn: number, value: number): string {
  return `${asn}:${value}`;
}
