/** EC2 hosts: instance metadata, disk encryption, and who may have a public address. */
import * as aws from "@pulumi/aws";
import {
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { fromProperty, webEntryPointIn } from "./common";

const T = {
    instance: "aws:ec2/instance:Instance",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    subnet: "aws:ec2/subnet:Subnet",
    eip: "aws:ec2/eip:Eip",
    eipAssociation: "aws:ec2/eipAssociation:EipAssociation",
};

interface MetadataOptions {
    readonly httpEndpoint?: string;
    readonly httpTokens?: string;
    readonly httpPutResponseHopLimit?: number;
}

/** A container on the host is one hop; anything more reaches past the host. */
const MAX_HOP_LIMIT = 2;

function checkMetadata(options: MetadataOptions | undefined, report: ReportViolation): void {
    if (options?.httpEndpoint === "disabled") {
        return; // no instance metadata at all
    }
    if (options?.httpTokens !== "required") {
        report('IMDSv2 is not required (metadataOptions.httpTokens must be "required")');
    }
    const hops = options?.httpPutResponseHopLimit ?? 1;
    if (hops > MAX_HOP_LIMIT) {
        report(
            `the metadata response hop limit is ${hops}; at most ${MAX_HOP_LIMIT} (a container on the host), so credentials do not travel further`,
        );
    }
}

export const imdsV2: ResourceValidationPolicy = {
    name: "ec2-imdsv2-hop-limit",
    description:
        "Instances and launch templates require IMDSv2 tokens, with a response hop limit of at most 2.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.ec2.Instance, (instance, _, report) =>
            checkMetadata(instance.metadataOptions, report),
        ),
        validateResourceOfType(aws.ec2.LaunchTemplate, (template, _, report) =>
            checkMetadata(template.metadataOptions, report),
        ),
    ],
};

export const ebsEncrypted: ResourceValidationPolicy = {
    name: "ebs-encrypted",
    description:
        "Every EBS volume is encrypted: instance root and data volumes, launch-template block devices, standalone volumes.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.ec2.Instance, (instance, _, report) => {
            if (instance.rootBlockDevice?.encrypted !== true) {
                report("the root volume is not encrypted (rootBlockDevice.encrypted must be true)");
            }
            for (const volume of instance.ebsBlockDevices ?? []) {
                if (volume.encrypted !== true) {
                    report(`volume ${volume.deviceName} is not encrypted`);
                }
            }
        }),
        validateResourceOfType(aws.ec2.LaunchTemplate, (template, _, report) => {
            // Stryker disable next-line ArrayDeclaration: a stray entry has no ebs, and is dropped
            const volumes = (template.blockDeviceMappings ?? []).filter((m) => m.ebs);
            if (volumes.length === 0) {
                report(
                    'declares no EBS block device, so its volumes take the AMI\'s encryption setting; declare the root volume with encrypted "true"',
                );
            }
            for (const mapping of volumes) {
                // The launch template's schema takes the flag as a string.
                if (String(mapping.ebs!.encrypted) !== "true") {
                    report(`block device ${mapping.deviceName} is not encrypted`);
                }
            }
        }),
        validateResourceOfType(aws.ebs.Volume, (volume, _, report) => {
            if (volume.encrypted !== true) {
                report("the volume is not encrypted");
            }
        }),
    ],
};

export const publicAddressOnlyOnEntryPoint: StackValidationPolicy = {
    name: "public-address-only-on-the-web-entry-point",
    description:
        "Only the designated web entry point gets a public address or an Elastic IP, judged by its subnet and its associations, not by its own tags.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const isWebEntryPoint = webEntryPointIn(args.resources);
        for (const instance of args.resources.filter((r) => r.type === T.instance)) {
            const subnet = fromProperty(instance, "subnetId").find((s) => s.type === T.subnet);
            const requested = instance.props.associatePublicIpAddress;
            const exposed =
                requested === true ||
                (requested !== false && subnet?.props.mapPublicIpOnLaunch === true);
            if (exposed && !isWebEntryPoint(instance)) {
                report(
                    `${instance.name}: gets a public IP address (${requested === true ? "associatePublicIpAddress" : `its subnet ${subnet!.name} maps one on launch`}) but is not the designated web entry point`,
                    instance.urn,
                );
            }
        }
        for (const template of args.resources.filter((r) => r.type === T.launchTemplate)) {
            // Stryker disable next-line ArrayDeclaration: a stray entry asks for no address
            for (const nic of template.props.networkInterfaces ?? []) {
                if (String(nic.associatePublicIpAddress) === "true") {
                    report(
                        `${template.name}: its instances get public IP addresses; hosts behind a load balancer need none`,
                        template.urn,
                    );
                }
            }
        }
        // Elastic IPs: on an instance or interface directly, or through an association.
        const targets: [string, string][] = [
            [T.eip, "instance"],
            [T.eip, "networkInterface"],
            [T.eipAssociation, "instanceId"],
            [T.eipAssociation, "networkInterfaceId"],
        ];
        for (const [type, key] of targets) {
            for (const r of args.resources.filter((x) => x.type === type && x.props[key])) {
                const attached = fromProperty(r, key);
                if (attached.length === 0 || !attached.every(isWebEntryPoint)) {
                    report(
                        `${r.name}: attaches an Elastic IP (${key}) to ${attached.map((a) => a.name).join(", ") || "something this stack does not declare"}, which is not the designated web entry point`,
                        r.urn,
                    );
                }
            }
        }
    },
};
