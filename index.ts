/**
 * AI Portal: reads and validates the stack config, wires the tiers together, exports the outputs.
 * Each tier is one component in its own folder; nothing else belongs here.
 */
import * as aws from "@pulumi/aws";
import { loadConfig } from "./config/load";
import { Database } from "./data";
import { Directory } from "./directory";
import { Network } from "./network";

const config = loadConfig();
const namePrefix = `${config.project}-${config.stack}`;

// One explicit provider: the region is pinned and every taggable resource gets the project's tags.
const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: { ...config.tags } } });
const providers = { providers: [provider] };

const network = new Network("network", { namePrefix, ...config.network }, providers);

// The database and the directory depend on the network only: the directory takes 20-40 minutes
// to create and nothing that does not need it may wait for it.
const database = new Database(
    "data",
    { namePrefix, vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, logRetentionDays: config.logRetentionDays, ...config.database },
    providers,
);
const directory = new Directory("directory", { namePrefix, vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, ...config.directory }, providers);

export const vpcId = network.vpcId;
export const vpcCidr = network.vpcCidr;
export const availabilityZones = network.availabilityZones;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const natPublicIps = network.natPublicIps;

export const dbEndpoint = database.address;
export const dbPort = database.port;
export const dbName = database.databaseName;
export const dbSecurityGroupId = database.securityGroupId;
export const dbSecretArn = database.masterSecretArn;
export const dbAppSecretArn = database.appSecretArn;

export const directoryId = directory.directoryId;
export const directoryDomain = directory.domain;
export const directoryShortName = directory.shortName;
export const directoryDnsIps = directory.dnsIpAddresses;
export const directorySecurityGroupId = directory.securityGroupId;
export const directoryAdminDn = directory.names.adminDn;
export const directorySearchBase = directory.names.usersOuDn;
export const directoryAdminSecretArn = directory.adminSecretArn;
