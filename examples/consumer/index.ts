/**
 * Another team's service reading the AI Portal through its output contract: its own security
 * group in the portal's VPC, allowed into the Bedrock gateway's port, and a role that may read
 * the gateway's API key secret (by ARN; the key itself never leaves Secrets Manager).
 *
 * Contract 2.x: it uses only outputs every web tier publishes. gatewayUrl names the gateway host's
 * address (single, plain HTTP on its port) or its internal load balancer (loadBalanced since 2.2:
 * HTTPS on 443, left out of the URL as the scheme's default), and gatewaySecurityGroupId is the
 * group in front of whichever it is, so the same rules work in both tiers.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The contract major this program is written against (contract/index.ts in the portal). */
const SUPPORTED_CONTRACT_MAJOR = "2";

const config = new pulumi.Config();
const serviceName = config.require("serviceName");
const portal = new pulumi.StackReference("portal", { name: config.require("portalStack") });

const contractVersion = portal.requireOutput("contractVersion").apply((version) => {
    if (String(version).split(".")[0] !== SUPPORTED_CONTRACT_MAJOR) {
        throw new Error(
            `the portal publishes output contract ${version}; this program needs ${SUPPORTED_CONTRACT_MAJOR}.x`,
        );
    }
    return String(version);
});
/** An output of the portal, usable only once its contract version is known to be understood. */
function contractOutput(name: string): pulumi.Output<string> {
    return pulumi
        .all([contractVersion, portal.requireOutput(name)])
        .apply(([, value]) => String(value));
}

/** The TCP port of a URL: its own, or its scheme's default (`URL` leaves a default port empty). */
function portOf(url: string): number {
    const parsed = new URL(url);
    const port = parsed.port
        ? Number(parsed.port)
        : ({ "http:": 80, "https:": 443 } as Record<string, number>)[parsed.protocol];
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`the portal's gatewayUrl ${url} names no TCP port`);
    }
    return port;
}

const vpcId = contractOutput("vpcId");
const gatewaySecurityGroupId = contractOutput("gatewaySecurityGroupId");
const gatewayUrl = contractOutput("gatewayUrl");
const gatewayPort = gatewayUrl.apply(portOf);
const apiKeySecretArn = contractOutput("gatewayApiKeySecretArn");

const serviceGroup = new aws.ec2.SecurityGroup(`${serviceName}-sg`, {
    vpcId,
    description: `${serviceName}: client of the AI Portal's Bedrock gateway`,
    tags: { Name: `${serviceName}-ai-portal-client`, ContractVersion: contractVersion },
});
new aws.vpc.SecurityGroupEgressRule(`${serviceName}-to-gateway`, {
    securityGroupId: serviceGroup.id,
    referencedSecurityGroupId: gatewaySecurityGroupId,
    ipProtocol: "tcp",
    fromPort: gatewayPort,
    toPort: gatewayPort,
    description: "Calls to the AI Portal's Bedrock gateway",
});
// A rule of its own on the portal's group: the portal declares its rules as separate resources
// too, so the two stacks never fight over the group.
new aws.vpc.SecurityGroupIngressRule(`${serviceName}-into-gateway`, {
    securityGroupId: gatewaySecurityGroupId,
    referencedSecurityGroupId: serviceGroup.id,
    ipProtocol: "tcp",
    fromPort: gatewayPort,
    toPort: gatewayPort,
    description: `${serviceName} calls the gateway`,
});

const role = new aws.iam.Role(`${serviceName}-role`, {
    description: `${serviceName}: reads the AI Portal gateway key`,
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
            },
        ],
    }),
});
new aws.iam.RolePolicy(`${serviceName}-gateway-key`, {
    role: role.id,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadGatewayKey",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [apiKeySecretArn],
            },
        ],
    }),
});

export const serviceSecurityGroupId = serviceGroup.id;
export const serviceRoleArn = role.arn;
export const portalGatewayUrl = gatewayUrl;
export const portalContractVersion = contractVersion;
