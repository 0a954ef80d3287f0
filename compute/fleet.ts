import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    AL2023_AMI_PARAMETER,
    declareHostIdentity,
    HostIdentityArgs,
    METADATA_OPTIONS,
} from "./host";

export interface HostFleetArgs extends HostIdentityArgs {
    /** What runs on the hosts, for the launch template's description. Required. */
    readonly description: string;
    /** The private subnets the hosts spread across, one or more per AZ. Required. */
    readonly subnetIds: pulumi.Input<string[]>;
    /** The hosts' security groups. Required. */
    readonly securityGroupIds: pulumi.Input<string>[];
    /** EC2 instance type. Required. */
    readonly instanceType: string;
    /** Size of each host's encrypted gp3 root volume in GiB. Required. */
    readonly rootVolumeGb: number;
    /** A pinned AMI; when undefined the current AL2023 AMI is used at creation and then kept. */
    readonly amiId?: string;
    /** The boot script (plain text; encoded here), run at every boot. Required. */
    readonly userData: pulumi.Input<string>;
    /** Fewest and most hosts; CPU target tracking scales between them. Required. */
    readonly minHosts: number;
    readonly maxHosts: number;
    /** Target groups that health-check the hosts and send them traffic. Required. */
    readonly targetGroupArns: pulumi.Input<string>[];
    /**
     * Tags for the hosts and their volumes: the provider's default tags reach the launch template
     * but not what it launches, so cost allocation and ownership tags are passed down here.
     */
    readonly tags: Readonly<Record<string, string>>;
    /** Seconds a new host may take before its health counts (boot, image pull, migrations). */
    readonly bootSeconds: number;
    /** Resources that must be complete before hosts boot (their boot script uses them). */
    readonly waitFor?: pulumi.Resource[];
    /**
     * A launch lifecycle hook the hosts' boot script completes itself (no notification target):
     * a new host stays Pending:Wait, unregistered and outside its grace period, until then.
     * Undefined: none.
     */
    readonly launchHook?: {
        readonly name: string;
        readonly heartbeatSeconds: number;
        readonly defaultResult: "ABANDON" | "CONTINUE";
    };
    /**
     * The stack sleeps on a schedule (config `schedule`): EventBridge Scheduler owns the group's
     * size, setting it to 0 at night and back to minHosts..maxHosts in the morning
     * (governance/workingHours.ts), so the program sets the sizes only when it creates the group
     * and a later `up` leaves them as the schedule (or target tracking) put them. Defaults to false.
     */
    readonly sizeOwnedBySchedule?: boolean;
    /**
     * The Auto Scaling service-linked role the group launches with: the stack's own when its
     * volumes are under the stack's data key (whose policy names that role). Defaults to the
     * account's `AWSServiceRoleForAutoScaling`. Changed in place.
     */
    readonly autoScalingRoleArn?: pulumi.Input<string>;
    /**
     * A value whose change replaces the group whole instead of rolling it (the web hosts: the
     * Open WebUI image's digest, compute/upgrade.ts): the old group is drained and deleted before
     * the new one is created, so no old host serves once a new one boots. Any other change still
     * rolls by instance refresh. Undefined: every change rolls.
     */
    readonly replaceWholeWhen?: pulumi.Input<string>;
}

/** Average CPU the fleet is kept near by adding or removing hosts. */
export const TARGET_CPU_PERCENT = 60;

/**
 * Hosts of one role in an Auto Scaling group across the private subnets, behind a load balancer:
 * the same role, policy and log group as a single `Host` and the same boot script, launched from
 * a template (IMDSv2 with hop limit 2, an encrypted gp3 root, no public address). Health comes
 * from the target groups (the load balancer's view), with a grace period that covers boot. A new
 * launch-template version (a changed boot script, a pinned AMI) rolls out by instance refresh,
 * keeping at least half the hosts in service, so a deploy is not an outage; a change of
 * `replaceWholeWhen` instead replaces the group whole, old hosts gone before new ones boot.
 */
export class HostFleet extends pulumi.ComponentResource {
    public readonly groupName: pulumi.Output<string>;
    public readonly groupArn: pulumi.Output<string>;
    public readonly minHosts: number;
    public readonly maxHosts: number;
    public readonly launchTemplateId: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;
    /** The hosts' instance role's ARN (the data key's policy names it). */
    public readonly roleArn: pulumi.Output<string>;
    public readonly logGroupName: string;

