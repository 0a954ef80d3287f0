/**
 * Which AWS API request each declared resource type's inputs end up in, for the API-constraint
 * check (apiConstraints.test.ts). One entry per type token; adding a type is one line:
 *
 *     "aws:sqs/queue:Queue": { service: "sqs", operation: "CreateQueue" },
 *
 * `service` is botocore's folder name (`ls $(python3 -c 'import botocore,os;print(os.path.dirname(
 * botocore.__file__))')/data`), `operation` the call the provider's create makes. An input maps by
 * default to the request member of the same name (camelCase -> PascalCase, any case), inside
 * structures and lists; `rename` maps the others (by input path, list indices dropped, to the
 * member path from the request's root, or `Operation:path` for another call of the service, e.g. an
 * attribute the provider sets after the create); `skip` names the inputs not checked and why. The
 * test fails on an input it cannot place, so every unchecked input is listed here with its reason.
 */
import type { ApiMapping, DocumentedRule } from "../support/apiModels";

/** A type that calls no AWS API whose model could check it, and why. */
export interface NotApplicable {
    readonly notApplicable: string;
}

export type TableEntry = ApiMapping | NotApplicable;

export function isNotApplicable(entry: TableEntry): entry is NotApplicable {
    return "notApplicable" in entry;
}

/**
 * Inputs of every type, skipped only where the request has no member of that name: `tags` is
 * checked where the create takes them (a map, or a Key/Value list the check builds from the
 * map) and skipped where the provider sends them some other way (EC2's TagSpecifications, S3's
 * PutBucketTagging). The provider's default tags (Project, Stack, ManagedBy) are merged in by the
 * provider, so only the declared ones are seen here.
 */
export const SKIP_EVERYWHERE: Readonly<Record<string, string>> = {
    tags: "sent by the provider in a shape of its own (TagSpecifications, a tagging call)",
    tagsAll: "computed by the provider from tags and the default tags",
};

const PROVIDER_ONLY = "read by the provider itself (how it waits or deletes), never sent to AWS";
const BOOLEAN_ATTRIBUTE =
    "a boolean the provider sends as an attribute structure; nothing to check";
const LB_ATTRIBUTE =
    "sent by ModifyLoadBalancerAttributes/ModifyTargetGroupAttributes as a key and a string " +
    "value, whose values the models do not constrain";

/**
 * Security group names and descriptions, and rule descriptions: EC2 answers InvalidParameterValue
 * ("Valid descriptions are strings less than 256 characters from the following set:
 * a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"): no apostrophe. EC2's model states no pattern.
 */
const EC2_DESCRIPTION: DocumentedRule = {
    pattern: "[a-zA-Z0-9 ._\\-:/()#,@\\[\\]+=&;{}!$*]*",
    max: 255,
    source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
};
const EC2_RULE_DESCRIPTION: DocumentedRule = {
    ...EC2_DESCRIPTION,
    source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
};

/** Security group rules: one IpPermission of Authorize{Ingress,Egress}. */
function securityGroupRule(operation: string): ApiMapping {
    return {
        service: "ec2",
        operation,
        rename: {
            securityGroupId: "GroupId",
            ipProtocol: "IpPermissions.IpProtocol",
            fromPort: "IpPermissions.FromPort",
            toPort: "IpPermissions.ToPort",
            cidrIpv4: "IpPermissions.IpRanges.CidrIp",
            cidrIpv6: "IpPermissions.Ipv6Ranges.CidrIpv6",
            prefixListId: "IpPermissions.PrefixListIds.PrefixListId",
            referencedSecurityGroupId: "IpPermissions.UserIdGroupPairs.GroupId",
            // The same String shape wherever the provider puts it (IpRanges, UserIdGroupPairs).
            description: "IpPermissions.IpRanges.Description",
        },
        documented: { description: EC2_RULE_DESCRIPTION },
    };
}

