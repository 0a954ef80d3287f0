"use strict";
/* global console, setTimeout -- the Lambda Node.js runtime's */
/**
 * The directory's password policies and the bind check, over LDAP from inside the VPC (the
 * domain controllers answer LDAP only there). Two entry points, two functions with their own roles:
 *
 * `apply` (invoked by Pulumi, aws.lambda.Invocation): binds as the directory's Admin (a member of
 * "AWS Delegated Fine Grained Password Policy Administrators") and sets the settings and subjects
 * of the PSOs AWS pre-creates. Input: { servers, port, adminSecretArn, domainDn, policies: [{ name,
 * attributes, appliesTo: { dn } | { samAccountName } }] } - settings and names, never a secret.
 * Idempotent: it writes only what differs from the directory, and replaces each PSO's subjects
 * with exactly the declared one, so a re-run converges and a second run changes nothing.
 *
 * `checkBind` (invoked on a schedule): binds as the portal's bind account on every domain
 * controller and reports 1 (all binds succeeded) or 0 as a CloudWatch metric in embedded metric
 * format (a log line Lambda's log group turns into the metric). Input: { servers, port,
 * bindSecretArn, namespace, metric, stack, scheduledTime } - the last filled in by EventBridge
 * Scheduler, the data point's time (the function reads no clock).
 *
 * Secrets come from Secrets Manager only; nothing logged carries one.
 */

/** The attributes of a PSO the `apply` entry point manages (besides msDS-PSOAppliesTo). */
const PSO_SETTINGS = [
    "msDS-PasswordComplexityEnabled",
    "msDS-PasswordReversibleEncryptionEnabled",
    "msDS-PasswordHistoryLength",
    "msDS-MinimumPasswordLength",
    "msDS-MinimumPasswordAge",
    "msDS-MaximumPasswordAge",
    "msDS-LockoutThreshold",
    "msDS-LockoutObservationWindow",
    "msDS-LockoutDuration",
];
const APPLIES_TO = "msDS-PSOAppliesTo";

