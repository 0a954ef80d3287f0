/**
 * Pulumi mocks with realistic eu-west-2 answers. Invokes the program makes are answered one token
 * at a time and any other token throws, so a new lookup cannot silently get a made-up answer.
 * Resource mocks return the inputs plus what AWS would compute (ids, ARNs, addresses), all derived
 * from the resource name so two runs give identical results.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT_ID = "123456789012";
export const REGION = "eu-west-2";
export const AL2023_PARAMETER =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/** Zones as DescribeAvailabilityZones returns them for eu-west-2 (zone ids vary per account). */
export const EU_WEST_2_ZONES = [
    { name: "eu-west-2a", zoneId: "euw2-az2" },
    { name: "eu-west-2b", zoneId: "euw2-az3" },
    { name: "eu-west-2c", zoneId: "euw2-az1" },
];

export interface MockOptions {
    /** Zones in the order the invoke returns them; defaults to the API's (name) order. */
    readonly zones?: readonly { name: string; zoneId: string }[];
    /** The AMI id the public AL2023 SSM parameter currently points at. */
    readonly al2023AmiId?: string;
    /** Changes what every registry tag resolves to, as if upstream had moved the tags. */
    readonly registryRevision?: string;
    /** What a `StackReference` reads, by referenced stack name. */
    readonly stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
    /**
     * ARNs a real Secrets Manager assigned, by secret name (the integration suite's emulator): the
     * program then renders those instead of made-up ones. Covers the RDS-managed master secret too.
     */
    readonly secretArns?: Readonly<Record<string, string>>;
    /** The partition `aws.getPartition` answers (another one than "aws" exposes hard-coded ARNs). */
    readonly partition?: string;
    /** Rotates generated passwords: the named `RandomPassword` resources get a new value. */
    readonly rotatedPasswords?: readonly string[];
    /**
     * State of resources that already exist, by resource name: what the engine answers for an input
     * the resource ignores (`ignoreChanges`) is the value it was created with, not the new one.
     */
    readonly deployedState?: Readonly<Record<string, Record<string, unknown>>>;
}

