/**
 * AI Portal: reads and validates the stack config, wires the tiers together, exports the outputs.
 * Each tier is one component in its own folder; nothing else belongs here.
 */
import * as aws from "@pulumi/aws";
import { Compute } from "./compute";
import { loadConfig } from "./config/load";
import { Database } from "./data";
import { DatabaseRoleBootstrap } from "./data/roleBootstrap";
import { Directory } from "./directory";
import { DirectoryBindAccount } from "./directory/bindAccount";
import { Network } from "./network";
import { SecurityGroups } from "./network/securityGroups";

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

const securityGroups = new SecurityGroups(
    "sg",
    {
        namePrefix,
        vpcId: network.vpcId,
        databaseSecurityGroupId: database.securityGroupId,
        directorySecurityGroupId: directory.securityGroupId,
        allowedCidrs: config.compute.allowedCidrs,
        sshCidrs: config.compute.sshKeyName ? config.compute.sshCidrs : [],
        gatewayPort: config.compute.gatewayPort,
    },
    providers,
);

const roleBootstrap = new DatabaseRoleBootstrap(
    "db-role",
    {
        namePrefix,
        privateSubnetIds: network.privateSubnetIds,
        securityGroupId: securityGroups.dbBootstrapSecurityGroupId,
        masterSecretArn: database.masterSecretArn,
        appSecretArn: database.appSecretArn,
        appSecretVersionId: database.appSecretVersionId,
        logRetentionDays: config.logRetentionDays,
        networkReady: securityGroups.rulesBetween("dbBootstrap", "database"),
    },
    providers,
);
const bindAccount = new DirectoryBindAccount(
    "ldap-bind",
    { namePrefix, directoryId: directory.directoryId, domain: directory.domain, region: config.region, protect: config.directory.protect },
    providers,
);

const compute = new Compute(
    "compute",
    {
        namePrefix,
        region: config.region,
        ...config.compute,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        webSecurityGroupId: securityGroups.webSecurityGroupId,
        gatewaySecurityGroupId: securityGroups.gatewaySecurityGroupId,
        logRetentionDays: config.logRetentionDays,
        protectData: config.database.deletionProtection,
        database: { appSecretArn: database.appSecretArn },
        directory: {
            domain: directory.domain,
            shortName: directory.shortName,
            dnsIpAddresses: directory.dnsIpAddresses,
            searchBase: directory.names.usersOuDn,
            bindIdentity: bindAccount.bindIdentity,
            bindSecretArn: bindAccount.secretArn,
        },
        webDependsOn: [roleBootstrap, bindAccount],
    },
    providers,
);

export const portalUrl = compute.portalUrl;
export const webPublicIp = compute.webPublicIp;
export const webSecurityGroupId = securityGroups.webSecurityGroupId;
export const gatewaySecurityGroupId = securityGroups.gatewaySecurityGroupId;
export const gatewayUrl = compute.gatewayUrl;
export const gatewayApiKeySecretArn = compute.gatewayApiKeySecretArn;
export const gatewayImage = compute.gatewayImage;
export const openWebUiImage = compute.openWebUiImage;
export const uploadsBucketName = compute.uploadsBucketName;
export const webInstanceId = compute.webInstanceId;
export const gatewayInstanceId = compute.gatewayInstanceId;

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
export const directoryBindSecretArn = bindAccount.secretArn;
