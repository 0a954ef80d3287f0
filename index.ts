/**
 * AI Portal: reads and validates the stack config, wires the tiers together, exports the outputs.
 * Each tier is one component in its own folder; nothing else belongs here.
 */
import * as aws from "@pulumi/aws";
import { loadConfig } from "./config/load";
import { Network } from "./network";

const config = loadConfig();
const namePrefix = `${config.project}-${config.stack}`;

// One explicit provider: the region is pinned and every taggable resource gets the project's tags.
const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: { ...config.tags } } });

const network = new Network("network", { namePrefix, ...config.network }, { providers: [provider] });

export const vpcId = network.vpcId;
export const vpcCidr = network.vpcCidr;
export const availabilityZones = network.availabilityZones;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const natPublicIps = network.natPublicIps;