/** RFC 4515: "*", "(", ")", "\" and NUL escaped, so a value matches only itself. */
function escapeFilterValue(value) {
    return String(value).replace(
        /[*()\\\0]/g,
        (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
    );
}

function asList(value) {
    if (value === undefined || value === null) {
        return [];
    }
    return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * The replace operations that bring a PSO from `current` (its entry as searched) to `desired`
 * (setting -> value) applied to `subjectDn`: only what differs. Booleans and DNs compare without
 * regard to case, as AD does.
 */
function psoChanges(current, desired, subjectDn) {
    const changes = [];
    for (const attribute of PSO_SETTINGS) {
        if (!(attribute in desired)) {
            throw new Error(`the policy gives no value for ${attribute}`);
        }
        const have = asList(current[attribute]);
        const want = String(desired[attribute]);
        if (have.length !== 1 || have[0].toUpperCase() !== want.toUpperCase()) {
            changes.push({ attribute, values: [want] });
        }
    }
    const subjects = asList(current[APPLIES_TO]);
    if (subjects.length !== 1 || subjects[0].toLowerCase() !== subjectDn.toLowerCase()) {
        changes.push({ attribute: APPLIES_TO, values: [subjectDn] });
    }
    return changes;
}

async function readSecretJson(arn) {
    // The Lambda runtime's AWS SDK; loaded here so the pure functions above need no SDK.
    const {
        SecretsManagerClient,
        GetSecretValueCommand,
    } = require("@aws-sdk/client-secrets-manager");
    const response = await new SecretsManagerClient({}).send(
        new GetSecretValueCommand({ SecretId: arn }),
    );
    return JSON.parse(response.SecretString);
}

function ldapClient(server, port) {
    const { Client } = require("ldapts");
    // Plain LDAP inside the VPC: Managed AD has no LDAPS certificate until one is deployed (README).
    return new Client({ url: `ldap://${server}:${port}`, connectTimeout: 5000, timeout: 15000 });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DN of a policy's subject, or undefined when the directory does not hold it (yet). */
async function findSubject(client, domainDn, appliesTo) {
    if (appliesTo.dn) {
        try {
            const { searchEntries } = await client.search(appliesTo.dn, {
                scope: "base",
                filter: "(objectClass=group)",
                attributes: ["distinguishedName"],
            });
            return searchEntries.length === 1 ? searchEntries[0].dn : undefined;
        } catch (error) {
            if (error && error.constructor && error.constructor.name === "NoSuchObjectError") {
                return undefined;
            }
            throw error;
        }
    }
    const { searchEntries } = await client.search(domainDn, {
        scope: "sub",
        filter: `(&(objectCategory=person)(objectClass=user)(sAMAccountName=${escapeFilterValue(appliesTo.samAccountName)}))`,
        attributes: ["distinguishedName"],
    });
    return searchEntries.length === 1 ? searchEntries[0].dn : undefined;
}

/**
 * Binds as Admin on the first domain controller that answers and brings each policy to its
 * declared state. A subject just created through Directory Service Data may not have reached this
 * controller: it is looked for again, with a bounded wait, before the run fails.
 */
async function apply(event, options = {}) {
    const { Change, Attribute } = require("ldapts");
    const waits = options.subjectWaitsMs ?? [5000, 10000, 20000, 30000];
    const admin = await readSecretJson(event.adminSecretArn);
    let lastError;
    for (const server of event.servers) {
        const client = ldapClient(server, event.port);
        try {
            await client.bind(admin.dn, admin.password);
            const results = [];
            for (const policy of event.policies) {
                const dn = `CN=${policy.name},CN=Password Settings Container,CN=System,${event.domainDn}`;
                let subject = await findSubject(client, event.domainDn, policy.appliesTo);
                for (const wait of waits) {
                    if (subject) {
                        break;
                    }
                    console.log(
                        `${policy.name}: ${JSON.stringify(policy.appliesTo)} not found on ${server} yet; waiting ${wait / 1000} s`,
                    );
                    await sleep(wait);
                    subject = await findSubject(client, event.domainDn, policy.appliesTo);
                }
                if (!subject) {
                    throw new Error(
                        `${policy.name}: ${JSON.stringify(policy.appliesTo)} does not exist in ${event.domainDn}; the deployment creates it before this runs`,
                    );
                }
                const { searchEntries } = await client.search(dn, {
                    scope: "base",
                    attributes: [...PSO_SETTINGS, APPLIES_TO],
                });
                const changes = psoChanges(searchEntries[0], policy.attributes, subject);
                if (changes.length > 0) {
                    await client.modify(
                        dn,
                        changes.map(
                            (c) =>
                                new Change({
                                    operation: "replace",
                                    modification: new Attribute({
                                        type: c.attribute,
                                        values: c.values,
                                    }),
                                }),
                        ),
                    );
                }
                const changed = changes.map((c) => c.attribute);
                console.log(
                    `${policy.name} on ${server}: ${changed.length ? `set ${changed.join(", ")}` : "unchanged"}; applies to ${subject}`,
                );
                results.push({ policy: policy.name, appliesTo: subject, changed });
            }
            return { server, policies: results };
        } catch (error) {
            const name = error && error.constructor ? error.constructor.name : "Error";
            if (name === "InsufficientAccessError") {
                throw new Error(
                    `Admin may not change the password policies (${error.message}): it must be a member of "AWS Delegated Fine Grained Password Policy Administrators"`,
                );
            }
            // Another controller may answer when this one is unreachable; anything the directory
            // itself refused is final.
            if (
                !/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Connection timeout|ECONNRESET/.test(
                    String(error && error.message),
                )
            ) {
                throw error;
            }
            console.log(
                `${server}: unreachable (${error.message}); trying the next domain controller`,
            );
            lastError = error;
        } finally {
            await client.unbind().catch(() => undefined);
        }
    }
    throw new Error(`no domain controller answered: ${lastError && lastError.message}`);
}

/** A CloudWatch embedded-metric-format log line: the metric, its dimension and value. */
function metricLine(namespace, metric, stack, value, timestamp) {
    return JSON.stringify({
        _aws: {
            Timestamp: timestamp,
            CloudWatchMetrics: [
                {
                    Namespace: namespace,
                    Dimensions: [["Stack"]],
                    Metrics: [{ Name: metric, Unit: "Count" }],
                },
            ],
        },
        Stack: stack,
        [metric]: value,
    });
}

/**
 * Binds as the bind account on every domain controller. Reports 0 when any bind fails (or the
 * secret cannot be read) and returns normally, so the failure shows as the metric, not as retries.
 */
async function checkBind(event) {
    const failures = [];
    try {
        const bind = await readSecretJson(event.bindSecretArn);
        for (const server of event.servers) {
            const client = ldapClient(server, event.port);
            try {
                await client.bind(bind.username, bind.password);
            } catch (error) {
                failures.push(
                    `${server}: ${error && error.constructor ? error.constructor.name : "Error"}: ${error && error.message}`,
                );
            } finally {
                await client.unbind().catch(() => undefined);
            }
        }
    } catch (error) {
        failures.push(`bind secret: ${error && error.message}`);
    }
    const healthy = failures.length === 0;
    for (const failure of failures) {
        console.log(`bind check failed: ${failure}`);
    }
    const timestamp = Date.parse(event.scheduledTime);
    if (Number.isNaN(timestamp)) {
        throw new Error(
            `scheduledTime "${event.scheduledTime}" is not a time (EventBridge Scheduler fills it in)`,
        );
    }
    console.log(metricLine(event.namespace, event.metric, event.stack, healthy ? 1 : 0, timestamp));
    return { healthy, failures };
}

module.exports = { apply, checkBind, psoChanges, escapeFilterValue, metricLine, PSO_SETTINGS };
