/**
 * The security controls the portal keeps: the AWS Foundational Security Best Practices (FSBP) or
 * CIS AWS Foundations id where one exists, what the program does, and which policy of the pack
 * enforces it (or what else does). The README's controls table is generated from this list, and
 * a test keeps it and the pack in agreement.
 */
export interface Control {
    readonly control: string;
    /** e.g. "FSBP EC2.8", "CIS 5.4"; "-" when neither names it. */
    readonly standard: string;
    /** What the program does about it. */
    readonly program: string;
    /** The policy that enforces it, or how else it is enforced. */
    readonly enforcedBy: string;
}

export const CONTROLS: readonly Control[] = [
    {
        control: "IMDSv2 required, hop limit at most 2",
        standard: "FSBP EC2.8, EC2.170",
        program: "both hosts: tokens required, hop limit 2 (the containers)",
        enforcedBy: "`ec2-imdsv2-hop-limit`",
    },
    {
        control: "EBS volumes encrypted (launch-template devices too)",
        standard: "FSBP EC2.3, EC2.7",
        program: "encrypted gp3 root volumes",
        enforcedBy: "`ebs-encrypted`",
    },
    {
        control: "No public address but the web entry point",
        standard: "FSBP EC2.9, EC2.25",
        program:
            "only the single web host (public subnet, Elastic IP); the gateway and the database are private",
        enforcedBy: "`public-address-only-on-the-web-entry-point`",
    },
    {
        control: "Internet reaches only 80/443",
        standard: "FSBP EC2.18, EC2.19, EC2.13, EC2.53, EC2.54; CIS 5.2, 5.3",
        program:
            "one rule per row of the traffic matrix; `allowedCidrs` on 80/443 only (the web host's, or the ALB's in loadBalanced)",
        enforcedBy: "`world-ingress-web-ports-only`",
    },
    {
        control: "Internet-facing rules only on the entry point's group",
        standard: "-",
        program:
            "single: the web host's group only; loadBalanced: the ALB's group only (plus the NAT addresses on 443 for the health probe)",
        enforcedBy: "`world-ingress-only-at-the-entry-point`",
    },
    {
        control: "Default security group allows nothing",
        standard: "FSBP EC2.2; CIS 5.4",
        program: "the VPC's default group is emptied",
        enforcedBy: "`default-security-group-closed`",
    },
    {
        control: "VPC flow logs",
        standard: "FSBP EC2.6; CIS 3.7",
        program: "all traffic to CloudWatch Logs, retention per stack",
        enforcedBy: "`vpc-flow-logs`",
    },
    {
        control: "Internet-facing load balancer hardened",
        standard: "FSBP ELB.4, ELB.5, ELB.6",
        program:
            "loadBalanced: invalid headers dropped, access logs, deletion protection in prod; HSTS on every response (a listener attribute)",
        enforcedBy:
            "`internet-load-balancer-hardened` (headers, logs, deletion protection on production stacks); HSTS: unit tests of the edge",
    },
    {
        control: "Internet-facing ALB behind WAF",
        standard: "FSBP ELB.16",
        program:
            "loadBalanced: the web ACL (sign-in and general rate limits, the break-glass rule on the URL-decoded path, AWS managed rules); `wafEnabled: false` is refused with `loadBalanced`, since the ALB's own path rules miss encoded spellings",
        enforcedBy:
            "`internet-load-balancer-behind-waf` (a web ACL associated with every internet-facing ALB); config validation; unit tests of the web ACL's rules",
    },
    {
        control: "Load balancer listeners encrypted, TLS 1.2+",
        standard: "FSBP ELB.1, ELB.17",
        program:
            "loadBalanced: the public ALB's 443 and the gateway's internal ALB's 443 with ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09; the public port 80 only redirects. The hop from each ALB to its hosts is HTTP inside the VPC",
        enforcedBy:
            "`load-balancer-listeners-encrypted` (every listener, internal ones too: HTTPS with a TLS13 policy, or plain HTTP that only redirects, rules included)",
    },
    {
        control: "RDS encrypted, private, backed up",
        standard: "FSBP RDS.3, RDS.2, RDS.11; CIS 2.3.1, 2.3.3",
        program: "encrypted storage, private subnets, 7 (dev) / 30 (prod) days of backups",
        enforcedBy: "`rds-encrypted-private-backed-up`",
    },
    {
        control: "Production data under a customer-managed KMS key",
        standard: "FSBP KMS.4 (rotation)",
        program:
            '`encryptionKey: customer-managed` (default; dev\'s file: `aws-managed`): one key per stack, rotated, 30-day deletion window and `protect` in prod, its policy naming each service and role that uses it; RDS storage, Performance Insights and master secret, every secret and log group, Redis, the alarm topic, EBS volumes, the uploads bucket (S3 Bucket Key). The ALB access-log bucket stays SSE-S3 (the only kind ALB delivers to). An existing database and Redis keep the key they were created with (README, "Encryption keys")',
        enforcedBy: "`prod-data-customer-managed-key`",
    },
    {
        control: "RDS logs exported, minor upgrades automatic",
        standard: "FSBP RDS.9, RDS.13; CIS 2.3.2",
        program: "postgresql and upgrade logs exported; minor versions automatic",
        enforcedBy: "`rds-logs-exported-minor-upgrades-on`",
    },
    {
        control: "Performance Insights with a named KMS key",
        standard: "-",
        program: "the aws/rds key, by ARN, where the class supports Insights",
        enforcedBy: "`rds-performance-insights-explicit-key`",
    },
    {
        control: "Prod database Multi-AZ, deletion-protected, final snapshot",
        standard: "FSBP RDS.5, RDS.8",
        program:
            "prod: Multi-AZ, deletion protection, `protect`, a final snapshot per instance lifetime",
        enforcedBy: "`prod-rds-multi-az-protected-final-snapshot`",
    },
    {
        control: "TLS to the database, certificate verified",
        standard: "-",
        program: "rds.force_ssl = 1; clients use verify-full with the pinned RDS CA",
        enforcedBy:
            "`rds-tls-forced` (rds.force_ssl = 1 in the instance's parameter group); verify-full: unit and integration tests",
    },
    {
        control: "S3 private, encrypted, TLS only",
        standard: "FSBP S3.1, S3.8, S3.5; CIS 2.1.1, 2.1.4",
        program: "public access block, SSE, a deny-without-TLS policy",
        enforcedBy: "`s3-public-access-block-complete`, `s3-private-encrypted-tls-only`",
    },
    {
        control: "S3 versioning",
        standard: "FSBP S3.14",
        program: "the uploads bucket keeps versions",
        enforcedBy: "`s3-versioning`",
    },
    {
        control: "No wildcard IAM actions",
        standard: "FSBP IAM.21",
        program: "every action named",
        enforcedBy: "`iam-no-wildcard-actions`",
    },
    {
        control: 'Resource "*" only for unscopable, harmless actions; secrets by ARN',
        standard: "FSBP IAM.1 (in part)",
        program:
            "Session Manager channels, Describe/List calls, the ECR token; metrics under a namespace condition",
        enforcedBy: "`iam-resource-star-only-where-unscopable`",
    },
    {
        control: "No AdministratorAccess / PowerUserAccess / IAMFullAccess",
        standard: "FSBP IAM.1; CIS 1.16",
        program:
            "no managed policies but AWS Backup's own four on its service role (AmazonSSMManagedInstanceCore replaced by a scoped one)",
        enforcedBy:
            "`iam-no-admin-managed-policies` (those three, attached to a role, user or group, or in a role's managedPolicyArns); none on the hosts' roles: unit tests",
    },
    {
        control: "Trust policies without confused deputies",
        standard: "-",
        program:
            "flow logs, Bedrock invocation logging and EventBridge Scheduler trusted under aws:SourceAccount and aws:SourceArn (`lib/trust.ts`); EC2, Lambda and AWS Backup by PassRole",
        enforcedBy:
            '`iam-trust-no-confused-deputy` (no Principal "*"; a service principal only with a source condition: aws:SourceAccount, SourceArn, SourceOrgID or SourceOrgPaths); both conditions: unit tests of each trusting role',
    },
    {
        control: "Every Bedrock call passes a guardrail (production)",
        standard: "-",
        program:
            "a guardrail per stack (content, prompt-attack, PII and word filters) with a published version; accountSettingsStack's is enforced account-wide on every model (`governance/guardrail.ts`); off only on non-production stacks",
        enforcedBy:
            "`prod-guardrail-enforced` (a guardrail, a version of it, and, where its GuardrailEnforcedBy tag names the stack, an enforcement on ALL models); config validation",
    },
    {
        control: "An audit trail of who did what (production)",
        standard: "-",
        program:
            "Open WebUI's audit log at METADATA, shipped to `/<prefix>/audit` (its own retention, 400 days in prod, the stack's key)",
        enforcedBy:
            "`prod-audit-trail` (AUDIT_LOG_LEVEL on every web host, the audit log group); config validation",
    },
    {
        control: "ECR scan on push, immutable tags",
        standard: "FSBP ECR.1, ECR.2",
        program: "the gateway's repository",
        enforcedBy: "`ecr-scan-on-push-immutable-tags`",
    },
    {
        control: "Lambda with database secrets in the VPC",
        standard: "FSBP Lambda.3 (in part)",
        program: "the role bootstrap runs in the private subnets",
        enforcedBy: "`lambda-reading-database-secrets-in-vpc`",
    },
    {
        control: "Log retention",
        standard: "FSBP CloudWatch.16",
        program: "every log group has a retention per stack",
        enforcedBy: "`log-group-retention`",
    },
    {
        control: "Ownership and cost tags",
        standard: "-",
        program: "Project, Stack, ManagedBy through the provider's default tags",
        enforcedBy: "`required-tags`",
    },
    {
        control: "Trusted certificate, HSTS, secure cookies, CORS to the portal only",
        standard: "-",
        program:
            "prod requires `domainName` (ACME on the single host, ACM on the ALB); HSTS on every response; secure cookies; CORS_ALLOW_ORIGIN = the portal",
        enforcedBy: "config validation; unit and integration tests",
    },
    {
        control: "Break-glass admin signs in only from `adminCidrs`",
        standard: "-",
        program:
            "single: Caddy refuses /api/v1/auths/signin from elsewhere, matched decoded and case-insensitively; loadBalanced: an ALB listener rule and a WAF rule on the URL-decoded, lower-cased path (nowhere by default)",
        enforcedBy:
            "integration test against Caddy (single); unit tests of the listener rules and web ACL, and `internet-load-balancer-behind-waf` (loadBalanced)",
    },
    {
        control: "Sign-in attempts limited per address",
        standard: "-",
        program:
            "loadBalanced (WAF required): `wafSignInRateLimitPer5Min` (20) requests per 5 min per address to the sign-in routes (local, LDAP, sign-up, password change, MFA), matched URL-decoded and lower-cased. single: the same limit, same routes, counted by a small service on the host's loopback (`compute/templates/signin-limit.py`) that Caddy asks by `forward_auth` on its decoded, case-folded path, keyed on the client's TCP address (429 past it); the local sign-in answers `adminCidrs` only",
        enforcedBy:
            "unit tests of the rendered web ACL (loadBalanced); unit tests of the rendered Caddyfile and user data, and an integration test against Caddy and the service (single)",
    },
    {
        control: "Only the portal group signs in; no admin takeover by e-mail",
        standard: "-",
        program:
            "LDAP filter on the group (nested too); e-mail from userPrincipalName; admin e-mail outside the directory domain",
        enforcedBy: "config validation; integration tests against Samba",
    },
    {
        control: "Parameter Store reads of its own boot files only",
        standard: "-",
        program:
            "scoped Session Manager policy instead of AmazonSSMManagedInstanceCore; the web hosts get ssm:GetParameter on exactly their boot files' ARNs",
        enforcedBy: "unit tests; `iam-no-admin-managed-policies` for the broad ones",
    },
    {
        control: "Bedrock data residency",
        standard: "-",
        program: "`bedrockDataResidency: eu` allows EU models and eu.* profiles only",
        enforcedBy: "config validation; unit tests",
    },
    {
        control: "Prod images pinned by digest; Actions pinned by SHA",
        standard: "-",
        program: "prod stack file pins `repo:tag@sha256:...`; workflows pin each action's commit",
        enforcedBy: "config validation; unit tests of the workflows",
    },
    {
        control: "No prod secrets in pull requests",
        standard: "-",
        program:
            "PRs preview dev with dev credentials; prod runs after merge in the protected `production` environment",
        enforcedBy: "unit tests of the workflows",
    },
];

/** The controls as the README's table. */
export function controlsTable(): string {
    return [
        "| control | AWS FSBP / CIS | the program | enforced by |",
        "|---|---|---|---|",
        ...CONTROLS.map((c) => `| ${c.control} | ${c.standard} | ${c.program} | ${c.enforcedBy} |`),
    ].join("\n");
}