/** FNV-1a, for stable fake identifiers. */
export function stableHash(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/** A realistic-looking sha256 digest, stable per text. */
export function mockDigest(text: string): string {
    return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

function hex(text: string, length = 17): string {
    let out = "";
    let seed = text;
    while (out.length < length) {
        const h = stableHash(seed).toString(16).padStart(8, "0");
        out += h;
        seed = h + seed;
    }
    return out.slice(0, length);
}

/** A public address in eu-west-2's EC2 range (3.8.0.0/14), stable per name. */
function publicIp(name: string): string {
    const h = stableHash(name);
    return `3.${8 + (h & 3)}.${(h >>> 8) & 0xff}.${((h >>> 16) & 0xfd) + 1}`;
}

const ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/route:Route": "r-rtb-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:directoryservice/directory:Directory": "d-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
};

/** Resources whose AWS ids are shorter than the usual 17 hex digits. */
const ID_LENGTH: Record<string, number> = {
    "aws:directoryservice/directory:Directory": 10,
};

function arnFor(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    secretArns: Readonly<Record<string, string>>,
    partition: string,
): string {
    const [, moduleAndFile] = type.split(":");
    const service = moduleAndFile.split("/")[0];
    switch (type) {
        case "aws:iam/role:Role":
            return `arn:${partition}:iam::${ACCOUNT_ID}:role/${name}`;
        case "aws:iam/policy:Policy":
            return `arn:${partition}:iam::${ACCOUNT_ID}:policy/${name}`;
        case "aws:iam/instanceProfile:InstanceProfile":
            return `arn:${partition}:iam::${ACCOUNT_ID}:instance-profile/${name}`;
        case "aws:cloudwatch/logGroup:LogGroup":
            return `arn:${partition}:logs:${REGION}:${ACCOUNT_ID}:log-group:${inputs.name ?? name}`;
        case "aws:s3/bucketV2:BucketV2":
        case "aws:s3/bucket:Bucket":
            return `arn:${partition}:s3:::${inputs.bucket ?? name}`;
        case "aws:sns/topic:Topic":
            return `arn:${partition}:sns:${REGION}:${ACCOUNT_ID}:${inputs.name ?? name}`;
        case "aws:secretsmanager/secret:Secret":
            return (
                secretArns[String(inputs.name)] ??
                `arn:${partition}:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${inputs.name ?? name}-${hex(name, 6)}`
            );
        default:
            return `arn:${partition}:${service}:${REGION}:${ACCOUNT_ID}:${name}`;
    }
}

/**
 * Where the Terraform docker provider behind @pulumi/docker 4.x (kreuzwerker v3.0.2,
 * `parseImageOptions`) sends a `getRegistryImage` lookup: the name's first part when the name has
 * two or more slashes or that part looks like a host, otherwise Docker Hub's registry-1.docker.io.
 */
export function providerRegistryHost(name: string): string {
    const firstSlash = name.indexOf("/");
    const first = firstSlash === -1 ? "" : name.slice(0, firstSlash);
    const slashes = name.split("/").length - 1;
    return slashes > 1 || (firstSlash !== -1 && (/[.:]/.test(first) || first === "localhost"))
        ? first
        : "registry-1.docker.io";
}

/** The name RDS gives the master user secret it manages for an instance (mock: stable per resource). */
export function rdsMasterSecretName(resourceName: string): string {
    return `rds!db-${hex(resourceName, 8)}`;
}

/** What AWS computes for a resource, beyond echoing its inputs. */
function computedState(
    type: string,
    name: string,
    id: string,
    inputs: Record<string, unknown>,
    options: MockOptions,
    region: string = REGION,
): Record<string, unknown> {
    const secretArns = options.secretArns ?? {};
    const partition = options.partition ?? "aws";
    const base = { arn: arnFor(type, name, inputs, secretArns, partition) };
    const elb = (kind: string, lbName: string) =>
        `${kind}/${lbName}/${hex(`${type}::${name}`, 16)}`;
    switch (type) {
        case "aws:acm/certificate:Certificate": {
            // What ACM asks for DNS validation: a CNAME under the name, to acm-validations.aws.
            const token = hex(`${name}::validation`, 32);
            return {
                arn: `arn:${partition}:acm:${REGION}:${ACCOUNT_ID}:certificate/${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}`,
                status: "PENDING_VALIDATION",
                domainValidationOptions: [
                    {
                        domainName: inputs.domainName,
                        resourceRecordName: `_${token}.${String(inputs.domainName)}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hex(`${name}::value`, 32)}.${hex(`${name}::zone`, 10)}.acm-validations.aws.`,
                    },
                ],
            };
        }
        case "aws:bedrock/guardrail:Guardrail": {
            // Bedrock's guardrail ids are 12 lower-case letters and digits; the working draft.
            const guardrailId = hex(`${type}::${name}`, 12);
            return {
                guardrailId,
                guardrailArn: `arn:${partition}:bedrock:${REGION}:${ACCOUNT_ID}:guardrail/${guardrailId}`,
                version: "DRAFT",
                status: "READY",
            };
        }
        case "aws:bedrock/guardrailVersion:GuardrailVersion":
            // The first version CreateGuardrailVersion publishes.
            return { version: "1" };
        case "aws-native:bedrock:EnforcedGuardrailConfiguration":
            return { configId: hex(`${type}::${name}`, 12) };
        case "aws:route53/record:Record":
            return { fqdn: String(inputs.name).replace(/\.$/, "") };
        case "aws:route53/zone:Zone": {
            const zoneId = `Z${hex(`${type}::${name}`, 20).toUpperCase()}`;
            return {
                arn: `arn:${partition}:route53:::hostedzone/${zoneId}`,
                zoneId,
                // What Route 53 puts in a new zone's SOA and NS records.
                primaryNameServer: "ns-1536.awsdns-00.co.uk.",
                nameServers: [
                    "ns-0.awsdns-00.com.",
                    "ns-1024.awsdns-00.org.",
                    "ns-1536.awsdns-00.co.uk.",
                    "ns-512.awsdns-00.net.",
                ],
            };
        }
        case "aws:lb/loadBalancer:LoadBalancer": {
            const lbName = String(inputs.name ?? name);
            const suffix = elb(inputs.loadBalancerType === "network" ? "net" : "app", lbName);
            const digits = String(stableHash(`${type}::${name}`))
                .padStart(10, "0")
                .slice(0, 10);
            return {
                arn: `arn:${partition}:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:loadbalancer/${suffix}`,
                arnSuffix: suffix,
                dnsName: `${inputs.internal ? "internal-" : ""}${lbName}-${digits}.${REGION}.elb.amazonaws.com`,
                // Elastic Load Balancing's hosted zone in eu-west-2 (alias records point at it).
                zoneId: "ZHURV8PSTC4K8",
            };
        }
        case "aws:lb/targetGroup:TargetGroup": {
            const suffix = elb("targetgroup", String(inputs.name ?? name));
            return {
                arn: `arn:${partition}:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:${suffix}`,
                arnSuffix: suffix,
            };
        }
        case "aws:lb/listener:Listener":
        case "aws:lb/listenerRule:ListenerRule":
            return {
                arn: `arn:${partition}:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:listener/app/${hex(`${type}::${name}`, 16)}`,
            };
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const id = String(inputs.replicationGroupId);
            const cell = `${hex(`${id}::cell`, 6)}.euw2.cache.amazonaws.com`;
            return {
                arn: `arn:${partition}:elasticache:${REGION}:${ACCOUNT_ID}:replicationgroup:${id}`,
                // Groups with TLS answer on master./replica. names.
                primaryEndpointAddress: `master.${id}.${cell}`,
                readerEndpointAddress: `replica.${id}.${cell}`,
                memberClusters: Array.from(
                    { length: Number(inputs.numCacheClusters ?? 1) },
                    (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`,
                ),
            };
        }
        case "aws:wafv2/webAcl:WebAcl":
        case "aws:wafv2/ipSet:IpSet": {
            const kind = type.includes("webAcl") ? "webacl" : "ipset";
            const uuid = `${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}`;
            return {
                arn: `arn:${partition}:wafv2:${REGION}:${ACCOUNT_ID}:regional/${kind}/${String(inputs.name ?? name)}/${uuid}`,
                capacity: 0,
            };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return {
                arn: `arn:${partition}:ec2:${REGION}:${ACCOUNT_ID}:launch-template/${id}`,
                latestVersion: 1,
                defaultVersion: 1,
            };
        case "aws:autoscaling/group:Group":
            return {
                arn: `arn:${partition}:autoscaling:${REGION}:${ACCOUNT_ID}:autoScalingGroup:${hex(name, 8)}-${hex(name + "1", 4)}-${hex(name + "2", 4)}-${hex(name + "3", 4)}-${hex(name + "4", 12)}:autoScalingGroupName/${String(inputs.name ?? name)}`,
                name: inputs.name ?? `${name}-${hex(name, 7)}`,
            };
        case "aws:bedrock/inferenceProfile:InferenceProfile": {
            // Application inference profiles get a 12-character lower-case id.
            const profileId = hex(`${type}::${name}`, 12);
            return {
                arn: `arn:${partition}:bedrock:${REGION}:${ACCOUNT_ID}:application-inference-profile/${profileId}`,
                id: profileId,
                type: "APPLICATION",
                status: "ACTIVE",
            };
        }
        case "aws:kms/key:Key": {
            const keyId = `${hex(name, 8)}-${hex(name + "1", 4)}-4${hex(name + "2", 3)}-8${hex(name + "3", 3)}-${hex(name + "4", 12)}`;
            return { arn: `arn:${partition}:kms:${region}:${ACCOUNT_ID}:key/${keyId}`, keyId };
        }
        case "aws:backup/vault:Vault":
            // In the region of the resource's provider (the DR vault's is another one).
            return {
                arn: `arn:${partition}:backup:${region}:${ACCOUNT_ID}:backup-vault:${String(inputs.name ?? name)}`,
                name: inputs.name ?? name,
                recoveryPoints: 0,
            };
        case "aws:backup/plan:Plan":
            return {
                arn: `arn:${partition}:backup:${region}:${ACCOUNT_ID}:backup-plan:${id}`,
                version: hex(`${name}::version`, 32),
            };
        case "aws:scheduler/schedule:Schedule":
            return {
                arn: `arn:${partition}:scheduler:${REGION}:${ACCOUNT_ID}:schedule/${String(inputs.groupName ?? "default")}/${String(inputs.name ?? name)}`,
            };
        case "aws:scheduler/scheduleGroup:ScheduleGroup":
            return {
                arn: `arn:${partition}:scheduler:${REGION}:${ACCOUNT_ID}:schedule-group/${String(inputs.name ?? name)}`,
            };
        case "aws:cloudwatch/dashboard:Dashboard":
            return {
                dashboardArn: `arn:${partition}:cloudwatch::${ACCOUNT_ID}:dashboard/${String(inputs.dashboardName)}`,
            };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return {
                arn: `arn:${partition}:cloudwatch:${REGION}:${ACCOUNT_ID}:alarm:${String(inputs.name ?? name)}`,
            };
        case "aws:budgets/budget:Budget":
            return {
                arn: `arn:${partition}:budgets::${ACCOUNT_ID}:budget/${String(inputs.name ?? name)}`,
            };
        case "aws:ec2/vpc:Vpc":
            // What EC2 creates with every VPC.
            return {
                ...base,
                defaultSecurityGroupId: `sg-${hex(name + "::default-sg", 17)}`,
                defaultNetworkAclId: `acl-${hex(name + "::default-acl", 17)}`,
                defaultRouteTableId: `rtb-${hex(name + "::main-rtb", 17)}`,
                mainRouteTableId: `rtb-${hex(name + "::main-rtb", 17)}`,
                ownerId: ACCOUNT_ID,
            };
        case "aws:ec2/eip:Eip":
            return {
                ...base,
                allocationId: id,
                publicIp: publicIp(name),
                publicDns: `ec2-${publicIp(name).replace(/\./g, "-")}.${REGION}.compute.amazonaws.com`,
            };
        case "aws:iam/role:Role":
            return {
                ...base,
                name: inputs.name ?? `${name}-${hex(name, 7)}`,
                uniqueId: `AROA${hex(name, 16).toUpperCase()}`,
            };
        case "aws:iam/instanceProfile:InstanceProfile":
            return {
                ...base,
                name: inputs.name ?? `${name}-${hex(name, 7)}`,
                uniqueId: `AIPA${hex(name, 16).toUpperCase()}`,
            };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { ...base, name: inputs.name ?? `${name}-${hex(name, 7)}` };
        case "aws:ec2/securityGroup:SecurityGroup":
            return { ...base, name: inputs.name ?? `${name}-${hex(name, 7)}`, ownerId: ACCOUNT_ID };
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup":
            // RDS lower-cases these names.
            return {
                ...base,
                name:
                    (inputs.name as string | undefined) ?? `${name}-${hex(name, 7)}`.toLowerCase(),
            };
        case "aws:rds/instance:Instance": {
            const address = `${inputs.identifier ?? name}.c${hex(name, 11)}.${REGION}.rds.amazonaws.com`;
            const port = (inputs.port as number | undefined) ?? 5432;
            return {
                ...base,
                address,
                port,
                endpoint: `${address}:${port}`,
                resourceId: `db-${hex(name, 26).toUpperCase()}`,
                masterUserSecrets: inputs.manageMasterUserPassword
                    ? [
                          {
                              secretArn:
                                  secretArns[rdsMasterSecretName(name)] ??
                                  `arn:${partition}:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${rdsMasterSecretName(name)}-${hex(name + "s", 6)}`,
                              kmsKeyId: "",
                              secretStatus: "active",
                          },
                      ]
                    : [],
            };
        }
        case "aws:directoryservice/directory:Directory":
            // One domain controller in each of the first two private subnets (10.0.10.0/24, 10.0.11.0/24).
            return {
                ...base,
                dnsIpAddresses: ["10.0.11.187", "10.0.10.42"],
                securityGroupId: `sg-${hex(name + "dc", 17)}`,
                accessUrl: `${id}.awsapps.com`,
            };
        case "aws:ec2/instance:Instance": {
            const h = stableHash(name);
            const privateIp = `10.0.${inputs.associatePublicIpAddress ? 0 : 10}.${(h & 0x7f) + 10}`;
            return {
                ...base,
                privateIp,
                publicIp: inputs.associatePublicIpAddress ? publicIp(name + "-launch") : "",
                primaryNetworkInterfaceId: `eni-${hex(name)}`,
            };
        }
        case "aws:secretsmanager/secretVersion:SecretVersion":
            return {
                ...base,
                versionId: `v-${hex(name + JSON.stringify(inputs.secretString ?? ""), 32)}`,
            };
        case "aws:s3/bucket:Bucket": {
            const bucket =
                (inputs.bucket as string | undefined) ??
                `${inputs.bucketPrefix ?? name}${hex(name, 26)}`;
            return {
                ...base,
                arn: `arn:${partition}:s3:::${bucket}`,
                bucket,
                bucketDomainName: `${bucket}.s3.amazonaws.com`,
            };
        }
        case "aws:ecr/repository:Repository":
            return {
                ...base,
                registryId: ACCOUNT_ID,
                repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${inputs.name}`,
                arn: `arn:${partition}:ecr:${REGION}:${ACCOUNT_ID}:repository/${inputs.name}`,
            };
        case "docker-build:index:Image":
            return {
                digest: mockDigest(
                    JSON.stringify(inputs.context) + JSON.stringify(inputs.dockerfile),
                ),
                contextHash: hex(name, 64),
            };
        case "aws:lambda/function:Function":
            return {
                ...base,
                arn: `arn:${partition}:lambda:${REGION}:${ACCOUNT_ID}:function:${inputs.name ?? name}`,
                name: inputs.name ?? name,
                version: "$LATEST",
            };
        case "aws:lambda/invocation:Invocation":
            return {
                result: JSON.stringify({
                    role: "openwebui",
                    database: "aiportal",
                    action: "created",
                }),
            };
        case "command:local:Command":
            return { stdout: "bind account ready", stderr: "" };
        case "random:index/randomPassword:RandomPassword": {
            // A recognisable marker: tests search for it wherever a secret must not appear.
            const seed = options.rotatedPasswords?.includes(name) ? `${name}-rotated` : name;
            return {
                result: `MOCKSECRET${hex(seed, 12)}Aa9`,
                bcryptHash: `$2a$10$${hex(seed, 53)}`,
            };
        }
        case "random:index/randomId:RandomId": {
            const bytes = Number(inputs.byteLength ?? 8);
            const value = hex(`${name}-id`, bytes * 2);
            return {
                hex: value,
                dec: BigInt(`0x${value}`).toString(10),
                b64Std: Buffer.from(value, "hex").toString("base64"),
                b64Url: Buffer.from(value, "hex").toString("base64url"),
            };
        }
        default:
            return base;
    }
}

export class PortalMocks implements pulumi.runtime.Mocks {
    private readonly zones: readonly { name: string; zoneId: string }[];
    private readonly amiId: string;
    private readonly registryRevision: string;
    private readonly stackOutputs: Readonly<Record<string, Record<string, unknown>>>;
    private readonly options: MockOptions;
    /** The region each declared AWS provider is pinned to, by provider name. */
    private readonly providerRegions = new Map<string, string>();

    constructor(options: MockOptions = {}) {
        this.options = options;
        this.stackOutputs = options.stackOutputs ?? {};
        this.zones = options.zones ?? EU_WEST_2_ZONES;
        this.amiId = options.al2023AmiId ?? "ami-0b45ae66668865cd6";
        this.registryRevision = options.registryRevision ?? "";
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        if (args.token.startsWith("aws:") && !args.provider) {
            // The program pins region and tags on one explicit provider; a lookup without it would
            // silently use an implicit default provider.
            throw new Error(
                `invoke ${args.token} was not given the program's AWS provider (pass { parent: this })`,
            );
        }
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return {
                    id: REGION,
                    names: this.zones.map((z) => z.name),
                    zoneIds: this.zones.map((z) => z.zoneId),
                    groupNames: this.zones.map(() => REGION),
                    state: args.inputs.state,
                    filters: args.inputs.filters,
                };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: ACCOUNT_ID,
                    accountId: ACCOUNT_ID,
                    arn: `arn:${this.options.partition ?? "aws"}:sts::${ACCOUNT_ID}:assumed-role/deployer/ci`,
                    userId: "AROAEXAMPLEDEPLOYER:ci",
                };
            case "aws:index/getPartition:getPartition": {
                const partition = this.options.partition ?? "aws";
                return {
                    id: partition,
                    partition,
                    dnsSuffix: "amazonaws.com",
                    reverseDnsPrefix: "com.amazonaws",
                };
            }
            case "aws:index/getRegion:getRegion":
                return {
                    id: REGION,
                    name: REGION,
                    region: REGION,
                    endpoint: `ec2.${REGION}.amazonaws.com`,
                    description: "Europe (London)",
                };
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return {
                    id: REGION,
                    registryId: args.inputs.registryId ?? ACCOUNT_ID,
                    userName: "AWS",
                    password: "mock-ecr-registry-token",
                    authorizationToken: Buffer.from("AWS:mock-ecr-registry-token").toString(
                        "base64",
                    ),
                    proxyEndpoint: `https://${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com`,
                    expiresAt: "2026-01-01T12:00:00Z",
                };
            case "docker:index/getRegistryImage:getRegistryImage": {
                const name = String(args.inputs.name);
                const registry = providerRegistryHost(name);
                if (name.includes("@")) {
                    throw new Error(
                        `docker_registry_image ${name}: the provider reads "@sha256" as part of the repository and the digest as a tag`,
                    );
                }
                if (registry === "docker.io" || registry === "index.docker.io") {
                    throw new Error(
                        `Got error when attempting to fetch image version ${name} from registry: https://${registry}/v2/ is not a registry API (404)`,
                    );
                }
                // What the registry answers for the tag: the digest it currently points at.
                return {
                    id: name,
                    name,
                    sha256Digest: mockDigest(`${name}${this.registryRevision}`),
                };
            }
            case "aws:kms/getAlias:getAlias": {
                const partition = this.options.partition ?? "aws";
                const keyId = `${hex(String(args.inputs.name), 8)}-${hex(String(args.inputs.name) + "k", 4)}-4${hex(String(args.inputs.name) + "x", 3)}-8${hex(String(args.inputs.name) + "y", 3)}-${hex(String(args.inputs.name) + "z", 12)}`;
                return {
                    id: `arn:${partition}:kms:${REGION}:${ACCOUNT_ID}:${args.inputs.name}`,
                    arn: `arn:${partition}:kms:${REGION}:${ACCOUNT_ID}:${args.inputs.name}`,
                    name: args.inputs.name,
                    targetKeyId: keyId,
                    targetKeyArn: `arn:${partition}:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}`,
                };
            }
            case "aws:ssm/getParameter:getParameter":
                if (args.inputs.name === AL2023_PARAMETER) {
                    return {
                        id: AL2023_PARAMETER,
                        name: AL2023_PARAMETER,
                        arn: `arn:${this.options.partition ?? "aws"}:ssm:${REGION}::parameter${AL2023_PARAMETER}`,
                        type: "String",
                        value: this.amiId,
                        insecureValue: this.amiId,
                        version: 101,
                        withDecryption: true,
                    };
                }
                throw new Error(`Mock not implemented: SSM parameter ${String(args.inputs.name)}`);
            default:
                throw new Error(`Mock not implemented: invoke ${args.token}`);
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): {
        id: string;
        state: Record<string, unknown>;
    } {
        if (args.type === "pulumi:pulumi:StackReference") {
            const outputs = this.stackOutputs[args.inputs.name];
            if (!outputs) {
                throw new Error(
                    `Mock not implemented: no outputs for stack ${String(args.inputs.name)}`,
                );
            }
            return {
                id: args.inputs.name,
                state: { name: args.inputs.name, outputs, secretOutputNames: [] },
            };
        }
        if (args.type === "pulumi:providers:aws" && typeof args.inputs.region === "string") {
            this.providerRegions.set(args.name, args.inputs.region);
        }
        // A provider reference is "<urn>::<id>"; the urn ends with the provider's name.
        const providerName = args.provider?.split("::").slice(-2, -1)[0];
        const region = (providerName && this.providerRegions.get(providerName)) ?? REGION;
        const computed = (id: string) =>
            computedState(args.type, args.name, id, args.inputs, this.options, region);
        // Terraform-based resources whose id is their ARN.
        const idIsArn =
            args.type.startsWith("aws:secretsmanager/secret:") ||
            args.type.startsWith("aws:iam/policy:");
        const id =
            args.id ||
            (idIsArn
                ? (computed("").arn as string)
                : `${ID_PREFIX[args.type] ?? ""}${hex(args.type + "::" + args.name, ID_LENGTH[args.type] ?? 17)}`);
        return {
            id,
            state: {
                ...args.inputs,
                ...computed(id),
                ...(this.options.deployedState?.[args.name] ?? {}),
            },
        };
    }
}
