import * as assert from "assert";
import { contains, overlaps, parseCidr, size } from "../../config/cidr";

function cidr(text: string) {
    const result = parseCidr(text);
    assert.ok(result.ok, `${text} should parse`);
    return result.cidr;
}

describe("CIDR arithmetic", () => {
    it("parses valid blocks to their canonical form and size", () => {
        assert.deepStrictEqual(
            ["10.0.0.0/16", "10.0.11.0/24", "0.0.0.0/0", "192.168.1.128/25"].map((t) => [
                cidr(t).text,
                size(cidr(t)),
            ]),
            [
                ["10.0.0.0/16", 65536],
                ["10.0.11.0/24", 256],
                ["0.0.0.0/0", 4294967296],
                ["192.168.1.128/25", 128],
            ],
        );
    });

    for (const [text, reason] of [
        ["10.0.0.0", /form a\.b\.c\.d\/n/],
        ["10.0.0/16", /each part 0-255/],
        ["10.0.256.0/24", /each part 0-255/],
        ["10.0.01.0/24", /each part 0-255/],
        ["10.0.0.0/33", /over 32/],
        [" 10.0.0.0/16", /form a\.b\.c\.d\/n/],
        ["subnet-a", /form a\.b\.c\.d\/n/],
        ["10.0.0.1/16", /host bits set; the network address is 10\.0\.0\.0\/16/],
    ] as const) {
        it(`rejects ${JSON.stringify(text)}`, () => {
            const result = parseCidr(text);
            assert.ok(!result.ok);
            assert.match(result.reason, reason);
        });
    }

    it("knows containment and overlap at block edges", () => {
        const vpc = cidr("10.0.0.0/16");
        assert.ok(contains(vpc, cidr("10.0.255.0/24")));
        assert.ok(!contains(vpc, cidr("10.1.0.0/24")));
        assert.ok(
            !contains(cidr("10.0.0.0/24"), vpc),
            "a smaller block cannot contain a larger one",
        );
        assert.ok(overlaps(cidr("10.0.0.0/23"), cidr("10.0.1.0/24")));
        assert.ok(!overlaps(cidr("10.0.0.0/24"), cidr("10.0.1.0/24")));
    });
});
