/**
 * The edge of the load-balanced web tier, constructed alone under the mocks from plain inputs: the
 * Edge (certificate, ALB, listeners, the break-glass rules, the alias), its AccessLogBucket and its
 * WebFirewall.
 */
import * as assert from "assert";
import { Edge, EdgeArgs, HSTS, IDLE_TIMEOUT_SECONDS, TLS_POLICY } from "../../edge";
import { AccessLogBucket, AccessLogBucketArgs } from "../../edge/accessLogs";
import { PRIORITY, WebFirewall, WebFirewallArgs } from "../../edge/firewall";
import { LOCAL_SIGN_IN_PATH } from "../../compute/settings";
import { PASTED_TEXT_PATH_PREFIXES, SIGN_IN_PATHS } from "../../lib/openWebUiRoutes";
import { ACCOUNT_ID } from "../../offline/mocks";
import { ProgramRun } from "../../offline/run";
import { runComponent } from "../harness/component";
import { named, ofType, parseJson } from "../harness/query";
import { capacityUnits, evaluate, IpSets, WafRequest } from "./wafEvaluator";

const T = {
    certificate: "aws:acm/certificate:Certificate",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
    alb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    encryption:
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    ipSet: "aws:wafv2/ipSet:IpSet",
    association: "aws:wafv2/webAclAssociation:WebAclAssociation",
};

const SIGN_IN = "/api/v1/auths/signin";
const ZONE = "Z0123456789ABCDEFGHIJ";

const EDGE: EdgeArgs = {
    namePrefix: "ai-portal-test",
    region: "eu-west-2",
    domainName: "portal.example.com",
    hostedZoneId: ZONE,
    vpcId: "vpc-1",
    publicSubnetIds: ["subnet-a", "subnet-b"],
    securityGroupId: "sg-alb",
    localSignInPath: SIGN_IN,
    adminCidrs: [],
    wafEnabled: true,
    wafRateLimitPer5Min: 7000,
    wafSignInRateLimitPer5Min: 30,
    accessLogsRetentionDays: 90,
    protect: false,
};

function edge(args: Partial<EdgeArgs> = {}): Promise<ProgramRun> {
    return runComponent((opts) => {
        const e = new Edge("edge", { ...EDGE, ...args }, opts);
        return {
            portalUrl: e.portalUrl,
            loadBalancerArn: e.loadBalancerArn,
            loadBalancerArnSuffix: e.loadBalancerArnSuffix,
            dnsName: e.dnsName,
            targetGroupArn: e.targetGroupArn,
            targetGroupArnSuffix: e.targetGroupArnSuffix,
            certificateArn: e.certificateArn,
            accessLogsBucketName: e.accessLogsBucketName,
            webAclArn: e.webAclArn,
            webAclName: e.webAclName,
            httpsListenerUrn: e.httpsListener.urn,
        };
    });
}

/** The listener on a port. */
function listener(run: ProgramRun, port: number) {
    const found = ofType(run, T.listener).filter((l) => l.inputs.port === port);
    assert.strictEqual(found.length, 1, `one listener on ${port}`);
    return found[0];
}

