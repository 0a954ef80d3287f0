/**
 * AI Portal: reads and validates the stack config, wires the tiers together, exports the outputs.
 * Each tier is one component in its own folder; nothing else belongs here.
 */
import * as aws from "@pulumi/aws";
import { Compute } from "./compute";
import { CONTRACT_VERSION, PortalOutputs } from "./contract";
import { loadConfig } from "./config/load";
import { Database } from "./data";
import { RoleBootstrap } from "./data/roleBootstrap";
import { Directory } from "./directory";
import { BindAccount } from "./directory/bindAccount";
import { PortalGroup } from "./directory/portalGroup";
import { Network } from "./network";
import { Operations } from "./operations";
import { SecurityGroups } from "./network/securityGroups";

const config = loadConfig();
const namePrefix = `${config.project}-${config.stack}`;

// One explicit provider: the region is pinned and every taggable resource gets the project's tags.
const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: { tags: { ...config.tags } },
});
const providers = { providers: [provider] };

const network = new Network("network", { namePrefix, ...config.network }, providers);

// The database and the directory depend on the network only: the directory takes 20-40 minutes
// to create and nothing that does not need it may wait for it.
const database = new Database(
    "data",
    {
        namePrefix,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        logRetentionDays: config.logRetentionDays,
        ...config.database,
    },
    providers,
);
const directory = new Directory(
    "directory",
    {
        namePrefix,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        ...config.directory,
    },
    providers,
);

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

const roleBootstrap = new RoleBootstrap(
    "db-role",
    {
        namePrefix,
        privateSubnetIds: network.privateSubnetIds,
        securityGroupId: securityGroups.dbBootstrapSecurityGroupId,
        masterSecretArn: database.masterSecretArn,
        appSecretArn: database.appSecretArn,
        appSecretVersionId: database.appSecretVersionId,
        logRetentionDays: config.logRetentionDays,
        // Its rules (5432 to the database, 443 to Secrets Manager) and the private subnets' way out.
        networkReady: [...securityGroups.rulesFor("dbBootstrap"), ...network.privateEgress],
    },
    providers,
);
const bindAccount = new BindAccount(
    "ldap-bind",
    {
        namePrefix,
        directoryId: directory.directoryId,
        domain: directory.domain,
        region: config.region,
        protect: config.directory.protect,
    },
    providers,
);

// The group whose members may sign in; kept with its members when a protected stack drops it.
const portalGroup = new PortalGroup(
    "portal-group",
    {
        directoryId: directory.directoryId,
        name: config.directory.portalGroup,
        usersOuDn: directory.names.usersOuDn,
        region: config.region,
        retainOnDelete: config.directory.protect,
    },
    providers,
);

const compute = new Compute(
    "compute",
    {
        namePrefix,
        stack: config.stack,
        region: config.region,
        ...config.compute,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        webSecurityGroupId: securityGroups.webSecurityGroupId,
        gatewaySecurityGroupId: securityGroups.gatewaySecurityGroupId,
        logRetentionDays: config.logRetentionDays,
        protectData: config.database.deletionProtection,
        database: {
            appSecretArn: database.appSecretArn,
            appSecretVersionId: database.appSecretVersionId,
        },
        directory: {
            domain: directory.domain,
            shortName: directory.shortName,
            dnsIpAddresses: directory.dnsIpAddresses,
            searchBase: directory.names.usersOuDn,
            bindIdentity: bindAccount.bindIdentity,
            bindSecretArn: bindAccount.secretArn,
            bindSecretVersionId: bindAccount.secretVersionId,
            portalGroupDn: portalGroup.groupDn,
        },
        webDependsOn: [roleBootstrap, bindAccount, portalGroup],
    },
    providers,
);

