/**
 * Load balancers: internet-facing ones hardened and behind WAF; every listener encrypted, or only
 * redirecting to HTTPS.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { fromProperty, onProductionStack } from "./common";

const T = {
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
};

/** TLS 1.3 with 1.2 at the oldest: AWS's TLS13 policies (ELBSecurityPolicy-TLS13-1-2-*). */
const MODERN_TLS = /^ELBSecurityPolicy-TLS13-1-[23]-/;

const internetFacing = (resources: PolicyResource[]) =>
    resources.filter((r) => r.type === T.loadBalancer && r.props.internal !== true);

/** An application load balancer (the provider's default type); WAF protects only these. */
const isApplication = (lb: PolicyResource) =>
    (lb.props.loadBalancerType ?? "application") === "application";

export const internetLoadBalancersHardened: StackValidationPolicy = {
    name: "internet-load-balancer-hardened",
    description:
        "Internet-facing load balancers drop invalid headers, write access logs, and are deletion-protected on production stacks.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const lb of internetFacing(args.resources)) {
            if (lb.props.dropInvalidHeaderFields !== true) {
                report(
                    `${lb.name}: invalid header fields are passed on (dropInvalidHeaderFields)`,
                    lb.urn,
                );
            }
            if (lb.props.accessLogs?.enabled !== true) {
                report(`${lb.name}: writes no access logs`, lb.urn);
            }
            if (onProductionStack(lb) && lb.props.enableDeletionProtection !== true) {
                report(
                    `${lb.name}: a production load balancer must have deletion protection`,
                    lb.urn,
                );
            }
        }
    },
};

/**
 * The ALB's own path rules compare the raw path, case-sensitively and without decoding it, while
 * Open WebUI's server decodes it before routing (`/api/v1/auths/sign%69n` reaches the sign-in):
 * only WAF's rules, on the decoded path, hold the break-glass rule and the sign-in limit. The
 * load-balanced tier is the only one with an internet-facing ALB.
 */
export const internetLoadBalancerBehindWaf: StackValidationPolicy = {
    name: "internet-load-balancer-behind-waf",
    description:
        "Every internet-facing application load balancer has a WAF web ACL associated with it (a WebAclAssociation whose resourceArn is that load balancer's).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const guarded = new Set(
            args.resources
                .filter((r) => r.type === T.webAclAssociation)
                .flatMap((r) => fromProperty(r, "resourceArn"))
                .map((lb) => lb.urn),
        );
        for (const lb of internetFacing(args.resources).filter(isApplication)) {
            if (!guarded.has(lb.urn)) {
                report(
                    `${lb.name}: no WAF web ACL is associated with it, so nothing matches the URL-decoded path (the ALB's own rules miss /api/v1/auths/sign%69n)`,
                    lb.urn,
                );
            }
        }
    },
};

interface Action {
    readonly type?: string;
    readonly redirect?: { readonly protocol?: string };
}

/** Whether every action only redirects to HTTPS (nothing is answered or forwarded in clear). */
const redirectsOnly = (actions: Action[] | undefined) =>
    (actions ?? []).length > 0 &&
    (actions ?? []).every((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS");

/**
 * Pulumi's compliance policy `aws-lb-listener-disallow-unencrypted-traffic` (pulumi/compliance-
 * policies) reports every listener on port 80 or with protocol HTTP, a redirect included; this one
 * lets a listener that only redirects to HTTPS through, since it carries no data of the portal.
 */
export const loadBalancerListenersEncrypted: StackValidationPolicy = {
    name: "load-balancer-listeners-encrypted",
    description:
        "Every load balancer's listener, internal ones included, serves HTTPS or TLS with a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-1-2-* or -1-3-*); a plain HTTP listener may only redirect to HTTPS, in its default action and in every rule on it.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const rulesOn = (listener: PolicyResource) =>
            args.resources.filter(
                (r) =>
                    r.type === T.listenerRule &&
                    fromProperty(r, "listenerArn").some((l) => l.urn === listener.urn),
            );
        for (const listener of args.resources.filter((r) => r.type === T.listener)) {
            const p = listener.props;
            const network = fromProperty(listener, "loadBalancerArn").some(
                (lb) => lb.type === T.loadBalancer && !isApplication(lb),
            );
            // An ALB listener without a protocol serves HTTP (the provider's default).
            const protocol = p.protocol ?? (network ? "TCP" : "HTTP");
            if (protocol === "HTTPS" || protocol === "TLS") {
                if (!MODERN_TLS.test(String(p.sslPolicy))) {
                    report(
                        `${listener.name}: TLS policy ${p.sslPolicy ?? "(default)"} allows TLS older than 1.2 or without forward secrecy; use an ELBSecurityPolicy-TLS13-1-2 policy`,
                        listener.urn,
                    );
                }
                continue;
            }
            if (protocol !== "HTTP") {
                continue;
            }
            if (!redirectsOnly(p.defaultActions)) {
                report(
                    `${listener.name}: serves HTTP in clear text on port ${p.port ?? "(default)"}; it may only redirect to HTTPS`,
                    listener.urn,
                );
            }
            for (const rule of rulesOn(listener).filter((r) => !redirectsOnly(r.props.actions))) {
                report(
                    `${rule.name}: a rule of the plain HTTP listener ${listener.name} answers or forwards in clear text; it may only redirect to HTTPS`,
                    rule.urn,
                );
            }
        }
    },
};
