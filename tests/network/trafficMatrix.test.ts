/**
 * The traffic matrix as a pure table, for both web tiers: which rows each tier has, and the
 * properties a reviewer relies on (who faces the internet, who may reach Redis and the gateway).
 */
import * as assert from "assert";
import {
    MatrixInput,
    ownGroups,
    TrafficRule,
    trafficMatrix,
    WebTierShape,
} from "../../network/trafficMatrix";

const INPUT: MatrixInput = {
    allowedCidrs: ["203.0.113.0/24"],
    sshCidrs: ["198.51.100.0/24"],
    gatewayPort: 9000,
};

/** One row as a line: "alb in tcp 443 from 203.0.113.0/24". */
const line = (r: TrafficRule) =>
    `${r.group} ${r.direction === "ingress" ? "in" : "out"} ${r.protocol} ${r.port} ${r.direction === "ingress" ? "from" : "to"} ${"cidr" in r.peer ? r.peer.cidr : "group" in r.peer ? r.peer.group : `NAT address ${r.peer.natAddress + 1}`}`;

const rows = (webTier?: WebTierShape, input: MatrixInput = INPUT) =>
    trafficMatrix({ ...input, webTier })
        .map(line)
        .sort();

const peerGroup = (r: TrafficRule) => ("group" in r.peer ? r.peer.group : undefined);

describe("traffic matrix: the usage gate on the gateway hosts", () => {
    it("lets the gateway hosts out to PostgreSQL and, with a directory, LDAP; the database admits them", () => {
        const gatewayRows = (directory: boolean) =>
            trafficMatrix({ ...INPUT, directory })
                .filter((r) => r.group === "gateway" || peerGroup(r) === "gateway")
                .map((r) => `${r.group} ${r.direction} ${r.port} ${peerGroup(r) ?? "cidr"}`);
        assert.deepStrictEqual(gatewayRows(true), [
            "web egress 9000 gateway",
            "gateway ingress 9000 web",
            "gateway egress 443 cidr",
            "gateway egress 5432 database",
            "gateway egress 389 directory",
            "database ingress 5432 gateway",
        ]);
        // directory: none: no LDAP row for the gate (no groups to look up).
        assert.deepStrictEqual(gatewayRows(false), [
            "web egress 9000 gateway",
            "gateway ingress 9000 web",
            "gateway egress 443 cidr",
            "gateway egress 5432 database",
            "database ingress 5432 gateway",
        ]);
    });
});

describe("traffic matrix: loadBalanced", () => {
    const matrix = trafficMatrix({ ...INPUT, webTier: "loadBalanced" });

    it("has exactly these rows", () => {
        assert.deepStrictEqual(rows("loadBalanced"), [
            "alb in tcp 443 from 203.0.113.0/24",
            "alb in tcp 80 from 203.0.113.0/24",
            "alb out tcp 8080 to web",
            "database in tcp 5432 from dbBootstrap",
            "database in tcp 5432 from gateway",
            "database in tcp 5432 from web",
            "dbBootstrap out tcp 443 to 0.0.0.0/0",
            "dbBootstrap out tcp 5432 to database",
            "directoryPolicy out tcp 389 to directory",
            "directoryPolicy out tcp 443 to 0.0.0.0/0",
            "gateway in tcp 9000 from gatewayLb",
            "gateway out tcp 389 to directory",
            "gateway out tcp 443 to 0.0.0.0/0",
            "gateway out tcp 5432 to database",
            "gatewayLb in tcp 443 from web",
            "gatewayLb out tcp 9000 to gateway",
            "redis in tcp 6379 from web",
            "web in tcp 8080 from alb",
            "web out tcp 389 to directory",
            "web out tcp 443 to 0.0.0.0/0",
            "web out tcp 443 to gatewayLb",
            "web out tcp 53 to directory",
            "web out tcp 5432 to database",
            "web out tcp 6379 to redis",
            "web out udp 53 to directory",
        ]);
    });

    it("gives the web hosts no ingress from any address range (no client traffic, no SSH): the ALB only", () => {
        const webIngress = matrix.filter((r) => r.group === "web" && r.direction === "ingress");
        assert.deepStrictEqual(webIngress.map(line), ["web in tcp 8080 from alb"]);
        assert.ok(!matrix.some((r) => r.port === 22), "no SSH row, though sshCidrs are given");
    });

    it("takes client ranges on the ALB only, on 443 and 80", () => {
        const fromCidrs = matrix.filter((r) => r.direction === "ingress" && "cidr" in r.peer);
        assert.deepStrictEqual(fromCidrs.map(line).sort(), [
            "alb in tcp 443 from 203.0.113.0/24",
            "alb in tcp 80 from 203.0.113.0/24",
        ]);
    });

    it("lets only the web hosts reach Redis, and Redis reach nothing", () => {
        const toRedis = matrix.filter(
            (r) =>
                (r.group === "redis" && r.direction === "ingress") ||
                (peerGroup(r) === "redis" && r.direction === "egress"),
        );
        assert.deepStrictEqual(toRedis.map(line).sort(), [
            "redis in tcp 6379 from web",
            "web out tcp 6379 to redis",
        ]);
        assert.ok(!matrix.some((r) => r.group === "redis" && r.direction === "egress"));
    });

    it("lets only the internal load balancer reach the gateway hosts, and only the web hosts reach it", () => {
        assert.deepStrictEqual(
            matrix.filter((r) => r.group === "gateway" && r.direction === "ingress").map(line),
            ["gateway in tcp 9000 from gatewayLb"],
        );
        assert.deepStrictEqual(
            matrix.filter((r) => r.group === "gatewayLb" && r.direction === "ingress").map(line),
            // Open WebUI calls the load balancer's HTTPS listener; it forwards to the hosts' port.
            ["gatewayLb in tcp 443 from web"],
        );
        assert.ok(
            !matrix.some((r) => r.group === "web" && peerGroup(r) === "gateway"),
            "the web hosts do not bypass the load balancer",
        );
    });
});