const operations = new Operations(
    "ops",
    {
        namePrefix,
        stack: config.stack,
        region: config.region,
        alarmEmail: config.operations.alarmEmail,
        profile: config.operations.alarmProfile,
        dbInstanceIdentifier: database.identifier,
        instances: { web: compute.webInstanceId, gateway: compute.gatewayInstanceId },
    },
    providers,
);

// The output contract (contract/index.ts): other teams read these through StackReference.
const outputs: PortalOutputs = {
    contractVersion: CONTRACT_VERSION,
    portalUrl: compute.portalUrl,
    webPublicIp: compute.webPublicIp,
    webSecurityGroupId: securityGroups.webSecurityGroupId,
    webInstanceId: compute.webInstanceId,
    openWebUiImage: compute.openWebUiImage,
    uploadsBucketName: compute.uploadsBucketName,
    gatewaySecurityGroupId: securityGroups.gatewaySecurityGroupId,
    gatewayUrl: compute.gatewayUrl,
    gatewayApiKeySecretArn: compute.gatewayApiKeySecretArn,
    gatewayImage: compute.gatewayImage,
    gatewayInstanceId: compute.gatewayInstanceId,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    availabilityZones: network.availabilityZones,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    natPublicIps: network.natPublicIps,
    dbEndpoint: database.address,
    dbPort: database.port,
    dbName: database.databaseName,
    dbSecurityGroupId: database.securityGroupId,
    dbSecretArn: database.masterSecretArn,
    dbAppSecretArn: database.appSecretArn,
    directoryId: directory.directoryId,
    directoryDomain: directory.domain,
    directoryShortName: directory.shortName,
    directoryDnsIps: directory.dnsIpAddresses,
    directorySecurityGroupId: directory.securityGroupId,
    directoryAdminDn: directory.names.adminDn,
    directorySearchBase: directory.names.usersOuDn,
    directoryAdminSecretArn: directory.adminSecretArn,
    directoryBindSecretArn: bindAccount.secretArn,
    alarmTopicArn: operations.alarmTopicArn,
};

export const contractVersion = outputs.contractVersion;
export const portalUrl = outputs.portalUrl;
export const webPublicIp = outputs.webPublicIp;
export const webSecurityGroupId = outputs.webSecurityGroupId;
export const webInstanceId = outputs.webInstanceId;
export const openWebUiImage = outputs.openWebUiImage;
export const uploadsBucketName = outputs.uploadsBucketName;
export const gatewaySecurityGroupId = outputs.gatewaySecurityGroupId;
export const gatewayUrl = outputs.gatewayUrl;
export const gatewayApiKeySecretArn = outputs.gatewayApiKeySecretArn;
export const gatewayImage = outputs.gatewayImage;
export const gatewayInstanceId = outputs.gatewayInstanceId;
export const vpcId = outputs.vpcId;
export const vpcCidr = outputs.vpcCidr;
export const availabilityZones = outputs.availabilityZones;
export const publicSubnetIds = outputs.publicSubnetIds;
export const privateSubnetIds = outputs.privateSubnetIds;
export const natPublicIps = outputs.natPublicIps;
export const dbEndpoint = outputs.dbEndpoint;
export const dbPort = outputs.dbPort;
export const dbName = outputs.dbName;
export const dbSecurityGroupId = outputs.dbSecurityGroupId;
export const dbSecretArn = outputs.dbSecretArn;
export const dbAppSecretArn = outputs.dbAppSecretArn;
export const directoryId = outputs.directoryId;
export const directoryDomain = outputs.directoryDomain;
export const directoryShortName = outputs.directoryShortName;
export const directoryDnsIps = outputs.directoryDnsIps;
export const directorySecurityGroupId = outputs.directorySecurityGroupId;
export const directoryAdminDn = outputs.directoryAdminDn;
export const directorySearchBase = outputs.directorySearchBase;
export const directoryAdminSecretArn = outputs.directoryAdminSecretArn;
export const directoryBindSecretArn = outputs.directoryBindSecretArn;
export const alarmTopicArn = outputs.alarmTopicArn;