export const API_TABLE: Readonly<Record<string, TableEntry>> = {
    "aws:acm/certificate:Certificate": { service: "acm", operation: "RequestCertificate" },
    "aws:acm/certificateValidation:CertificateValidation": {
        service: "acm",
        operation: "DescribeCertificate",
        skip: { validationRecordFqdns: "compared by the provider with the certificate's records" },
    },
    "aws:autoscaling/group:Group": {
        service: "autoscaling",
        operation: "CreateAutoScalingGroup",
        rename: {
            name: "AutoScalingGroupName",
            // The provider joins the list with commas into one XmlStringMaxLen2047.
            vpcZoneIdentifiers: "VPCZoneIdentifier",
            "launchTemplate.id": "LaunchTemplate.LaunchTemplateId",
            "launchTemplate.name": "LaunchTemplate.LaunchTemplateName",
            "launchTemplate.version": "LaunchTemplate.Version",
            initialLifecycleHooks: "LifecycleHookSpecificationList",
            "initialLifecycleHooks.name": "LifecycleHookSpecificationList.LifecycleHookName",
            "initialLifecycleHooks.notificationTargetArn":
                "LifecycleHookSpecificationList.NotificationTargetARN",
            "initialLifecycleHooks.roleArn": "LifecycleHookSpecificationList.RoleARN",
            "instanceRefresh.strategy": "StartInstanceRefresh:Strategy",
            "instanceRefresh.preferences": "StartInstanceRefresh:Preferences",
        },
        skip: {
            minElbCapacity: PROVIDER_ONLY,
            waitForCapacityTimeout: PROVIDER_ONLY,
            waitForElbCapacity: PROVIDER_ONLY,
            forceDelete: PROVIDER_ONLY,
            "instanceRefresh.triggers": PROVIDER_ONLY,
        },
    },
    "aws:autoscaling/lifecycleHook:LifecycleHook": {
        service: "autoscaling",
        operation: "PutLifecycleHook",
        rename: {
            name: "LifecycleHookName",
            autoscalingGroupName: "AutoScalingGroupName",
            notificationTargetArn: "NotificationTargetARN",
            roleArn: "RoleARN",
        },
    },
    "aws:autoscaling/policy:Policy": {
        service: "autoscaling",
        operation: "PutScalingPolicy",
        rename: { autoscalingGroupName: "AutoScalingGroupName", name: "PolicyName" },
    },
    "aws:bedrock/guardrail:Guardrail": {
        service: "bedrock",
        operation: "CreateGuardrail",
        // The provider's blocks are lists named in the plural; the request's members singular.
        renameKeys: {
            filtersConfigs: "filtersConfig",
            tierConfigs: "tierConfig",
            piiEntitiesConfigs: "piiEntitiesConfig",
            regexesConfigs: "regexesConfig",
            topicsConfigs: "topicsConfig",
            wordsConfigs: "wordsConfig",
            managedWordListsConfigs: "managedWordListsConfig",
        },
    },
    "aws:bedrock/guardrailVersion:GuardrailVersion": {
        service: "bedrock",
        operation: "CreateGuardrailVersion",
        rename: { guardrailArn: "guardrailIdentifier" },
    },
    // @pulumi/aws-native: Cloud Control's handler for AWS::Bedrock::EnforcedGuardrailConfiguration
    // makes this call, with the resource's properties inside guardrailInferenceConfig.
    "aws-native:bedrock:EnforcedGuardrailConfiguration": {
        service: "bedrock",
        operation: "PutEnforcedGuardrailConfiguration",
        rename: {
            guardrailIdentifier: "guardrailInferenceConfig.guardrailIdentifier",
            guardrailVersion: "guardrailInferenceConfig.guardrailVersion",
            modelEnforcement: "guardrailInferenceConfig.modelEnforcement",
            selectiveContentGuarding: "guardrailInferenceConfig.selectiveContentGuarding",
        },
    },
    "aws:bedrock/inferenceProfile:InferenceProfile": {
        service: "bedrock",
        operation: "CreateInferenceProfile",
        rename: { name: "inferenceProfileName" },
    },
    "aws:budgets/budget:Budget": {
        service: "budgets",
        operation: "CreateBudget",
        rename: {
            name: "Budget.BudgetName",
            budgetType: "Budget.BudgetType",
            timeUnit: "Budget.TimeUnit",
            limitAmount: "Budget.BudgetLimit.Amount",
            limitUnit: "Budget.BudgetLimit.Unit",
            filterExpression: "Budget.FilterExpression",
            metrics: "Budget.Metrics",
            // The provider turns the list into Budget.CostFilters, a map of name -> values.
            "costFilters.name": "Budget.CostFilters.<key>",
            "costFilters.values": "Budget.CostFilters.<value>",
            "notifications.comparisonOperator":
                "NotificationsWithSubscribers.Notification.ComparisonOperator",
            "notifications.notificationType":
                "NotificationsWithSubscribers.Notification.NotificationType",
            "notifications.threshold": "NotificationsWithSubscribers.Notification.Threshold",
            "notifications.thresholdType":
                "NotificationsWithSubscribers.Notification.ThresholdType",
            "notifications.subscriberEmailAddresses":
                "NotificationsWithSubscribers.Subscribers.Address",
            "notifications.subscriberSnsTopicArns":
                "NotificationsWithSubscribers.Subscribers.Address",
        },
        // The filter expression nests: an `ands` inside an `ors` inside an `ands` ...
        renameKeys: { ands: "And", ors: "Or", not: "Not" },
    },
    "aws:cloudwatch/dashboard:Dashboard": { service: "cloudwatch", operation: "PutDashboard" },
    "aws:cloudwatch/logGroup:LogGroup": {
        service: "logs",
        operation: "CreateLogGroup",
        rename: { name: "logGroupName", retentionInDays: "PutRetentionPolicy:retentionInDays" },
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        service: "cloudwatch",
        operation: "PutMetricAlarm",
        rename: {
            name: "AlarmName",
            okActions: "OKActions",
            "metricQueries.id": "Metrics.Id",
            "metricQueries.expression": "Metrics.Expression",
            "metricQueries.label": "Metrics.Label",
            "metricQueries.returnData": "Metrics.ReturnData",
            "metricQueries.accountId": "Metrics.AccountId",
            "metricQueries.period": "Metrics.Period",
            "metricQueries.metric.metricName": "Metrics.MetricStat.Metric.MetricName",
            "metricQueries.metric.namespace": "Metrics.MetricStat.Metric.Namespace",
            "metricQueries.metric.dimensions": "Metrics.MetricStat.Metric.Dimensions",
            "metricQueries.metric.period": "Metrics.MetricStat.Period",
            "metricQueries.metric.stat": "Metrics.MetricStat.Stat",
            "metricQueries.metric.unit": "Metrics.MetricStat.Unit",
        },
    },
    "aws:directoryservice/directory:Directory": {
        service: "ds",
        operation: "CreateMicrosoftAD",
        skip: {
            type: "chooses the operation (MicrosoftAD: CreateMicrosoftAD)",
            enableDirectoryDataAccess:
                "a switch: the provider calls EnableDirectoryDataAccess with the directory's id",
        },
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        // Adopted, not created: found by its VPC, then its rules are revoked.
        service: "ec2",
        operation: "DescribeSecurityGroups",
        rename: { vpcId: "Filters.Values" },
    },
    "aws:ec2/eip:Eip": { service: "ec2", operation: "AllocateAddress" },
    "aws:ec2/eipAssociation:EipAssociation": { service: "ec2", operation: "AssociateAddress" },
    "aws:ec2/flowLog:FlowLog": {
        service: "ec2",
        operation: "CreateFlowLogs",
        rename: { vpcId: "ResourceIds", iamRoleArn: "DeliverLogsPermissionArn" },
    },
    "aws:ec2/instance:Instance": {
        service: "ec2",
        operation: "RunInstances",
        rename: {
            ami: "ImageId",
            vpcSecurityGroupIds: "SecurityGroupIds",
            iamInstanceProfile: "IamInstanceProfile.Name",
            associatePublicIpAddress: "NetworkInterfaces.AssociatePublicIpAddress",
            rootBlockDevice: "BlockDeviceMappings.Ebs",
        },
        skip: { userDataReplaceOnChange: PROVIDER_ONLY },
    },
    "aws:ec2/internetGateway:InternetGateway": {
        service: "ec2",
        operation: "CreateInternetGateway",
        rename: { vpcId: "AttachInternetGateway:VpcId" },
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        service: "ec2",
        operation: "CreateLaunchTemplate",
        rename: {
            name: "LaunchTemplateName",
            description: "VersionDescription",
            blockDeviceMappings: "LaunchTemplateData.BlockDeviceMappings",
            iamInstanceProfile: "LaunchTemplateData.IamInstanceProfile",
            imageId: "LaunchTemplateData.ImageId",
            instanceType: "LaunchTemplateData.InstanceType",
            metadataOptions: "LaunchTemplateData.MetadataOptions",
            tagSpecifications: "LaunchTemplateData.TagSpecifications",
            userData: "LaunchTemplateData.UserData",
            vpcSecurityGroupIds: "LaunchTemplateData.SecurityGroupIds",
            networkInterfaces: "LaunchTemplateData.NetworkInterfaces",
            monitoring: "LaunchTemplateData.Monitoring",
        },
        skip: { updateDefaultVersion: PROVIDER_ONLY },
    },
    "aws:ec2/natGateway:NatGateway": { service: "ec2", operation: "CreateNatGateway" },
    "aws:ec2/route:Route": { service: "ec2", operation: "CreateRoute" },
    "aws:ec2/routeTable:RouteTable": { service: "ec2", operation: "CreateRouteTable" },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        service: "ec2",
        operation: "AssociateRouteTable",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        service: "ec2",
        operation: "CreateSecurityGroup",
        rename: { name: "GroupName", namePrefix: "GroupName" },
        skip: { revokeRulesOnDelete: PROVIDER_ONLY },
        documented: {
            description: EC2_DESCRIPTION,
            name: EC2_DESCRIPTION,
            namePrefix: EC2_DESCRIPTION,
        },
    },
    "aws:ec2/subnet:Subnet": {
        service: "ec2",
        operation: "CreateSubnet",
        skip: { mapPublicIpOnLaunch: BOOLEAN_ATTRIBUTE },
    },
    "aws:ec2/vpc:Vpc": {
        service: "ec2",
        operation: "CreateVpc",
        skip: { enableDnsHostnames: BOOLEAN_ATTRIBUTE, enableDnsSupport: BOOLEAN_ATTRIBUTE },
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
        service: "ecr",
        operation: "PutLifecyclePolicy",
        rename: { repository: "repositoryName", policy: "lifecyclePolicyText" },
    },
    "aws:ecr/repository:Repository": {
        service: "ecr",
        operation: "CreateRepository",
        rename: { name: "repositoryName", encryptionConfigurations: "encryptionConfiguration" },
        skip: { forceDelete: PROVIDER_ONLY },
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        service: "elasticache",
        operation: "CreateReplicationGroup",
        rename: {
            description: "ReplicationGroupDescription",
            nodeType: "CacheNodeType",
            subnetGroupName: "CacheSubnetGroupName",
            maintenanceWindow: "PreferredMaintenanceWindow",
            multiAzEnabled: "MultiAZEnabled",
            authTokenUpdateStrategy: "ModifyReplicationGroup:AuthTokenUpdateStrategy",
            applyImmediately: "ModifyReplicationGroup:ApplyImmediately",
        },
    },
    "aws:elasticache/subnetGroup:SubnetGroup": {
        service: "elasticache",
        operation: "CreateCacheSubnetGroup",
        rename: { name: "CacheSubnetGroupName", description: "CacheSubnetGroupDescription" },
    },
    "aws:iam/instanceProfile:InstanceProfile": {
        service: "iam",
        operation: "CreateInstanceProfile",
        rename: { name: "InstanceProfileName", role: "AddRoleToInstanceProfile:RoleName" },
    },
    "aws:iam/role:Role": {
        service: "iam",
        operation: "CreateRole",
        rename: { name: "RoleName", assumeRolePolicy: "AssumeRolePolicyDocument" },
        skip: { forceDetachPolicies: PROVIDER_ONLY },
    },
    "aws:iam/rolePolicy:RolePolicy": {
        service: "iam",
        operation: "PutRolePolicy",
        rename: { name: "PolicyName", role: "RoleName", policy: "PolicyDocument" },
    },
    "aws:lambda/function:Function": {
        service: "lambda",
        operation: "CreateFunction",
        rename: { name: "FunctionName" },
        skip: { code: "an archive the provider zips and uploads (Code.ZipFile, a blob)" },
    },
    "aws:lambda/invocation:Invocation": {
        service: "lambda",
        operation: "Invoke",
        rename: { input: "Payload" },
        skip: { triggers: PROVIDER_ONLY },
    },
    "aws:lb/listener:Listener": {
        service: "elbv2",
        operation: "CreateListener",
        rename: {
            certificateArn: "Certificates.CertificateArn",
            "defaultActions.forward": "DefaultActions.ForwardConfig",
            "defaultActions.redirect": "DefaultActions.RedirectConfig",
            "defaultActions.fixedResponse": "DefaultActions.FixedResponseConfig",
            // Listener attributes: a key and a string value each (ModifyListenerAttributes).
            routingHttpResponseStrictTransportSecurityHeaderValue:
                "ModifyListenerAttributes:Attributes.Value",
        },
        skip: { routingHttpResponseServerEnabled: BOOLEAN_ATTRIBUTE },
    },
    "aws:lb/listenerRule:ListenerRule": {
        service: "elbv2",
        operation: "CreateRule",
        rename: {
            "actions.forward": "Actions.ForwardConfig",
            "actions.redirect": "Actions.RedirectConfig",
            "actions.fixedResponse": "Actions.FixedResponseConfig",
            "conditions.pathPattern": "Conditions.PathPatternConfig",
            "conditions.sourceIp": "Conditions.SourceIpConfig",
            "conditions.hostHeader": "Conditions.HostHeaderConfig",
            "conditions.httpHeader": "Conditions.HttpHeaderConfig",
        },
    },
    "aws:backup/vault:Vault": {
        service: "backup",
        operation: "CreateBackupVault",
        rename: { name: "BackupVaultName", kmsKeyArn: "EncryptionKeyArn" },
        skip: { forceDestroy: PROVIDER_ONLY },
    },
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": {
        service: "backup",
        operation: "PutBackupVaultLockConfiguration",
    },
    "aws:backup/plan:Plan": {
        service: "backup",
        operation: "CreateBackupPlan",
        rename: {
            name: "BackupPlan.BackupPlanName",
            rules: "BackupPlan.Rules",
            "rules.targetVaultName": "BackupPlan.Rules.TargetBackupVaultName",
            "rules.schedule": "BackupPlan.Rules.ScheduleExpression",
            "rules.startWindow": "BackupPlan.Rules.StartWindowMinutes",
            "rules.completionWindow": "BackupPlan.Rules.CompletionWindowMinutes",
            "rules.lifecycle.deleteAfter": "BackupPlan.Rules.Lifecycle.DeleteAfterDays",
            "rules.copyActions.destinationVaultArn":
                "BackupPlan.Rules.CopyActions.DestinationBackupVaultArn",
            "rules.copyActions.lifecycle.deleteAfter":
                "BackupPlan.Rules.CopyActions.Lifecycle.DeleteAfterDays",
        },
        documented: {
            name: {
                // BackupPlanName has no pattern in the model; its documentation states one.
                pattern: "[a-zA-Z0-9\\-_.]{1,50}",
                max: 50,
                source: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlanInput.html",
            },
        },
    },
    "aws:backup/selection:Selection": {
        service: "backup",
        operation: "CreateBackupSelection",
        rename: {
            name: "BackupSelection.SelectionName",
            planId: "BackupPlanId",
            iamRoleArn: "BackupSelection.IamRoleArn",
            resources: "BackupSelection.Resources",
        },
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        service: "iam",
        operation: "AttachRolePolicy",
        rename: { role: "RoleName" },
    },
    "aws:kms/key:Key": {
        service: "kms",
        operation: "CreateKey",
        rename: { deletionWindowInDays: "ScheduleKeyDeletion:PendingWindowInDays" },
        skip: {
            enableKeyRotation:
                "a switch: the provider calls EnableKeyRotation with the key's id (no value to check)",
        },
    },
    "aws:kms/alias:Alias": {
        service: "kms",
        operation: "CreateAlias",
        rename: { name: "AliasName" },
        documented: {
            name: {
                // The model's pattern allows it; KMS refuses names under alias/aws/ (AWS-managed).
                pattern: "alias/(?!aws/)[a-zA-Z0-9:/_-]+",
                max: 256,
                source: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
            },
        },
    },
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": {
        service: "iam",
        operation: "CreateServiceLinkedRole",
        rename: { awsServiceName: "AWSServiceName" },
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        service: "elbv2",
        operation: "CreateLoadBalancer",
        rename: { loadBalancerType: "Type" },
        skip: {
            internal: "a boolean the provider sends as Scheme (internal | internet-facing)",
            dropInvalidHeaderFields: LB_ATTRIBUTE,
            idleTimeout: LB_ATTRIBUTE,
            accessLogs: LB_ATTRIBUTE,
            enableDeletionProtection: LB_ATTRIBUTE,
            enableHttp2: LB_ATTRIBUTE,
        },
    },
    "aws:lb/targetGroup:TargetGroup": {
        service: "elbv2",
        operation: "CreateTargetGroup",
        rename: {
            "healthCheck.enabled": "HealthCheckEnabled",
            "healthCheck.healthyThreshold": "HealthyThresholdCount",
            "healthCheck.unhealthyThreshold": "UnhealthyThresholdCount",
            "healthCheck.interval": "HealthCheckIntervalSeconds",
            "healthCheck.timeout": "HealthCheckTimeoutSeconds",
            "healthCheck.path": "HealthCheckPath",
            "healthCheck.port": "HealthCheckPort",
            "healthCheck.protocol": "HealthCheckProtocol",
            "healthCheck.matcher": "Matcher.HttpCode",
        },
        skip: { deregistrationDelay: LB_ATTRIBUTE, stickiness: LB_ATTRIBUTE },
    },
    "aws:rds/instance:Instance": {
        service: "rds",
        operation: "CreateDBInstance",
        rename: {
            identifier: "DBInstanceIdentifier",
            instanceClass: "DBInstanceClass",
            dbName: "DBName",
            dbSubnetGroupName: "DBSubnetGroupName",
            parameterGroupName: "DBParameterGroupName",
            username: "MasterUsername",
            maintenanceWindow: "PreferredMaintenanceWindow",
            backupWindow: "PreferredBackupWindow",
            caCertIdentifier: "CACertificateIdentifier",
            multiAz: "MultiAZ",
            performanceInsightsEnabled: "EnablePerformanceInsights",
            performanceInsightsKmsKeyId: "PerformanceInsightsKMSKeyId",
            storageEncrypted: "StorageEncrypted",
            finalSnapshotIdentifier: "DeleteDBInstance:FinalDBSnapshotIdentifier",
            skipFinalSnapshot: "DeleteDBInstance:SkipFinalSnapshot",
            deleteAutomatedBackups: "DeleteDBInstance:DeleteAutomatedBackups",
            applyImmediately: "ModifyDBInstance:ApplyImmediately",
            allowMajorVersionUpgrade: "ModifyDBInstance:AllowMajorVersionUpgrade",
            enabledCloudwatchLogsExports: "EnableCloudwatchLogsExports",
            // A restored instance (the drill stack) is created by one of the restore calls.
            snapshotIdentifier: "RestoreDBInstanceFromDBSnapshot:DBSnapshotIdentifier",
            "restoreToPointInTime.sourceDbInstanceIdentifier":
                "RestoreDBInstanceToPointInTime:SourceDBInstanceIdentifier",
            "restoreToPointInTime.restoreTime": "RestoreDBInstanceToPointInTime:RestoreTime",
            "restoreToPointInTime.useLatestRestorableTime":
                "RestoreDBInstanceToPointInTime:UseLatestRestorableTime",
        },
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        service: "rds",
        operation: "CreateDBParameterGroup",
        rename: {
            name: "DBParameterGroupName",
            family: "DBParameterGroupFamily",
            "parameters.name": "ModifyDBParameterGroup:Parameters.ParameterName",
            "parameters.value": "ModifyDBParameterGroup:Parameters.ParameterValue",
            "parameters.applyMethod": "ModifyDBParameterGroup:Parameters.ApplyMethod",
        },
    },
    "aws:rds/snapshot:Snapshot": {
        service: "rds",
        operation: "CreateDBSnapshot",
        rename: {
            dbInstanceIdentifier: "DBInstanceIdentifier",
            dbSnapshotIdentifier: "DBSnapshotIdentifier",
        },
        // The model states DBSnapshotIdentifier's rule in words only (botocore rds service-2.json,
        // CreateDBSnapshot): 1-255 letters, digits or hyphens, a letter first, no hyphen last or
        // two in a row.
        documented: {
            dbSnapshotIdentifier: {
                pattern: "[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]|[a-zA-Z]",
                max: 255,
                source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html",
            },
        },
    },
    "aws:rds/subnetGroup:SubnetGroup": {
        service: "rds",
        operation: "CreateDBSubnetGroup",
        rename: { name: "DBSubnetGroupName", description: "DBSubnetGroupDescription" },
    },
    "aws:route53/record:Record": {
        service: "route53",
        operation: "ChangeResourceRecordSets",
        rename: {
            zoneId: "HostedZoneId",
            name: "ChangeBatch.Changes.ResourceRecordSet.Name",
            type: "ChangeBatch.Changes.ResourceRecordSet.Type",
            ttl: "ChangeBatch.Changes.ResourceRecordSet.TTL",
            records: "ChangeBatch.Changes.ResourceRecordSet.ResourceRecords.Value",
            "aliases.name": "ChangeBatch.Changes.ResourceRecordSet.AliasTarget.DNSName",
            "aliases.zoneId": "ChangeBatch.Changes.ResourceRecordSet.AliasTarget.HostedZoneId",
            "aliases.evaluateTargetHealth":
                "ChangeBatch.Changes.ResourceRecordSet.AliasTarget.EvaluateTargetHealth",
        },
        skip: { allowOverwrite: "chooses UPSERT over CREATE" },
    },
    "aws:route53/zone:Zone": {
        service: "route53",
        operation: "CreateHostedZone",
        rename: {
            comment: "HostedZoneConfig.Comment",
            // The first VPC goes with the create, any other by AssociateVPCWithHostedZone.
            "vpcs.vpcId": "VPC.VPCId",
            "vpcs.vpcRegion": "VPC.VPCRegion",
        },
        skip: { forceDestroy: PROVIDER_ONLY },
    },
    "aws:s3/bucket:Bucket": {
        service: "s3",
        operation: "CreateBucket",
        // The prefix starts the name (the provider appends a unique suffix), so it meets the
        // name's rules as far as a prefix can.
        rename: {
            bucketPrefix: "Bucket",
            // Live replication, set on the bucket (lib/privateBucket.ts): PutBucketReplication.
            replicationConfiguration: "PutBucketReplication:ReplicationConfiguration",
            "replicationConfiguration.rules.id":
                "PutBucketReplication:ReplicationConfiguration.Rules.ID",
            "replicationConfiguration.rules.deleteMarkerReplicationStatus":
                "PutBucketReplication:ReplicationConfiguration.Rules.DeleteMarkerReplication.Status",
            "replicationConfiguration.rules.destination.replicaKmsKeyId":
                "PutBucketReplication:ReplicationConfiguration.Rules.Destination.EncryptionConfiguration.ReplicaKmsKeyID",
        },
        skip: {
            forceDestroy: PROVIDER_ONLY,
            "replicationConfiguration.rules.sourceSelectionCriteria.sseKmsEncryptedObjects.enabled":
                "a boolean the provider sends as the Status Enabled or Disabled; nothing to check",
            versioning:
                "a boolean the provider sends as PutBucketVersioning's Enabled status; nothing to check",
        },
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        service: "s3",
        operation: "PutBucketLifecycleConfiguration",
        rename: {
            rules: "LifecycleConfiguration.Rules",
            "rules.id": "LifecycleConfiguration.Rules.ID",
        },
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        service: "s3",
        operation: "PutBucketOwnershipControls",
        rename: { rule: "OwnershipControls.Rules" },
    },
    "aws:s3/bucketPolicy:BucketPolicy": { service: "s3", operation: "PutBucketPolicy" },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        service: "s3",
        operation: "PutPublicAccessBlock",
        rename: {
            blockPublicAcls: "PublicAccessBlockConfiguration.BlockPublicAcls",
            blockPublicPolicy: "PublicAccessBlockConfiguration.BlockPublicPolicy",
            ignorePublicAcls: "PublicAccessBlockConfiguration.IgnorePublicAcls",
            restrictPublicBuckets: "PublicAccessBlockConfiguration.RestrictPublicBuckets",
        },
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        service: "s3",
        operation: "PutBucketEncryption",
        rename: { rules: "ServerSideEncryptionConfiguration.Rules" },
    },
    "aws:s3/bucketVersioning:BucketVersioning": {
        service: "s3",
        operation: "PutBucketVersioning",
        rename: { "versioningConfiguration.mfaDelete": "VersioningConfiguration.MFADelete" },
    },
    "aws:scheduler/schedule:Schedule": { service: "scheduler", operation: "CreateSchedule" },
    "aws:scheduler/scheduleGroup:ScheduleGroup": {
        service: "scheduler",
        operation: "CreateScheduleGroup",
    },
    "aws:secretsmanager/secret:Secret": {
        service: "secretsmanager",
        operation: "CreateSecret",
        rename: { recoveryWindowInDays: "DeleteSecret:RecoveryWindowInDays" },
    },
    "aws:secretsmanager/secretVersion:SecretVersion": {
        service: "secretsmanager",
        operation: "PutSecretValue",
    },
    "aws:sns/topic:Topic": {
        service: "sns",
        operation: "CreateTopic",
        // The provider sends it as the KmsMasterKeyId attribute (a map of strings).
        rename: { kmsMasterKeyId: "Attributes.<value>" },
    },
    "aws:ssm/parameter:Parameter": {
        service: "ssm",
        operation: "PutParameter",
        rename: { insecureValue: "Value" },
        // The model states only Name's length (1-2048) and no limit on Value.
        documented: {
            name: {
                pattern: "/(?![aA][wW][sS]|[sS][sS][mM])[a-zA-Z0-9_.\\-/]+",
                max: 2048,
                source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html",
            },
            insecureValue: {
                // Standard tier: 4 KB ([\\s\\S]: a value may span lines).
                pattern: "[\\s\\S]*",
                max: 4096,
                source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
            },
        },
    },
    "aws:sns/topicPolicy:TopicPolicy": {
        service: "sns",
        operation: "SetTopicAttributes",
        rename: { arn: "TopicArn", policy: "AttributeValue" },
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule(
        "AuthorizeSecurityGroupEgress",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule(
        "AuthorizeSecurityGroupIngress",
    ),
    "aws:wafv2/webAcl:WebAcl": { service: "wafv2", operation: "CreateWebACL" },
    "aws:wafv2/webAclAssociation:WebAclAssociation": {
        service: "wafv2",
        operation: "AssociateWebACL",
        rename: { webAclArn: "WebACLArn" },
    },

    // Not AWS resources, but the directory's bind account and group are made by the AWS CLI's
    // `ds-data` calls (directory/directory-data.sh), from these environment variables.
    "command:local:Command": {
        service: "ds-data",
        operation: "CreateUser",
        rename: {
            "environment.DIRECTORY_ID": "DirectoryId",
            "environment.BIND_USER": "SAMAccountName",
            "environment.GROUP_NAME": "CreateGroup:SAMAccountName",
        },
        skip: {
            create: "the script run on the deploying machine",
            update: "the script run on the deploying machine",
            delete: "the script run on the deploying machine",
            interpreter: "local",
            logging: "local",
            triggers: PROVIDER_ONLY,
            "environment.AWS_REGION": "the CLI's region, not a request member",
            "environment.GROUP_DN": "compared by the script with what DescribeGroup answers",
            "environment.BIND_PASSWORD":
                "sent by ds ResetUserPassword (another service's model): 1-127 characters, which " +
                "the RandomPassword it comes from keeps (tests/directory)",
        },
    },
    "docker-build:index:Image": {
        notApplicable:
            "pushes over the OCI registry protocol to ECR's registry endpoint, which has no " +
            "botocore model; the repository's own inputs are checked on aws:ecr/repository",
    },
    "random:index/randomPassword:RandomPassword": { notApplicable: "generated locally" },
    "random:index/randomId:RandomId": { notApplicable: "generated locally" },
};
