/** Load balancers facing the internet: TLS only, modern ciphers, clean headers, logs, protection. */
import { StackValidationPolicy } from "@pulumi/policy";
import { fromProperty, onProductionStack } from "./common";

const T = {
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
};

/** TLS 1.3 with 1.2 at the oldest: AWS's TLS13 policies (ELBSecurityPolicy-TLS13-1-2-*). */
const MODERN_TLS = /^ELBSecurityPolicy-TLS13-1-[23]-/;

export const internetLoadBalancersHardened: StackValidationPolicy = {
    name: "internet-load-balancer-hardened",
    description:
        "Internet-facing load balancers drop invalid headers, write access logs, are deletion-protected on production stacks, and listen with TLS 1.2+ (TLS13 policies) or only redirect to HTTPS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const facing = args.resources.filter(
            (r) => r.type === T.loadBalancer && r.props.internal !== true,
        );
        for (const lb of facing) {
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
        const facingUrns = new Set(facing.map((lb) => lb.urn));
        for (const listener of args.resources.filter((r) => r.type === T.listener)) {
            if (!fromProperty(listener, "loadBalancerArn").some((lb) => facingUrns.has(lb.urn))) {
                continue;
            }
            const p = listener.props;
            if (p.protocol === "HTTPS" || p.protocol === "TLS") {
                if (!MODERN_TLS.test(String(p.sslPolicy))) {
                    report(
                        `${listener.name}: TLS policy ${p.sslPolicy ?? "(default)"} allows TLS older than 1.2 or without forward secrecy; use an ELBSecurityPolicy-TLS13-1-2 policy`,
                        listener.urn,
                    );
                }
                continue;
            }
            const redirectsOnly = (p.defaultActions ?? []).every(
                (a: { type?: string; redirect?: { protocol?: string } }) =>
                    a.type === "redirect" && a.redirect?.protocol === "HTTPS",
            );
            if (!redirectsOnly) {
                report(
                    `${listener.name}: serves ${p.protocol} in clear text; it may only redirect to HTTPS`,
                    listener.urn,
                );
            }
        }
    },
};
