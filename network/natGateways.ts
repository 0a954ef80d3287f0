/** The network tier's NAT layouts (pure, so config can name them without loading Pulumi). */

/** `single`: one NAT gateway shared by every AZ (cheaper). `onePerAz`: an AZ outage leaves the others' egress intact. */
export const NAT_GATEWAY_MODES = ["single", "onePerAz"] as const;
export type NatGatewayMode = (typeof NAT_GATEWAY_MODES)[number];
