/**
 * AI Portal: reads and validates the stack config, wires the tiers together, exports the outputs.
 * Each tier is one component in its own folder; nothing else belongs here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Compute } from "./compute";
import { CONTRACT_VERSION, PortalOutputs } from "./contract";
import type { DirectoryConfig } from "./config";
import { loadConfig } from "./config/load";
import { Database } from "./data";
import { RoleBootstrap } from "./data/roleBootstrap";
import { LOCAL_SIGN_IN_PATH, OIDC_CALLBACK_PATH, SCIM_PATH_PREFIX } from "./compute/settings";
import { SessionStore } from "./data/sessionStore";
import { Directory } from "./directory";
import { Edge } from "./edge";
import { Backups } from "./backup";
import { recoveryObjectives as objectives, recoveryOutput } from "./backup/recovery";
import { Budgets } from "./governance/budgets";
import { CostAllocationTags } from "./governance/costTags";
import { DashboardHosts, DashboardInput, PortalDashboard } from "./governance/dashboard";
import { AuditLog } from "./governance/auditLog";
import { Guardrail } from "./governance/guardrail";
import { InvocationLogging } from "./governance/invocationLogging";
import { WorkingHoursSchedule } from "./governance/workingHours";
import { DIRECTORY_BIND_METRIC, HEALTH_METRIC, HEALTH_NAMESPACE } from "./operations/alarms";
import { BindAccount } from "./directory/bindAccount";
import { LdapName } from "./directory/ldapName";
import { BindCheck, PasswordPolicies } from "./directory/passwordPolicies";
import { PortalGroup } from "./directory/portalGroup";
import { Network } from "./network";
import { Operations } from "./operations";
import { GuardrailAlarm } from "./operations/guardrailAlarm";
import { UsageGateAlarm } from "./operations/usageGateAlarm";
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
        restore: config.restore.database,
        encryptionKeyArn,
    },
    providers,
);
// No directory at all when people sign in through an OpenID Connect provider only
// (config `directory: none`): nor the bind account, portal group, policies or LDAP rules below.
const directoryConfig = config.directory;
const directory = directoryConfig
    ? new Directory(
          "directory",
          {
              namePrefix,
              vpcId: network.vpcId,
              privateSubnetIds: network.privateSubnetIds,
              ...directoryConfig,
              encryptionKeyArn,
          },
          providers,
      )
    : undefined;

const securityGroups = new SecurityGroups(
    "sg",
    {
        namePrefix,
        vpcId: network.vpcId,
        databaseSecurityGroupId: database.securityGroupId,
        directory: directory !== undefined,
        directorySecurityGroupId: directory?.securityGroupId,
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
              scim: config.identity.scim
                  ? { pathPrefix: SCIM_PATH_PREFIX, allowedCidrs: config.identity.scimAllowedCidrs }
                  : undefined,
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
        gateSecretArn: database.gateSecretArn,
        gateSecretVersionId: database.gateSecretVersionId,
        logRetentionDays: config.logRetentionDays,
        // Its rules (5432 to the database, 443 to Secrets Manager) and the private subnets' way out.
        networkReady: [...securityGroups.rulesFor("dbBootstrap"), ...network.privateEgress],
        encryptionKeyArn,
    },
    providers,
);
const directoryServices =
    directory && directoryConfig ? declareDirectoryServices(directory, directoryConfig) : undefined;

/**
 * What the directory brings besides itself: Open WebUI's bind account, the domain controllers'
 * name, the portal group, its password policies and the bind check.
 */
function declareDirectoryServices(directory: Directory, dc: DirectoryConfig) {
    const bindAccount = new BindAccount(
        "ldap-bind",
        {
            namePrefix,
            directoryId: directory.directoryId,
            domain: directory.domain,
            region: config.region,
            protect: dc.protect,
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
            directoryDomain: dc.domain,
            domainControllerIps: directory.dnsIpAddresses,
        },
        providers,
    );

    // The group whose members may sign in; kept with its members when a protected stack drops it.
    const portalGroup = new PortalGroup(
        "portal-group",
        {
            directoryId: directory.directoryId,
            name: dc.portalGroup,
            usersOuDn: directory.names.usersOuDn,
            region: config.region,
            retainOnDelete: dc.protect,
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
            securityGroupId: securityGroups.directoryPolicySecurityGroupId!,
            domainControllerIps: directory.dnsIpAddresses,
            directoryId: directory.directoryId,
            domainDn: directory.names.domainDn,
            adminSecretArn: directory.adminSecretArn,
            portalGroupDn: portalGroup.groupDn,
            bindAccountName: bindAccount.samAccountName,
            policy: dc.passwordPolicy,
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
            securityGroupId: securityGroups.directoryPolicySecurityGroupId!,
            domainControllerIps: directory.dnsIpAddresses,
            bindSecretArn: bindAccount.secretArn,
            namespace: HEALTH_NAMESPACE,
            metric: DIRECTORY_BIND_METRIC,
            logRetentionDays: config.logRetentionDays,
            encryptionKeyArn,
        },
        providers,
    );
    return { bindAccount, ldapName, portalGroup, passwordPolicies, bindCheck };
}

