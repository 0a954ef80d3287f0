/**
 * AI Portal: reads and validates the stack config, wires the tiers together, exports the outputs.
 * Each tier is one component in its own folder; nothing else belongs here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Compute } from "./compute";
import { CONTRACT_VERSION, PortalOutputs } from "./contract";
import { loadConfig } from "./config/load";
import { Database } from "./data";
import { RoleBootstrap } from "./data/roleBootstrap";
import { LOCAL_SIGN_IN_PATH } from "./compute/settings";
import { SessionStore } from "./data/sessionStore";
import { Directory } from "./directory";
import { Edge } from "./edge";
import { Budgets } from "./governance/budgets";
import { CostAllocationTags } from "./governance/costTags";
import { DashboardHosts, DashboardInput, PortalDashboard } from "./governance/dashboard";
import { InvocationLogging } from "./governance/invocationLogging";
import { WorkingHoursSchedule } from "./governance/workingHours";
import { DIRECTORY_BIND_METRIC, HEALTH_METRIC, HEALTH_NAMESPACE } from "./operations/alarms";
import { BindAccount } from "./directory/bindAccount";
import { LdapName } from "./directory/ldapName";
import { BindCheck, PasswordPolicies } from "./directory/passwordPolicies";
import { PortalGroup } from "./directory/portalGroup";
import { Network } from "./network";
import { Operations } from "./operations";
import { SecurityGroups } from "./network/securityGroups";
import { DataKey, DataKeyUsers } from "./security/dataKey";

const config = loadConfig();
const namePrefix = `${config.project}-${config.stack}`;

// One explicit provider: the region is pinned and every taggable resource gets the project's tags.
const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: { tags: { ...config.tags } },
});
const providers = { providers: [provider] };

// The stack's own KMS key for data at rest (config encryptionKey; README "Encryption keys"), or
// undefined for each service's AWS-managed key. Its policy names the roles that use it, which
// the tiers below declare after they need the key's ARN: they are handed over once declared.
const [dataKeyUsers, setDataKeyUsers] = pulumi.deferredOutput<DataKeyUsers>();
const dataKey =
    config.encryptionKey === "customer-managed"
        ? new DataKey(
              "data-key",
              {
                  namePrefix,
                  region: config.region,
                  protect: config.database.deletionProtection,
                  autoScaling: config.webTier.mode === "loadBalanced",
                  users: dataKeyUsers,
              },
              providers,
          )
        : undefined;
const encryptionKeyArn = dataKey?.keyArn;

const network = new Network(
    "network",
    { namePrefix, ...config.network, encryptionKeyArn },
    providers,
);

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
        encryptionKeyArn,
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
        encryptionKeyArn,
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
        webTier: config.webTier.mode,
        natAddresses:
            config.network.natGateways === "single" ? 1 : config.network.publicSubnetCidrs.length,
        natPublicIps: network.natPublicIps,
    },
    providers,
);

// The load-balanced web tier's edge (ALB, certificate, WAF) and the Redis its hosts share.
const loadBalanced = config.webTier.mode === "loadBalanced";
const edge = loadBalanced
    ? new Edge(
          "edge",
          {
              namePrefix,
              region: config.region,
              domainName: config.compute.domainName!,
              hostedZoneId: config.webTier.hostedZoneId!,
              vpcId: network.vpcId,
              publicSubnetIds: network.publicSubnetIds,
              securityGroupId: securityGroups.albSecurityGroupId!,
              localSignInPath: LOCAL_SIGN_IN_PATH,
              adminCidrs: config.compute.adminCidrs,
              wafEnabled: config.webTier.wafEnabled,
              wafRateLimitPer5Min: config.webTier.wafRateLimitPer5Min,
              wafSignInRateLimitPer5Min: config.webTier.wafSignInRateLimitPer5Min,
              accessLogsRetentionDays: config.webTier.albAccessLogsRetentionDays,
              protect: config.database.deletionProtection,
          },
          providers,
      )
    : undefined;
const sessionStore = loadBalanced
    ? new SessionStore(
          "session-store",
          {
              namePrefix,
              privateSubnetIds: network.privateSubnetIds,
              securityGroupId: securityGroups.redisSecurityGroupId!,
              nodeType: config.webTier.redisNodeType,
              authToken: {
                  version: config.webTier.redisAuthTokenVersion,
                  strategy: config.webTier.redisAuthTokenStrategy,
              },
              multiAz: config.database.multiAz,
              keepSecretOnDelete: config.database.deletionProtection,
              encryptionKeyArn,
          },
          providers,
      )
    : undefined;

const roleBootstrap = new RoleBootstrap(
    "db-role",
    {
        namePrefix,
        privateSubnetIds: network.privateSubnetIds,
        securityGroupId: securityGroups.dbBootstrapSecurityGroupId,
        database: {
            address: database.address,
            port: database.port,
            masterSecretArn: database.masterSecretArn,
        },
        appSecretArn: database.appSecretArn,
        appSecretVersionId: database.appSecretVersionId,
        logRetentionDays: config.logRetentionDays,
        // Its rules (5432 to the database, 443 to Secrets Manager) and the private subnets' way out.
        networkReady: [...securityGroups.rulesFor("dbBootstrap"), ...network.privateEgress],
        encryptionKeyArn,
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
        encryptionKeyArn,
    },
    providers,
);

// The domain controllers' name in a private zone of the VPC: the web hosts are told the name, so
// they never wait for the directory; the record follows the directory.
const ldapName = new LdapName(
    "ldap-name",
    {
        namePrefix,
        vpcId: network.vpcId,
        region: config.region,
        directoryDomain: config.directory.domain,
        domainControllerIps: directory.dnsIpAddresses,
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

// The portal group's password policy (length, lockout) and the bind account's (no expiry, no
// lockout), set over LDAP from inside the VPC once the directory, the group and the account exist;
// then a check every 5 minutes that the bind account can still bind (alarmed in operations).
const passwordPolicies = new PasswordPolicies(
    "directory-policy",
    {
        namePrefix,
        privateSubnetIds: network.privateSubnetIds,
        securityGroupId: securityGroups.directoryPolicySecurityGroupId,
        domainControllerIps: directory.dnsIpAddresses,
        directoryId: directory.directoryId,
        domainDn: directory.names.domainDn,
        adminSecretArn: directory.adminSecretArn,
        portalGroupDn: portalGroup.groupDn,
        bindAccountName: bindAccount.samAccountName,
        policy: config.directory.passwordPolicy,
        logRetentionDays: config.logRetentionDays,
        encryptionKeyArn,
        dependsOn: [
            portalGroup.group,
            bindAccount.account,
            ...securityGroups.rulesFor("directoryPolicy"),
            ...network.privateEgress,
        ],
    },
    providers,
);
const bindCheck = new BindCheck(
    "directory-bind-check",
    {
        namePrefix,
        stack: config.stack,
        region: config.region,
        privateSubnetIds: network.privateSubnetIds,
        securityGroupId: securityGroups.directoryPolicySecurityGroupId,
        domainControllerIps: directory.dnsIpAddresses,
        bindSecretArn: bindAccount.secretArn,
        namespace: HEALTH_NAMESPACE,
        metric: DIRECTORY_BIND_METRIC,
        logRetentionDays: config.logRetentionDays,
        encryptionKeyArn,
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
        // The gateway hosts' own group in both tiers: in loadBalanced it admits the internal load
        // balancer (whose group, gatewayLb, goes in loadBalanced below) and lets them out to Bedrock.
        gatewaySecurityGroupId: securityGroups.gatewaySecurityGroupId,
        logRetentionDays: config.logRetentionDays,
        protectData: config.database.deletionProtection,
        encryption: dataKey && {
            keyArn: dataKey.keyArn,
            autoScalingRoleArn: dataKey.autoScalingRoleArn,
        },
        database: {
            appSecretArn: database.appSecretArn,
            appSecretVersionId: database.appSecretVersionId,
            instanceIdentifier: database.identifier,
        },
        directory: {
            domain: directory.domain,
            shortName: directory.shortName,
            ldapHost: ldapName.hostName,
            searchBase: directory.names.usersOuDn,
            bindIdentity: bindAccount.bindIdentity,
            bindSecretArn: bindAccount.secretArn,
            bindSecretVersionId: bindAccount.secretVersionId,
            portalGroupDn: portalGroup.groupDn,
        },
        // Nothing: the hosts wait at boot for the database and its role (the role bootstrap), and
        // reach the directory by name at sign-in (the bind account and group are looked up then).
        webDependsOn: [],
        webTier: config.webTier,
        vpcId: network.vpcId,
        tags: config.tags,
        loadBalanced:
            edge && sessionStore
                ? {
                      portalUrl: edge.portalUrl,
                      webTargetGroupArn: edge.targetGroupArn,
                      webListener: edge.httpsListener,
                      gatewayLbSecurityGroupId: securityGroups.gatewayLbSecurityGroupId!,
                      sizeOwnedBySchedule: config.governance.schedule !== undefined,
                      redis: {
                          endpoint: sessionStore.endpoint,
                          port: sessionStore.port,
                          authSecretArn: sessionStore.authSecretArn,
                          authSecretVersionId: sessionStore.authSecretVersionId,
                      },
                  }
                : undefined,
    },
    providers,
);

if (dataKey) {
    // Who uses the key, now that they exist: every role that reads a secret of the stack, and
    // the web hosts for the uploads bucket.
    setDataKeyUsers(
        pulumi.output({
            secretReaderRoleArns: [
                compute.webRoleArn,
                compute.gatewayRoleArn,
                roleBootstrap.roleArn,
                passwordPolicies.roleArn,
                bindCheck.roleArn,
            ],
            uploadsRoleArns: [compute.webRoleArn],
            uploadsBucketArn: compute.uploadsBucketArn,
        }),
    );
}

const operations = new Operations(
    "ops",
    {
        namePrefix,
        stack: config.stack,
        region: config.region,
        alarmEmail: config.operations.alarmEmail,
        profile: config.operations.alarmProfile,
        encryptionKeyArn,
        dbInstanceIdentifier: database.identifier,
        instances:
            compute.webInstanceId && compute.gatewayInstanceId
                ? { web: compute.webInstanceId, gateway: compute.gatewayInstanceId }
                : {},
        loadBalanced:
            edge && sessionStore && compute.gatewayLoadBalancer
                ? {
                      albArnSuffix: edge.loadBalancerArnSuffix,
                      webTargetGroupArnSuffix: edge.targetGroupArnSuffix,
                      gatewayLbArnSuffix: compute.gatewayLoadBalancer.loadBalancerArnSuffix,
                      gatewayTargetGroupArnSuffix: compute.gatewayLoadBalancer.targetGroupArnSuffix,
                      webAclName: edge.webAclName,
                      redisReplicationGroupId: sessionStore.replicationGroupId,
                      redisNodeCount: config.database.multiAz ? 2 : 1,
                  }
                : undefined,
    },
    providers,
);

// Cost and usage governance: budgets on the alarm topic, the dashboard, dev's working hours, and
// the account-wide settings (owned by one stack of the account: accountSettingsStack).
const gov = config.governance;
new Budgets(
    "budgets",
    {
        namePrefix,
        stack: config.stack,
        monthlyUsd: gov.monthlyBudgetUsd,
        bedrockMonthlyUsd: gov.bedrockMonthlyBudgetUsd,
        bedrockModels: [config.compute.bedrockDefaultModel],
        actualAlertPercent: gov.budgetActualAlertPercent,
        forecastAlertPercent: gov.budgetForecastAlertPercent,
        topicArn: operations.alarmTopicArn,
    },
    providers,
);
if (gov.ownsAccountSettings && gov.activateCostAllocationTags) {
    new CostAllocationTags("cost-tags", providers);
}
if (gov.bedrockInvocationLogging !== "off") {
    new InvocationLogging(
        "bedrock-logging",
        {
            namePrefix,
            level: gov.bedrockInvocationLogging,
            retentionDays: config.logRetentionDays,
            region: config.region,
        },
        providers,
    );
}
if (gov.schedule) {
    new WorkingHoursSchedule(
        "working-hours",
        {
            namePrefix,
            hours: gov.schedule,
            region: config.region,
            dbInstanceIdentifier: database.identifier,
            quietAlarms: {
                names: [operations.healthAlarm.name],
                arns: [operations.healthAlarm.arn],
            },
            instanceIds:
                compute.webInstanceId && compute.gatewayInstanceId
                    ? [compute.webInstanceId, compute.gatewayInstanceId]
                    : undefined,
            autoScalingGroups: compute.fleets
                ? (["web", "gateway"] as const).map((role) => ({
                      name: compute.fleets![role].groupName,
                      arn: compute.fleets![role].groupArn,
                      minSize: compute.fleets![role].minHosts,
                      maxSize: compute.fleets![role].maxHosts,
                  }))
                : undefined,
        },
        providers,
    );
}
const dashboard = new PortalDashboard(
    "dashboard",
    {
        name: namePrefix,
        input: pulumi
            .output({
                dbInstanceIdentifier: database.identifier,
                hosts:
                    edge && compute.gatewayLoadBalancer && compute.fleets
                        ? {
                              tier: "loadBalanced",
                              albArnSuffix: edge.loadBalancerArnSuffix,
                              webTargetGroupArnSuffix: edge.targetGroupArnSuffix,
                              gatewayLbArnSuffix: compute.gatewayLoadBalancer.loadBalancerArnSuffix,
                              gatewayTargetGroupArnSuffix:
                                  compute.gatewayLoadBalancer.targetGroupArnSuffix,
                              autoScalingGroups: {
                                  web: compute.fleets.web.groupName,
                                  gateway: compute.fleets.gateway.groupName,
                              },
                          }
                        : {
                              tier: "single",
                              instances: {
                                  web: compute.webInstanceId!,
                                  gateway: compute.gatewayInstanceId!,
                              },
                          },
            })
            .apply(({ dbInstanceIdentifier, hosts }): DashboardInput => ({
                title: `AI Portal (${config.stack})`,
                region: config.region,
                stack: config.stack,
                healthNamespace: HEALTH_NAMESPACE,
                healthMetric: HEALTH_METRIC,
                dbInstanceIdentifier,
                hosts: hosts as DashboardHosts,
                budgets: {
                    totalUsd: gov.monthlyBudgetUsd,
                    bedrockUsd: gov.bedrockMonthlyBudgetUsd,
                },
                bedrockModels: [config.compute.bedrockDefaultModel],
            })),
    },
    providers,
);

// The output contract (contract/index.ts): other teams read these through StackReference.
const outputs: PortalOutputs = {
    contractVersion: CONTRACT_VERSION,
    webTier: config.webTier.mode,
    portalUrl: compute.portalUrl,
    webPublicIp: compute.webPublicIp,
    webSecurityGroupId: securityGroups.webSecurityGroupId,
    webInstanceId: compute.webInstanceId,
    webAutoScalingGroupName: compute.webAutoScalingGroupName,
    albDnsName: edge?.dnsName,
    albZoneId: edge?.zoneId,
    albArn: edge?.loadBalancerArn,
    wafAclArn: edge?.webAclArn,
    redisEndpoint: sessionStore?.endpoint,
    openWebUiImage: compute.openWebUiImage,
    uploadsBucketName: compute.uploadsBucketName,
    // Callers of gatewayUrl are admitted by the group in front of the gateway: the internal load
    // balancer's in the load-balanced tier, the gateway host's own otherwise.
    gatewaySecurityGroupId:
        securityGroups.gatewayLbSecurityGroupId ?? securityGroups.gatewaySecurityGroupId,
    gatewayUrl: compute.gatewayUrl,
    gatewayApiKeySecretArn: compute.gatewayApiKeySecretArn,
    gatewayImage: compute.gatewayImage,
    gatewayInstanceId: compute.gatewayInstanceId,
    gatewayAutoScalingGroupName: compute.gatewayAutoScalingGroupName,
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
    dashboardUrl: dashboard.url,
    defaultModelProfileArn: compute.defaultModelProfileArn,
};

export const contractVersion = outputs.contractVersion;
export const webTier = outputs.webTier;
export const portalUrl = outputs.portalUrl;
export const webPublicIp = outputs.webPublicIp;
export const webSecurityGroupId = outputs.webSecurityGroupId;
export const webInstanceId = outputs.webInstanceId;
export const webAutoScalingGroupName = outputs.webAutoScalingGroupName;
export const albDnsName = outputs.albDnsName;
export const albZoneId = outputs.albZoneId;
export const albArn = outputs.albArn;
export const wafAclArn = outputs.wafAclArn;
export const redisEndpoint = outputs.redisEndpoint;
export const openWebUiImage = outputs.openWebUiImage;
export const uploadsBucketName = outputs.uploadsBucketName;
export const gatewaySecurityGroupId = outputs.gatewaySecurityGroupId;
export const gatewayUrl = outputs.gatewayUrl;
export const gatewayApiKeySecretArn = outputs.gatewayApiKeySecretArn;
export const gatewayImage = outputs.gatewayImage;
export const gatewayInstanceId = outputs.gatewayInstanceId;
export const gatewayAutoScalingGroupName = outputs.gatewayAutoScalingGroupName;
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
export const dashboardUrl = outputs.dashboardUrl;
export const defaultModelProfileArn = outputs.defaultModelProfileArn;