    constructor(name: string, args: HostFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:compute:HostFleet", name, {}, opts);
        const parent = { parent: this };
        this.logGroupName = `/${args.namePrefix}/${args.role}`;
        const { logGroup, role, policy, profile } = declareHostIdentity(name, args, this);

        const ami =
            args.amiId ?? aws.ssm.getParameterOutput({ name: AL2023_AMI_PARAMETER }, parent).value;
        const hostTags = { ...args.tags, Name: `${args.namePrefix}-${args.role}` };
        const template = new aws.ec2.LaunchTemplate(
            `${name}-template`,
            {
                name: `${args.namePrefix}-${args.role}`,
                description: args.description,
                imageId: ami,
                instanceType: args.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: args.securityGroupIds,
                metadataOptions: METADATA_OPTIONS,
                blockDeviceMappings: [
                    {
                        // AL2023's root device.
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeType: "gp3",
                            volumeSize: args.rootVolumeGb,
                            // The launch template's schema takes these flags as strings.
                            encrypted: "true",
                            // A new key is a new template version: hosts launched from then on
                            // (instance refresh) get volumes under it.
                            kmsKeyId: args.encryptionKeyArn,
                            deleteOnTermination: "true",
                        },
                    },
                ],
                userData: pulumi
                    .output(args.userData)
                    .apply((script) => Buffer.from(script, "utf8").toString("base64")),
                tagSpecifications: [
                    { resourceType: "instance", tags: hostTags },
                    { resourceType: "volume", tags: hostTags },
                ],
                updateDefaultVersion: true,
                tags: { Name: `${args.namePrefix}-${args.role}` },
            },
            // Unpinned, a new AL2023 release must not roll the fleet on an unrelated deploy.
            { parent: this, ignoreChanges: args.amiId ? [] : ["imageId"] },
        );

        const hook = args.launchHook && {
            name: args.launchHook.name,
            lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
            heartbeatTimeout: args.launchHook.heartbeatSeconds,
            defaultResult: args.launchHook.defaultResult,
        };
        const group = new aws.autoscaling.Group(
            `${name}-group`,
            {
                name: `${args.namePrefix}-${args.role}`,
                vpcZoneIdentifiers: args.subnetIds,
                minSize: args.minHosts,
                maxSize: args.maxHosts,
                // No desiredCapacity: it starts at minSize, and a deploy must not undo scaling.
                launchTemplate: {
                    id: template.id,
                    version: template.latestVersion.apply((v) => String(v)),
                },
                targetGroupArns: args.targetGroupArns,
                serviceLinkedRoleArn: args.autoScalingRoleArn,
                healthCheckType: "ELB",
                healthCheckGracePeriod: args.bootSeconds,
                defaultInstanceWarmup: args.bootSeconds,
                // `pulumi up` returns once this many hosts pass the load balancer's checks.
                minElbCapacity: args.minHosts,
                // With a launch hook the first hosts may wait (for what their boot needs) up to
                // its heartbeat timeout before the boot's own time counts.
                waitForCapacityTimeout: hook
                    ? `${Math.ceil((hook.heartbeatTimeout + args.bootSeconds) / 60)}m`
                    : "20m",
                // On the group itself, so the first hosts launch with it (a separate hook is put
                // only after the group has its capacity).
                initialLifecycleHooks: hook ? [hook] : undefined,
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        minHealthyPercentage: 50,
                        instanceWarmup: String(args.bootSeconds),
                    },
                },
                // Deleting the group waits for its hosts to terminate (@pulumi/aws autoscaling.Group
                // `forceDelete`: "Normally, this provider drains all the instances before deleting
                // the group"): what keeps a replaced fleet from overlapping its successor.
                forceDelete: false,
                // The provider's default tags do not reach Auto Scaling groups.
                tags: Object.entries(hostTags)
                    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
                    .map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
            },
            {
                parent: this,
                dependsOn: [policy, logGroup, ...(args.waitFor ?? [])],
                // A new value replaces the group (Pulumi's replacementTrigger); deleteBeforeReplace
                // deletes the old one first, and the provider drains it before deleting it (its
                // hosts terminated: forceDelete is off), so old and new hosts never overlap. A
                // group whose state has no trigger yet takes its first one without a replacement
                // (the engine treats none -> a value as unchanged: pulumi/pulumi#20936).
                replacementTrigger: args.replaceWholeWhen,
                deleteBeforeReplace: args.replaceWholeWhen !== undefined,
                // With a schedule, a night-time `up` must neither show drift nor wake the fleet:
                // changed sizes travel in the wake schedules' input and land at the next wake.
                ignoreChanges: args.sizeOwnedBySchedule
                    ? ["minSize", "maxSize", "desiredCapacity"]
                    : [],
            },
        );

        if (hook) {
            // The same hook as its own resource: initialLifecycleHooks is read only when the
            // group is created, so a group that exists already gets it (and later changes) here.
            // PutLifecycleHook creates or updates, so the two never conflict.
            new aws.autoscaling.LifecycleHook(
                `${name}-launch-hook`,
                { autoscalingGroupName: group.name, ...hook },
                parent,
            );
        }

        new aws.autoscaling.Policy(
            `${name}-cpu-tracking`,
            {
                autoscalingGroupName: group.name,
                policyType: "TargetTrackingScaling",
                estimatedInstanceWarmup: args.bootSeconds,
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ASGAverageCPUUtilization",
                    },
                    targetValue: TARGET_CPU_PERCENT,
                },
            },
            parent,
        );

        this.groupName = group.name;
        this.groupArn = group.arn;
        this.minHosts = args.minHosts;
        this.maxHosts = args.maxHosts;
        this.launchTemplateId = template.id;
        this.roleName = role.name;
        this.roleArn = role.arn;
        this.registerOutputs({
            groupName: this.groupName,
            groupArn: this.groupArn,
            minHosts: this.minHosts,
            maxHosts: this.maxHosts,
            launchTemplateId: this.launchTemplateId,
            roleName: this.roleName,
            roleArn: this.roleArn,
            logGroupName: this.logGroupName,
        });
    }
}