// Open WebUI's audit trail: a log group of its own (retention auditLogRetentionDays, the stack's
// key), which the web hosts ship the audit file to.
const auditLog = new AuditLog(
    "audit",
    {
        namePrefix,
        retentionDays: config.audit.retentionDays,
        encryptionKeyArn,
        protect: config.database.deletionProtection,
    },
    providers,
);

// AWS Backup of the database and the uploads bucket, copied to a vault in the DR region through a
// second explicit provider with the same default tags, and the uploads replicated there live
// (README "Backups off-site"). The uploads bucket is declared by compute with the replication
// this declares, so its ARN is handed over once compute exists.
const drProvider = config.backup.crossRegionCopy
    ? new aws.Provider("aws-dr", {
          region: config.backup.drRegion as aws.Region,
          defaultTags: { tags: { ...config.tags } },
      })
    : undefined;
const [uploadsBucketArn, setUploadsBucketArn] = pulumi.deferredOutput<string>();
const backups = new Backups(
    "backup",
    {
        namePrefix,
        region: config.region,
        backup: config.backup,
        workingHours: config.governance.schedule,
        dbInstanceIdentifier: database.identifier,
        uploadsBucketArn,
        uploadsKeyArn: encryptionKeyArn,
        customerManagedKeys: config.encryptionKey === "customer-managed",
        protect: config.database.deletionProtection,
        drProvider,
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
        uploadsReplication: backups.uploadsReplication,
        encryption: dataKey && {
            keyArn: dataKey.keyArn,
            autoScalingRoleArn: dataKey.autoScalingRoleArn,
        },
        database: {
            appSecretArn: database.appSecretArn,
            appSecretVersionId: database.appSecretVersionId,
            instanceIdentifier: database.identifier,
            createdIdentifier: database.createdIdentifier,
            gateSecretArn: database.gateSecretArn,
            gateSecretVersionId: database.gateSecretVersionId,
        },
        usageGate: config.usageGate,
        directory: directory &&
            directoryServices && {
                domain: directory.domain,
                shortName: directory.shortName,
                ldapHost: directoryServices.ldapName.hostName,
                searchBase: directory.names.usersOuDn,
                bindIdentity: directoryServices.bindAccount.bindIdentity,
                bindSecretArn: directoryServices.bindAccount.secretArn,
                bindSecretVersionId: directoryServices.bindAccount.secretVersionId,
                portalGroupDn: directoryServices.portalGroup.groupDn,
            },
        identity: {
            authMode: config.identity.authMode,
            oidc: config.identity.oidc && {
                ...config.identity.oidc,
                clientSecret: pulumi.secret(config.identity.oidc.clientSecret),
            },
            ldapGroupManagement: config.identity.ldapGroupManagement,
            scim: config.identity.scim,
            scimAllowedCidrs: config.identity.scimAllowedCidrs,
        },
        // Nothing: the hosts wait at boot for the database and its role (the role bootstrap), and
        // reach the directory by name at sign-in (the bind account and group are looked up then).
        webDependsOn: [],
        audit: {
            level: config.audit.level,
            logGroupName: auditLog.logGroupName,
            logGroupArn: auditLog.logGroupArn,
        },
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

setUploadsBucketArn(compute.uploadsBucketArn);

if (dataKey) {
    // Who uses the key, now that they exist: every role that reads a secret of the stack, and
    // the web hosts for the uploads bucket.
    setDataKeyUsers(
        pulumi.output({
            secretReaderRoleArns: [
                compute.webRoleArn,
                compute.gatewayRoleArn,
                roleBootstrap.roleArn,
                ...(directoryServices
                    ? [
                          directoryServices.passwordPolicies.roleArn,
                          directoryServices.bindCheck.roleArn,
                      ]
                    : []),
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
        directory: directory !== undefined,
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
// The stack's Bedrock guardrail; the one of the stack that owns the account's settings is
// enforced on every Bedrock call in the account and region (the gateway sends none).
const guardrail = config.guardrail
    ? new Guardrail(
          "guardrail",
          {
              namePrefix,
              config: config.guardrail,
              region: config.region,
              stack: config.stack,
              accountSettingsStack: gov.accountSettingsStack,
          },
          providers,
      )
    : undefined;
if (guardrail) {
    // A sudden rise in the guardrail's interventions reaches the alarm topic.
    new GuardrailAlarm(
        "guardrail-alarm",
        {
            namePrefix,
            guardrailArn: guardrail.guardrailArn,
            guardrailVersion: guardrail.version,
            topicArn: operations.alarmTopicArn,
        },
        providers,
    );
}
// The usage gate (gate/, on the gateway hosts) letting calls through unmetered reaches the alarm topic.
new UsageGateAlarm(
    "usage-gate-alarm",
    { namePrefix, stack: config.stack, topicArn: operations.alarmTopicArn },
    providers,
);
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
                guardrail: guardrail && { arn: guardrail.guardrailArn, version: guardrail.version },
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
            .apply(({ dbInstanceIdentifier, hosts, guardrail: g }): DashboardInput => ({
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
                guardrail: g,
                // The gateway hosts' log group (compute/gateway.ts), where the usage gate logs.
                usageGateLogGroup: `/${namePrefix}/gateway`,
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
    preUpgradeSnapshotIdentifier: compute.preUpgradeSnapshotIdentifier,
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
    dbGateSecretArn: database.gateSecretArn,
    dbRestoredFrom: database.restoredFrom,
    authMode: config.identity.authMode,
    directoryMode: config.identity.directory,
    directoryId: directory?.directoryId,
    directoryDomain: directory?.domain,
    directoryShortName: directory?.shortName,
    directoryDnsIps: directory?.dnsIpAddresses,
    directorySecurityGroupId: directory?.securityGroupId,
    directoryAdminDn: directory?.names.adminDn,
    directorySearchBase: directory?.names.usersOuDn,
    directoryAdminSecretArn: directory?.adminSecretArn,
    directoryBindSecretArn: directoryServices?.bindAccount.secretArn,
    oidcRedirectUri: config.identity.oidc
        ? pulumi.interpolate`${compute.portalUrl}${OIDC_CALLBACK_PATH}`
        : undefined,
    oidcClientSecretArn: compute.oidcClientSecretArn,
    scimEndpoint: config.identity.scim
        ? pulumi.interpolate`${compute.portalUrl}${SCIM_PATH_PREFIX}/v2`
        : undefined,
    scimTokenSecretArn: compute.scimTokenSecretArn,
    alarmTopicArn: operations.alarmTopicArn,
    dashboardUrl: dashboard.url,
    defaultModelProfileArn: compute.defaultModelProfileArn,
    guardrailId: guardrail?.guardrailId,
    guardrailArn: guardrail?.guardrailArn,
    guardrailVersion: guardrail?.version,
    auditLogGroupName: auditLog.logGroupName,
    backupVaultArn: backups.vaultArn,
    backupDrVaultArn: backups.drVaultArn,
    recoveryObjectives: recoveryOutput(
        objectives({
            backup: config.backup,
            multiAz: config.database.multiAz,
            workingHours: config.governance.schedule,
        }),
    ),
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
export const preUpgradeSnapshotIdentifier = outputs.preUpgradeSnapshotIdentifier;
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
export const dbGateSecretArn = outputs.dbGateSecretArn;
export const dbRestoredFrom = outputs.dbRestoredFrom;
export const authMode = outputs.authMode;
export const directoryMode = outputs.directoryMode;
export const oidcRedirectUri = outputs.oidcRedirectUri;
export const oidcClientSecretArn = outputs.oidcClientSecretArn;
export const scimEndpoint = outputs.scimEndpoint;
export const scimTokenSecretArn = outputs.scimTokenSecretArn;
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
export const backupVaultArn = outputs.backupVaultArn;
export const backupDrVaultArn = outputs.backupDrVaultArn;
export const recoveryObjectives = outputs.recoveryObjectives;
export const guardrailId = outputs.guardrailId;
export const guardrailArn = outputs.guardrailArn;
export const guardrailVersion = outputs.guardrailVersion;
export const auditLogGroupName = outputs.auditLogGroupName;