describe("Edge (component)", () => {
    it("serves HTTPS on 443 with the TLS 1.3/1.2 post-quantum policy, the validated certificate, HSTS and no Server header", async () => {
        const run = await edge();
        assert.ifError(run.error);
        const https = listener(run, 443);
        const targets = named(run, T.targetGroup, "edge-web-targets");
        assert.strictEqual(TLS_POLICY, "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
        assert.deepStrictEqual(
            [
                https.inputs.protocol,
                https.inputs.sslPolicy,
                https.inputs.routingHttpResponseStrictTransportSecurityHeaderValue,
                https.inputs.routingHttpResponseServerEnabled,
            ],
            ["HTTPS", TLS_POLICY, HSTS, false],
        );
        // At least a year, as Caddy sends it on the single host.
        assert.match(HSTS, /^max-age=(\d+)/);
        assert.ok(Number(/^max-age=(\d+)/.exec(HSTS)![1]) >= 31536000);
        assert.strictEqual(https.inputs.loadBalancerArn, run.outputs.loadBalancerArn);
        assert.deepStrictEqual(https.inputs.defaultActions, [
            { type: "forward", targetGroupArn: targets.state.arn },
        ]);
        // The listener takes the certificate from the validation, so it waits until ACM issued it.
        assert.strictEqual(
            https.inputs.certificateArn,
            named(run, T.certificate, "edge-certificate").state.arn,
        );
        assert.deepStrictEqual(https.propertyDependencies.certificateArn, [
            named(run, T.validation, "edge-certificate-validated").urn,
        ]);
    });

    it("only redirects on port 80: a permanent redirect to HTTPS on 443, no rule forwards from it", async () => {
        const run = await edge({ adminCidrs: ["198.51.100.0/24"] });
        const http = listener(run, 80);
        assert.strictEqual(http.inputs.protocol, "HTTP");
        assert.deepStrictEqual(http.inputs.defaultActions, [
            {
                type: "redirect",
                redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
            },
        ]);
        assert.strictEqual(http.inputs.certificateArn, undefined);
        const https = listener(run, 443);
        for (const rule of ofType(run, T.rule)) {
            assert.strictEqual(rule.inputs.listenerArn, https.state.arn, rule.name);
        }
        assert.deepStrictEqual(
            ofType(run, T.listener)
                .map((l) => l.inputs.port)
                .sort(),
            [443, 80],
        );
    });

    it("validates the certificate by DNS in the domain's zone, with the record ACM asks for", async () => {
        const run = await edge();
        const certificate = named(run, T.certificate, "edge-certificate");
        assert.deepStrictEqual(
            [certificate.inputs.domainName, certificate.inputs.validationMethod],
            ["portal.example.com", "DNS"],
        );
        const asked = certificate.state.domainValidationOptions[0];
        const record = named(run, T.record, "edge-certificate-validation");
        assert.deepStrictEqual(
            [record.inputs.zoneId, record.inputs.name, record.inputs.type, record.inputs.records],
            [ZONE, asked.resourceRecordName, "CNAME", [asked.resourceRecordValue]],
        );
        const validation = named(run, T.validation, "edge-certificate-validated");
        assert.strictEqual(validation.inputs.certificateArn, certificate.state.arn);
        assert.deepStrictEqual(validation.inputs.validationRecordFqdns, [record.state.fqdn]);
        assert.strictEqual(run.outputs.certificateArn, certificate.state.arn);
        // A new certificate (another domain) exists before the old one is deleted.
        assert.strictEqual(certificate.deleteBeforeReplace, false);
    });

    it("points the domain at the ALB with an alias A record in the domain's zone", async () => {
        const run = await edge();
        const alb = named(run, T.alb, "edge-alb");
        const alias = named(run, T.record, "edge-portal-alias");
        assert.deepStrictEqual(
            [alias.inputs.zoneId, alias.inputs.name, alias.inputs.type, alias.inputs.records],
            [ZONE, "portal.example.com", "A", undefined],
        );
        assert.deepStrictEqual(alias.inputs.aliases, [
            { name: alb.state.dnsName, zoneId: alb.state.zoneId, evaluateTargetHealth: true },
        ]);
        assert.strictEqual(run.outputs.portalUrl, "https://portal.example.com");
        assert.strictEqual(run.outputs.dnsName, alb.state.dnsName);
    });

    it("an internet-facing ALB in the public subnets: its group, invalid headers dropped, long idle timeout, access logs on once the bucket policy allows them", async () => {
        const run = await edge();
        const alb = named(run, T.alb, "edge-alb");
        assert.deepStrictEqual(
            [
                alb.inputs.name,
                alb.inputs.loadBalancerType,
                alb.inputs.internal,
                alb.inputs.subnets,
                alb.inputs.securityGroups,
                alb.inputs.dropInvalidHeaderFields,
                alb.inputs.idleTimeout,
            ],
            [
                "ai-portal-test-web",
                "application",
                false,
                ["subnet-a", "subnet-b"],
                ["sg-alb"],
                true,
                IDLE_TIMEOUT_SECONDS,
            ],
        );
        assert.ok(IDLE_TIMEOUT_SECONDS >= 300, "long generations may sit silent for minutes");
        const bucket = named(run, T.bucket, "edge-access-logs-bucket");
        assert.deepStrictEqual(alb.inputs.accessLogs, {
            bucket: bucket.state.bucket,
            enabled: true,
        });
        assert.strictEqual(run.outputs.accessLogsBucketName, bucket.state.bucket);
        // ALB checks it may write to the bucket when it is created.
        assert.ok(
            alb.dependencies.includes(named(run, T.bucketPolicy, "edge-access-logs-tls-only").urn),
        );
        assert.strictEqual(run.outputs.loadBalancerArn, alb.state.arn);
        assert.strictEqual(run.outputs.loadBalancerArnSuffix, alb.state.arnSuffix);
    });

    for (const protect of [false, true]) {
        it(`protect ${protect}: deletion protection ${protect ? "on" : "off"}, and the logs ${protect ? "kept" : "deleted"} on destroy`, async () => {
            const run = await edge({ protect });
            assert.strictEqual(
                named(run, T.alb, "edge-alb").inputs.enableDeletionProtection,
                protect,
            );
            const bucket = named(run, T.bucket, "edge-access-logs-bucket");
            assert.deepStrictEqual(
                [bucket.protect, bucket.inputs.forceDestroy],
                [protect, !protect],
            );
        });
    }

    it("health-checks the web hosts' Open WebUI on 8080 at /health, without stickiness", async () => {
        const run = await edge();
        const targets = named(run, T.targetGroup, "edge-web-targets");
        assert.deepStrictEqual(
            [
                targets.inputs.vpcId,
                targets.inputs.protocol,
                targets.inputs.port,
                targets.inputs.targetType,
            ],
            ["vpc-1", "HTTP", 8080, "instance"],
        );
        assert.strictEqual(targets.inputs.healthCheck.path, "/health");
        assert.strictEqual(targets.inputs.healthCheck.matcher, "200");
        // Sessions are not pinned to a host: websockets stay on theirs, the rest is stateless.
        assert.strictEqual(targets.inputs.stickiness.enabled, false);
        // Hosts leaving (scale-in, refresh) finish their streams.
        assert.ok(targets.inputs.deregistrationDelay >= 60);
        assert.strictEqual(run.outputs.targetGroupArn, targets.state.arn);
        assert.strictEqual(run.outputs.targetGroupArnSuffix, targets.state.arnSuffix);
    });

    it("without admin ranges: the local password sign-in is refused with a 403 for everyone", async () => {
        const run = await edge({ adminCidrs: [] });
        const rules = ofType(run, T.rule);
        assert.deepStrictEqual(
            rules.map((r) => r.name),
            ["edge-local-sign-in-refused"],
        );
        const refused = rules[0].inputs;
        assert.deepStrictEqual(refused.conditions, [{ pathPattern: { values: [`${SIGN_IN}*`] } }]);
        assert.strictEqual(refused.actions.length, 1);
        assert.strictEqual(refused.actions[0].type, "fixed-response");
        assert.strictEqual(refused.actions[0].fixedResponse.statusCode, "403");
    });

    it("with admin ranges: each range may reach the local sign-in (one rule each, evaluated before the refusal)", async () => {
        const run = await edge({ adminCidrs: ["198.51.100.0/24", "192.0.2.10/32"] });
        const targets = named(run, T.targetGroup, "edge-web-targets");
        const rules = ofType(run, T.rule)
            .map((r) => r.inputs)
            .sort((a, b) => a.priority - b.priority);
        assert.deepStrictEqual(
            rules.map((r) => [
                r.priority,
                r.conditions,
                r.actions.map((a: any) => a.targetGroupArn ?? a.fixedResponse.statusCode),
            ]),
            [
                [
                    10,
                    [
                        { pathPattern: { values: [`${SIGN_IN}*`] } },
                        { sourceIp: { values: ["198.51.100.0/24"] } },
                    ],
                    [targets.state.arn],
                ],
                [
                    11,
                    [
                        { pathPattern: { values: [`${SIGN_IN}*`] } },
                        { sourceIp: { values: ["192.0.2.10/32"] } },
                    ],
                    [targets.state.arn],
                ],
                [100, [{ pathPattern: { values: [`${SIGN_IN}*`] } }], ["403"]],
            ],
        );
    });

    it("with wafEnabled false: no web ACL and no association", async () => {
        const run = await edge({ wafEnabled: false });
        assert.ifError(run.error);
        assert.deepStrictEqual(
            [...ofType(run, T.webAcl), ...ofType(run, T.association), ...ofType(run, T.ipSet)],
            [],
        );
        assert.strictEqual(run.outputs.webAclArn, undefined);
        assert.strictEqual(run.outputs.webAclName, undefined);
    });

    it("with wafEnabled: the web ACL guards the ALB, under the name its alarms use", async () => {
        const run = await edge({ wafEnabled: true });
        const acl = named(run, T.webAcl, "edge-waf-acl");
        const association = named(run, T.association, "edge-waf-association");
        assert.deepStrictEqual(
            [association.inputs.resourceArn, association.inputs.webAclArn],
            [named(run, T.alb, "edge-alb").state.arn, acl.state.arn],
        );
        assert.strictEqual(run.outputs.webAclArn, acl.state.arn);
        assert.strictEqual(run.outputs.webAclName, acl.inputs.name);
        assert.strictEqual(acl.inputs.name, "ai-portal-test-web");
    });

    it("with wafEnabled: the web ACL's two rate limits are the ones the edge was given", async () => {
        const rules = aclRules(
            await edge({ wafRateLimitPer5Min: 4321, wafSignInRateLimitPer5Min: 12 }),
            "edge-waf-acl",
        );
        assert.deepStrictEqual(
            [
                rules["rate-limit-per-address"].statement.rateBasedStatement.limit,
                rules["rate-limit-sign-in"].statement.rateBasedStatement.limit,
            ],
            [4321, 12],
        );
    });

    it("exposes the HTTPS listener, for what must wait until the target group is in use", async () => {
        const run = await edge();
        assert.strictEqual(run.outputs.httpsListenerUrn, listener(run, 443).urn);
    });
});

const LOGS: AccessLogBucketArgs = {
    namePrefix: "ai-portal-test",
    region: "eu-west-2",
    retentionDays: 45,
    protect: false,
};

function accessLogs(args: Partial<AccessLogBucketArgs> = {}): Promise<ProgramRun> {
    return runComponent((opts) => {
        const logs = new AccessLogBucket("logs", { ...LOGS, ...args }, opts);
        return { bucketName: logs.bucketName, bucketArn: logs.bucketArn };
    });
}

describe("AccessLogBucket (component)", () => {
    it("lets eu-west-2's ELB log-delivery account (652711504416) put objects under AWSLogs/<this account>/ only", async () => {
        const run = await accessLogs();
        assert.ifError(run.error);
        const statements = parseJson(
            named(run, T.bucketPolicy, "logs-tls-only").inputs.policy,
        ).Statement;
        const delivery = statements.find((s: any) => s.Sid === "ElbLogDelivery");
        assert.deepStrictEqual(delivery, {
            Sid: "ElbLogDelivery",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::652711504416:root" },
            Action: "s3:PutObject",
            Resource: `${run.outputs.bucketArn}/AWSLogs/${ACCOUNT_ID}/*`,
        });
        // Nothing else is granted; TLS is required of everyone.
        assert.deepStrictEqual(
            statements.map((s: any) => `${s.Sid} ${s.Effect}`),
            ["DenyInsecureTransport Deny", "ElbLogDelivery Allow"],
        );
    });

    it("takes the partition from AWS, not a hard-coded one", async () => {
        const run = await runComponent(
            (opts) => ({ arn: new AccessLogBucket("logs", LOGS, opts).bucketArn }),
            { partition: "aws-test" },
        );
        const delivery = parseJson(
            named(run, T.bucketPolicy, "logs-tls-only").inputs.policy,
        ).Statement.find((s: any) => s.Sid === "ElbLogDelivery");
        assert.strictEqual(delivery.Principal.AWS, "arn:aws-test:iam::652711504416:root");
    });

    it("expires logs after the configured days (old versions and abandoned uploads after a day)", async () => {
        const run = await accessLogs({ retentionDays: 45 });
        const rules = named(run, T.lifecycle, "logs-lifecycle").inputs.rules;
        assert.strictEqual(rules.length, 1);
        assert.deepStrictEqual(
            [
                rules[0].status,
                rules[0].expiration,
                rules[0].noncurrentVersionExpiration,
                rules[0].abortIncompleteMultipartUpload,
            ],
            ["Enabled", { days: 45 }, { noncurrentDays: 1 }, { daysAfterInitiation: 1 }],
        );
    });

    it("is private and encrypted with SSE-S3 (the only default encryption ALB log delivery accepts)", async () => {
        const run = await accessLogs();
        const block = named(run, T.publicAccess, "logs-public-access").inputs;
        assert.deepStrictEqual(
            [
                block.blockPublicAcls,
                block.blockPublicPolicy,
                block.ignorePublicAcls,
                block.restrictPublicBuckets,
            ],
            [true, true, true, true],
        );
        assert.strictEqual(
            named(run, T.encryption, "logs-encryption").inputs.rules[0]
                .applyServerSideEncryptionByDefault.sseAlgorithm,
            "AES256",
        );
        assert.strictEqual(
            named(run, T.bucket, "logs-bucket").inputs.bucketPrefix,
            "ai-portal-test-alb-logs-",
        );
    });

    it("refuses a region whose log-delivery account it does not know", async () => {
        const run = await accessLogs({ region: "eu-south-2" });
        assert.match(String(run.error), /no ELB log-delivery account known for eu-south-2/);
    });
});

const FIREWALL: WebFirewallArgs = {
    namePrefix: "ai-portal-test",
    loadBalancerArn:
        "arn:aws:elasticloadbalancing:eu-west-2:123456789012:loadbalancer/app/ai-portal-test-web/0123456789abcdef",
    localSignInPath: SIGN_IN,
    adminCidrs: [],
    rateLimitPer5Min: 10000,
    signInRateLimitPer5Min: 20,
};

function firewall(args: Partial<WebFirewallArgs> = {}): Promise<ProgramRun> {
    return runComponent((opts) => {
        const f = new WebFirewall("waf", { ...FIREWALL, ...args }, opts);
        return { webAclArn: f.webAclArn, webAclName: f.webAclName };
    });
}

/** The web ACL's rules by name. */
function aclRules(run: ProgramRun, name = "waf-acl"): Record<string, any> {
    return Object.fromEntries(named(run, T.webAcl, name).inputs.rules.map((r: any) => [r.name, r]));
}

/** The rendered web ACL and its IP sets (ARN to addresses), for the evaluator. */
function renderedAcl(run: ProgramRun): { acl: any; ipSets: IpSets } {
    return {
        acl: named(run, T.webAcl, "waf-acl").inputs,
        ipSets: Object.fromEntries(
            ofType(run, T.ipSet).map((set) => [set.state.arn, set.inputs.addresses]),
        ),
    };
}

/** What WAF does with a request: ALLOW, or BLOCK and the rule that blocked. */
async function verdicts(
    args: Partial<WebFirewallArgs>,
    requests: readonly WafRequest[],
): Promise<string[]> {
    const { acl, ipSets } = renderedAcl(await firewall(args));
    return requests.map((request) => {
        const result = evaluate(acl, request, ipSets);
        return result.action === "ALLOW" ? "ALLOW" : `BLOCK ${result.terminatingRule}`;
    });
}

/** The sign-in path as WAF matches it: URL-decoded, then lower-cased, at the start of the path. */
const SIGN_IN_MATCH = {
    byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: "STARTS_WITH",
        searchString: SIGN_IN,
        textTransformations: [
            { priority: 0, type: "URL_DECODE" },
            { priority: 1, type: "LOWERCASE" },
        ],
    },
};

