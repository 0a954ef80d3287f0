/**
 * The edge each committed stack declares: prod (loadBalanced) wires the ALB, its certificate, WAF
 * and the alias to the network, the security groups and the web hosts; dev (single) has none of it.
 */
import * as assert from "assert";
import { named, ofType } from "../harness/query";
import { forEachStack } from "../harness/stacks";
import { runProgram } from "../../offline/run";

const T = {
    alb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    record: "aws:route53/record:Record",
    certificate: "aws:acm/certificate:Certificate",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    association: "aws:wafv2/webAclAssociation:WebAclAssociation",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    asg: "aws:autoscaling/group:Group",
    bucket: "aws:s3/bucket:Bucket",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
};

/** Config the prod stack file sets for the edge. */
const PROD = { domainName: "portal.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };

forEachStack(
    "edge",
    (ctx) => {
        it("points the portal's domain at the internet-facing ALB, in the configured zone", () => {
            const alb = named(ctx.run, T.alb, "edge-alb");
            const alias = named(ctx.run, T.record, "edge-portal-alias");
            assert.deepStrictEqual(
                [alias.inputs.zoneId, alias.inputs.name, alias.inputs.type],
                [PROD.hostedZoneId, PROD.domainName, "A"],
            );
            assert.deepStrictEqual(alias.inputs.aliases, [
                { name: alb.state.dnsName, zoneId: alb.state.zoneId, evaluateTargetHealth: true },
            ]);
            assert.strictEqual(alb.inputs.internal, false);
            assert.strictEqual(ctx.run.outputs.portalUrl, `https://${PROD.domainName}`);
            assert.strictEqual(ctx.run.outputs.albDnsName, alb.state.dnsName);
            assert.strictEqual(ctx.run.outputs.albZoneId, alb.state.zoneId);
            assert.strictEqual(ctx.run.outputs.albArn, alb.state.arn);
        });

        it("puts the ALB in the public subnets, in the `alb` security group, with deletion protection", () => {
            const alb = named(ctx.run, T.alb, "edge-alb");
            assert.deepStrictEqual(alb.inputs.subnets, ctx.run.outputs.publicSubnetIds);
            assert.deepStrictEqual(alb.inputs.securityGroups, [named(ctx.run, T.sg, "sg-alb").id]);
            assert.strictEqual(
                named(ctx.run, T.sg, "sg-alb").inputs.tags.Name,
                "ai-portal-prod-alb",
            );
            assert.strictEqual(alb.inputs.enableDeletionProtection, true);
            // The access logs survive a destroy with the rest of prod's data.
            assert.strictEqual(named(ctx.run, T.bucket, "edge-access-logs-bucket").protect, true);
        });

        it("associates the WAF web ACL with the ALB", () => {
            const association = named(ctx.run, T.association, "edge-waf-association");
            assert.strictEqual(
                association.inputs.resourceArn,
                named(ctx.run, T.alb, "edge-alb").state.arn,
            );
            assert.strictEqual(
                association.inputs.webAclArn,
                named(ctx.run, T.webAcl, "edge-waf-acl").state.arn,
            );
            assert.strictEqual(ctx.run.outputs.wafAclArn, association.inputs.webAclArn);
        });

        it("validates the certificate in the domain's zone and serves it on 443", () => {
            const certificate = named(ctx.run, T.certificate, "edge-certificate");
            assert.strictEqual(certificate.inputs.domainName, PROD.domainName);
            assert.strictEqual(
                named(ctx.run, T.record, "edge-certificate-validation").inputs.zoneId,
                PROD.hostedZoneId,
            );
            const https = ofType(ctx.run, T.listener).find(
                (l) =>
                    l.inputs.loadBalancerArn === named(ctx.run, T.alb, "edge-alb").state.arn &&
                    l.inputs.port === 443,
            )!;
            assert.strictEqual(https.inputs.certificateArn, certificate.state.arn);
        });

        it("sends the ALB's traffic to the web hosts' Auto Scaling group, in the VPC", () => {
            const targets = named(ctx.run, T.targetGroup, "edge-web-targets");
            assert.strictEqual(targets.inputs.vpcId, ctx.run.outputs.vpcId);
            assert.deepStrictEqual(
                named(ctx.run, T.asg, "compute-web-group").inputs.targetGroupArns,
                [targets.state.arn],
            );
            // The gateway hosts sit behind their own, internal load balancer, not the ALB.
            assert.ok(
                !named(ctx.run, T.asg, "compute-gateway-group").inputs.targetGroupArns.includes(
                    targets.state.arn,
                ),
            );
        });

        it("WAF limits an address to 10000 requests and 20 sign-in requests in 5 minutes (Pulumi.yaml's defaults)", () => {
            const rules = Object.fromEntries(
                named(ctx.run, T.webAcl, "edge-waf-acl").inputs.rules.map((r: any) => [r.name, r]),
            );
            assert.deepStrictEqual(
                [
                    rules["rate-limit-per-address"].statement.rateBasedStatement.limit,
                    rules["rate-limit-sign-in"].statement.rateBasedStatement.limit,
                ],
                [10000, 20],
            );
        });

        it("the web hosts' Auto Scaling group is created after the HTTPS listener that puts its target group to use", () => {
            const https = named(ctx.run, T.listener, "edge-https");
            assert.strictEqual(https.inputs.port, 443);
            assert.ok(
                named(ctx.run, T.asg, "compute-web-group").dependencies.includes(https.urn),
                "compute-web-group waits for edge-https",
            );
        });

        it("with no adminCidrs (prod's file), the local password sign-in is refused at the ALB and at WAF", () => {
            assert.deepStrictEqual(
                ofType(ctx.run, "aws:lb/listenerRule:ListenerRule").map((r) => r.name),
                ["edge-local-sign-in-refused"],
            );
            assert.deepStrictEqual(ofType(ctx.run, "aws:wafv2/ipSet:IpSet"), []);
        });
    },
    ["prod"],
);

forEachStack(
    "edge",
    (ctx) => {
        it("the single tier declares no ALB, certificate, WAF, alias or Redis; the host's address is the portal's", () => {
            for (const type of [
                T.alb,
                T.targetGroup,
                T.listener,
                T.certificate,
                T.webAcl,
                T.association,
                T.redis,
            ]) {
                assert.deepStrictEqual(ofType(ctx.run, type), [], type);
            }
            // Other tiers keep records of their own (the directory's private name); the edge none.
            assert.deepStrictEqual(
                ofType(ctx.run, T.record)
                    .map((r) => r.name)
                    .filter((name) => name.startsWith("edge-")),
                [],
            );
            for (const output of [
                "albDnsName",
                "albZoneId",
                "albArn",
                "wafAclArn",
                "redisEndpoint",
            ]) {
                assert.strictEqual(ctx.run.outputs[output], undefined, output);
            }
            assert.strictEqual(ctx.run.outputs.portalUrl, `https://${ctx.run.outputs.webPublicIp}`);
        });
    },
    ["dev"],
);

describe("edge: configuration", () => {
    it("wafEnabled false is refused before anything is declared: the ALB's path rules alone miss encoded sign-in paths", async () => {
        const run = await runProgram({ stack: "prod", overrides: { wafEnabled: false } });
        assert.match(
            String(run.error?.message),
            /ai-portal:wafEnabled = "false": is off, but webTier is loadBalanced/,
        );
        assert.deepStrictEqual([...ofType(run, T.alb), ...ofType(run, T.webAcl)], []);
    });

    it("adminCidrs: each range reaches the local sign-in at the ALB, and WAF lets the same ranges through", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { adminCidrs: ["198.51.100.0/24"] },
        });
        assert.ifError(run.error);
        const admitted = named(
            run,
            "aws:lb/listenerRule:ListenerRule",
            "edge-local-sign-in-admin-1",
        ).inputs;
        assert.deepStrictEqual(admitted.conditions[1], {
            sourceIp: { values: ["198.51.100.0/24"] },
        });
        assert.deepStrictEqual(
            named(run, "aws:wafv2/ipSet:IpSet", "edge-waf-admin-cidrs").inputs.addresses,
            ["198.51.100.0/24"],
        );
    });

    it("wafRateLimitPer5Min and wafSignInRateLimitPer5Min reach the web ACL's rate-based rules", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { wafRateLimitPer5Min: 50000, wafSignInRateLimitPer5Min: 60 },
        });
        assert.ifError(run.error);
        const limits = Object.fromEntries(
            named(run, T.webAcl, "edge-waf-acl")
                .inputs.rules.filter((r: any) => r.statement.rateBasedStatement)
                .map((r: any) => [r.name, r.statement.rateBasedStatement.limit]),
        );
        assert.deepStrictEqual(limits, {
            "rate-limit-sign-in": 60,
            "rate-limit-per-address": 50000,
        });
    });

    it("a shorter access-log retention reaches the bucket's lifecycle", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { albAccessLogsRetentionDays: 30 },
        });
        assert.ifError(run.error);
        const rules = named(
            run,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "edge-access-logs-lifecycle",
        ).inputs.rules;
        assert.deepStrictEqual(rules[0].expiration, { days: 30 });
    });
});
