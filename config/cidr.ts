/**
 * IPv4 CIDR arithmetic for config validation. Pure: no Pulumi, no I/O.
 */

export interface Ipv4Cidr {
    /** The network address as an unsigned 32-bit integer. */
    readonly network: number;
    /** Prefix length, 0-32. */
    readonly prefixLength: number;
    /** Canonical text form, e.g. "10.0.0.0/16". */
    readonly text: string;
}

export type CidrParseResult =
    | { readonly ok: true; readonly cidr: Ipv4Cidr }
    | { readonly ok: false; readonly reason: string };

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

function formatAddress(address: number): string {
    return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join(".");
}

function maskFor(prefixLength: number): number {
    return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Parses "a.b.c.d/n", rejecting set host bits so that a typo is not silently widened or narrowed. */
export function parseCidr(text: string): CidrParseResult {
    const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim() === text ? text : "");
    if (!match) {
        return { ok: false, reason: "is not an IPv4 CIDR block of the form a.b.c.d/n" };
    }
    const octets = match[1].split(".");
    if (octets.length !== 4 || !octets.every((o) => OCTET.test(o) && Number(o) <= 255)) {
        return {
            ok: false,
            reason: "is not an IPv4 CIDR block of the form a.b.c.d/n (each part 0-255)",
        };
    }
    const prefixLength = Number(match[2]);
    if (prefixLength > 32) {
        return { ok: false, reason: "has a prefix length over 32" };
    }
    const address = octets.reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
    const network = (address & maskFor(prefixLength)) >>> 0;
    if (network !== address) {
        return {
            ok: false,
            reason: `has host bits set; the network address is ${formatAddress(network)}/${prefixLength}`,
        };
    }
    return {
        ok: true,
        cidr: { network, prefixLength, text: `${formatAddress(network)}/${prefixLength}` },
    };
}

/** Number of addresses in the block. */
export function size(cidr: Ipv4Cidr): number {
    return 2 ** (32 - cidr.prefixLength);
}

/** True when every address of `inner` lies in `outer`. */
export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
    return (
        inner.prefixLength >= outer.prefixLength &&
        (inner.network & maskFor(outer.prefixLength)) >>> 0 === outer.network
    );
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
    return contains(a, b) || contains(b, a);
}