describe("traffic matrix: single", () => {
    it("is the default, and keeps the single host's rows (SSH from the configured ranges)", () => {
        assert.deepStrictEqual(rows(undefined), rows("single"));
        assert.deepStrictEqual(
            trafficMatrix({ ...INPUT, webTier: "single" })
                .filter((r) => r.direction === "ingress" && "cidr" in r.peer)
                .map(line)
                .sort(),
            [
                "web in tcp 22 from 198.51.100.0/24",
                "web in tcp 443 from 203.0.113.0/24",
                "web in tcp 80 from 203.0.113.0/24",
            ],
        );
    });

    it("names no group that exists only in the load-balanced tier", () => {
        const lbOnly = ["alb", "gatewayLb", "redis"];
        for (const r of trafficMatrix({ ...INPUT, webTier: "single" })) {
            assert.ok(!lbOnly.includes(r.group), line(r));
            assert.ok(!lbOnly.includes(peerGroup(r) ?? ""), line(r));
        }
    });

    it("each tier has its own groups: the load-balanced tier adds the ALB's, the internal load balancer's and Redis's", () => {
        assert.deepStrictEqual(ownGroups(), ["web", "gateway", "dbBootstrap", "directoryPolicy"]);
        assert.deepStrictEqual(ownGroups("loadBalanced"), [
            "web",
            "gateway",
            "dbBootstrap",
            "directoryPolicy",
            "alb",
            "gatewayLb",
            "redis",
        ]);
    });
});

describe("traffic matrix: both tiers", () => {
    for (const webTier of ["single", "loadBalanced"] as const) {
        it(`${webTier}: pairs every group-to-group row with its counterpart on the other group`, () => {
            // Security groups need both sides: an egress rule without the peer's ingress (or the
            // other way round) lets nothing through. The directory's group is AWS's: it admits the VPC.
            const matrix = trafficMatrix({ ...INPUT, webTier });
            for (const r of matrix.filter((x) => peerGroup(x) && peerGroup(x) !== "directory")) {
                const counterpart = matrix.find(
                    (x) =>
                        x.group === peerGroup(r) &&
                        peerGroup(x) === r.group &&
                        x.protocol === r.protocol &&
                        x.port === r.port &&
                        x.direction !== r.direction,
                );
                assert.ok(counterpart, `${line(r)} has no counterpart on ${peerGroup(r)}`);
            }
        });
    }
});

describe("traffic matrix: the health probe's way in (loadBalanced)", () => {
    it("admits each NAT gateway's address to the ALB on 443 only, whatever the client ranges", () => {
        const matrix = trafficMatrix({ ...INPUT, webTier: "loadBalanced", natAddresses: 2 });
        assert.deepStrictEqual(matrix.filter((r) => "natAddress" in r.peer).map(line), [
            "alb in tcp 443 from NAT address 1",
            "alb in tcp 443 from NAT address 2",
        ]);
        assert.deepStrictEqual(
            trafficMatrix({ ...INPUT, natAddresses: 2 }).filter((r) => "natAddress" in r.peer),
            [],
            "the single host probes itself through Caddy",
        );
    });
});