const ADMIN_RANGE = "198.51.100.0/24";
const ADMIN_IP = "198.51.100.7";

/** The managed body rules people trip over in chats, and what each matches. */
const CHAT_BODY_RULES = [
    "GenericLFI_BODY", // `../../etc/passwd` in a stack trace
    "GenericRFI_BODY", // `http://10.0.0.12:8080/` in a log
    "EC2MetaDataSSRF_BODY", // `curl http://169.254.169.254/latest/meta-data/`
    "Log4JRCE_BODY", // `${jndi:ldap://...}` in a Log4j advisory
    "JavaDeserializationRCE_BODY", // `Runtime.getRuntime().exec(...)` in Java code
];

describe("WebFirewall (component)", () => {
    it("a regional web ACL that allows by default, associated with the load balancer", async () => {
        const run = await firewall();
        assert.ifError(run.error);
        const acl = named(run, T.webAcl, "waf-acl").inputs;
        assert.deepStrictEqual(
            [acl.name, acl.scope, acl.defaultAction],
            ["ai-portal-test-web", "REGIONAL", { allow: {} }],
        );
        const association = named(run, T.association, "waf-association").inputs;
        assert.strictEqual(association.resourceArn, FIREWALL.loadBalancerArn);
        assert.strictEqual(association.webAclArn, run.outputs.webAclArn);
        assert.strictEqual(run.outputs.webAclName, "ai-portal-test-web");
    });

    it("evaluates the sign-in limit first, then the break-glass rule, AWS's groups, the body rules outside chats, then the rate limit", async () => {
        const rules = Object.values(aclRules(await firewall())).sort(
            (a: any, b: any) => a.priority - b.priority,
        );
        assert.deepStrictEqual(
            rules.map((r: any) => [r.priority, r.name]),
            [
                [0, "rate-limit-sign-in"],
                [1, "local-sign-in-from-admin-ranges-only"],
                [10, "AWSManagedRulesAmazonIpReputationList"],
                [11, "AWSManagedRulesCommonRuleSet"],
                [12, "AWSManagedRulesKnownBadInputsRuleSet"],
                [20, "body-rules-outside-chat"],
                [30, "rate-limit-per-address"],
            ],
        );
        assert.strictEqual(PRIORITY.signInRateLimit, 0);
    });

    it("without admin ranges: blocks the local sign-in for everyone, matched on the URL-decoded, lower-cased path; no IP set", async () => {
        const run = await firewall({ adminCidrs: [] });
        const rule = aclRules(run)["local-sign-in-from-admin-ranges-only"];
        assert.deepStrictEqual(rule.action, { block: {} });
        assert.deepStrictEqual(rule.statement, SIGN_IN_MATCH);
        assert.deepStrictEqual(ofType(run, T.ipSet), []);
    });

    it("with admin ranges: an IP set of them, and the sign-in blocked from anywhere not in it", async () => {
        const run = await firewall({ adminCidrs: ["198.51.100.0/24", "192.0.2.10/32"] });
        const ipSet = named(run, T.ipSet, "waf-admin-cidrs");
        assert.deepStrictEqual(
            [
                ipSet.inputs.name,
                ipSet.inputs.scope,
                ipSet.inputs.ipAddressVersion,
                ipSet.inputs.addresses,
            ],
            [
                "ai-portal-test-admin-cidrs",
                "REGIONAL",
                "IPV4",
                ["198.51.100.0/24", "192.0.2.10/32"],
            ],
        );
        const rule = aclRules(run)["local-sign-in-from-admin-ranges-only"];
        assert.deepStrictEqual(rule.action, { block: {} });
        assert.deepStrictEqual(rule.statement, {
            andStatement: {
                statements: [
                    SIGN_IN_MATCH,
                    {
                        notStatement: {
                            statement: { ipSetReferenceStatement: { arn: ipSet.state.arn } },
                        },
                    },
                ],
            },
        });
    });

    it("uses AWS's managed groups, counting two body rules everywhere and the chat body rules inside the group", async () => {
        const rules = aclRules(await firewall());
        for (const name of [
            "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
        ]) {
            assert.deepStrictEqual(rules[name].overrideAction, { none: {} }, name);
            assert.strictEqual(rules[name].statement.managedRuleGroupStatement.vendorName, "AWS");
            assert.strictEqual(rules[name].statement.managedRuleGroupStatement.name, name);
        }
        const counted = (name: string) =>
            rules[name].statement.managedRuleGroupStatement.ruleActionOverrides.map((o: any) => {
                assert.deepStrictEqual(o.actionToUse, { count: {} });
                return o.name;
            });
        assert.deepStrictEqual(counted("AWSManagedRulesCommonRuleSet"), [
            "SizeRestrictions_BODY",
            "CrossSiteScripting_BODY",
            "GenericLFI_BODY",
            "GenericRFI_BODY",
            "EC2MetaDataSSRF_BODY",
        ]);
        assert.deepStrictEqual(counted("AWSManagedRulesKnownBadInputsRuleSet"), [
            "Log4JRCE_BODY",
            "JavaDeserializationRCE_BODY",
        ]);
        assert.deepStrictEqual(counted("AWSManagedRulesAmazonIpReputationList"), []);
    });

    // Each path with a body that trips one chat body rule, from an admin address (so that the
    // break-glass rule lets the local sign-in through and the body decides).
    const PATHS: [string, string, "count" | "block"][] = [
        ["chat completions", "/api/chat/completions", "count"],
        ["chat completions (OpenAI-compatible)", "/api/v1/chat/completions", "count"],
        ["chat update", "/api/v1/chats/6f1c2a9e-0b7d-4d0e-9a51-2c3b4d5e6f70", "count"],
        ["file upload", "/api/v1/files/", "count"],
        ["knowledge file", "/api/v1/knowledge/kb-1/file/add", "count"],
        ["retrieval of pasted text", "/api/v1/retrieval/process/text", "count"],
        ["note", "/api/v1/notes/create", "count"],
        ["chat update, path percent-encoded", "/api/v1/chat%73/6f1c2a9e", "count"],
        ["local sign-in", "/api/v1/auths/signin", "block"],
        ["LDAP sign-in", "/api/v1/auths/ldap", "block"],
        ["the root", "/", "block"],
        ["an admin setting", "/api/v1/configs/banners", "block"],
        ["a URL fetched by the server", "/api/v1/retrieval/process/web", "block"],
        ["chat completions in capitals (no route)", "/API/CHAT/COMPLETIONS", "block"],
    ];

    for (const [what, path, expected] of PATHS) {
        it(`${what} (${path}): each chat body rule ${expected === "count" ? "only counts" : "blocks"}`, async () => {
            const { acl, ipSets } = renderedAcl(await firewall({ adminCidrs: [ADMIN_RANGE] }));
            for (const rule of CHAT_BODY_RULES) {
                const result = evaluate(
                    acl,
                    { method: "POST", path, ip: ADMIN_IP, triggers: [rule] },
                    ipSets,
                );
                assert.deepStrictEqual(
                    [result.action, result.terminatingRule],
                    expected === "count"
                        ? ["ALLOW", undefined]
                        : ["BLOCK", "body-rules-outside-chat"],
                    `${rule} on ${path}`,
                );
                // Counted or blocked, the rule's label is there for the logs and metrics.
                assert.strictEqual(result.labels.length, 1);
            }
            // A body that trips nothing passes on every path.
            assert.strictEqual(
                evaluate(acl, { method: "POST", path, ip: ADMIN_IP }, ipSets).action,
                "ALLOW",
            );
        });
    }

    it("the chat paths are exactly the pasted-text table, matched URL-decoded and case-sensitive", async () => {
        const rule = aclRules(await firewall())["body-rules-outside-chat"];
        const exempt = rule.statement.andStatement.statements[1].notStatement.statement;
        assert.deepStrictEqual(
            exempt.orStatement.statements.map((s: any) => s.byteMatchStatement.searchString),
            [...PASTED_TEXT_PATH_PREFIXES],
        );
        for (const s of exempt.orStatement.statements) {
            assert.deepStrictEqual(s.byteMatchStatement.textTransformations, [
                { priority: 0, type: "URL_DECODE" },
            ]);
            assert.strictEqual(s.byteMatchStatement.positionalConstraint, "STARTS_WITH");
        }
    });

    it("other rules of AWS's groups still block on the chat paths", async () => {
        assert.deepStrictEqual(
            await verdicts({}, [
                { method: "POST", path: "/api/chat/completions", triggers: ["NoUserAgent_HEADER"] },
            ]),
            ["BLOCK AWSManagedRulesCommonRuleSet"],
        );
    });

    it("limits each address to the configured requests in 5 minutes on the sign-in routes, however the path is spelled", async () => {
        const rule = aclRules(await firewall({ signInRateLimitPer5Min: 25 }))["rate-limit-sign-in"];
        assert.deepStrictEqual(rule.action, { block: {} });
        const { limit, aggregateKeyType, evaluationWindowSec } = rule.statement.rateBasedStatement;
        assert.deepStrictEqual([limit, aggregateKeyType, evaluationWindowSec], [25, "IP", 300]);
        const over = (path: string): WafRequest => ({
            method: "POST",
            path,
            overLimit: ["rate-limit-sign-in"],
        });
        const limited = [
            "/api/v1/auths/signin",
            "/api/v1/auths/ldap",
            "/api/v1/auths/signup",
            "/api/v1/auths/update/password",
            "/api/v1/auths/mfa/verify",
            // Spellings that uvicorn decodes to the sign-in routes (found by the security review).
            "/api/v1/auths/sign%69n",
            "/api/v1/auths%2Fsignin",
            "/api/v1/auths/%6cdap",
            "/API/V1/AUTHS/LDAP",
            "/api/v1/auths/ldap/",
        ];
        const free = ["/api/v1/auths/", "/api/v1/auths/signout", "/api/chat/completions", "/"];
        assert.deepStrictEqual(
            await verdicts({ adminCidrs: [ADMIN_RANGE] }, [...limited, ...free].map(over)),
            [...limited.map(() => "BLOCK rate-limit-sign-in"), ...free.map(() => "ALLOW")],
        );
    });

    it("the sign-in routes are one list that includes the local and LDAP sign-in", () => {
        assert.ok(SIGN_IN_PATHS.includes(LOCAL_SIGN_IN_PATH));
        assert.ok(SIGN_IN_PATHS.includes("/api/v1/auths/ldap"));
    });

    it("counts sign-in attempts before any rule can end evaluation: an address over the limit is refused by it, even where the break-glass rule would refuse too", async () => {
        const request = {
            method: "POST",
            path: SIGN_IN,
            ip: "203.0.113.99",
            overLimit: ["rate-limit-sign-in"],
            triggers: ["GenericLFI_BODY"],
        };
        assert.deepStrictEqual(await verdicts({ adminCidrs: [ADMIN_RANGE] }, [request]), [
            "BLOCK rate-limit-sign-in",
        ]);
        const rules = Object.values(aclRules(await firewall()));
        const lowest = Math.min(...rules.map((r: any) => r.priority));
        assert.strictEqual(aclRules(await firewall())["rate-limit-sign-in"].priority, lowest);
    });

    it("blocks an address above the configured requests in 5 minutes, on any path", async () => {
        const rule = aclRules(await firewall({ rateLimitPer5Min: 12345 }))[
            "rate-limit-per-address"
        ];
        assert.deepStrictEqual(rule.action, { block: {} });
        assert.deepStrictEqual(rule.statement, {
            rateBasedStatement: { limit: 12345, aggregateKeyType: "IP", evaluationWindowSec: 300 },
        });
        assert.deepStrictEqual(
            await verdicts(
                {},
                ["/", "/api/chat/completions"].map((path) => ({
                    method: "GET",
                    path,
                    overLimit: ["rate-limit-per-address"],
                })),
            ),
            ["BLOCK rate-limit-per-address", "BLOCK rate-limit-per-address"],
        );
    });

    it("stays within the 1,500 capacity units a web ACL's base price covers", async () => {
        const withAdmins = named(await firewall({ adminCidrs: [ADMIN_RANGE] }), T.webAcl, "waf-acl")
            .inputs.rules;
        const units = capacityUnits(withAdmins);
        assert.strictEqual(units, 1271);
        assert.ok(units <= 1500);
    });

    it("nests logical statements at most three deep, the provider's limit for a web ACL's rules", async () => {
        const depth = (statement: any): number => {
            const logical = statement.andStatement ?? statement.orStatement;
            if (logical) {
                return 1 + Math.max(...logical.statements.map(depth));
            }
            if (statement.notStatement) {
                return 1 + depth(statement.notStatement.statement);
            }
            const scopeDown = statement.rateBasedStatement?.scopeDownStatement;
            return scopeDown ? depth(scopeDown) : 0;
        };
        const rules = aclRules(await firewall({ adminCidrs: [ADMIN_RANGE] }));
        assert.deepStrictEqual(
            Object.fromEntries(Object.values(rules).map((r: any) => [r.name, depth(r.statement)])),
            {
                "rate-limit-sign-in": 1,
                "local-sign-in-from-admin-ranges-only": 2,
                AWSManagedRulesAmazonIpReputationList: 0,
                AWSManagedRulesCommonRuleSet: 0,
                AWSManagedRulesKnownBadInputsRuleSet: 0,
                "body-rules-outside-chat": 3,
                "rate-limit-per-address": 0,
            },
        );
    });

    it("publishes CloudWatch metrics and samples for the ACL and every rule, each under its own name", async () => {
        const run = await firewall();
        const acl = named(run, T.webAcl, "waf-acl").inputs;
        const configs = [acl.visibilityConfig, ...acl.rules.map((r: any) => r.visibilityConfig)];
        for (const config of configs) {
            assert.strictEqual(config.cloudwatchMetricsEnabled, true);
            assert.strictEqual(config.sampledRequestsEnabled, true);
        }
        const metricNames = configs.map((c: any) => c.metricName);
        assert.strictEqual(new Set(metricNames).size, metricNames.length);
        assert.strictEqual(acl.visibilityConfig.metricName, "ai-portal-test-web");
    });
});
