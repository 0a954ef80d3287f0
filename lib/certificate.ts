import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * A public ACM certificate for one name, DNS-validated in a Route 53 zone: the certificate
 * (`<name>-certificate`), its validation record (`<name>-certificate-validation`) and the wait for
 * ACM to issue it (`<name>-certificate-validated`), as children of `parent`. Listeners take the
 * validated ARN, so they never use a certificate ACM has not issued. One name, so one validation
 * record; ACM renews automatically while the record stays.
 */
export function dnsValidatedCertificate(
    name: string,
    args: {
        /** The name the certificate is for. */
        readonly domainName: pulumi.Input<string>;
        /** The Route 53 public zone that holds `domainName`. */
        readonly hostedZoneId: pulumi.Input<string>;
        /** The certificate's `Name` tag. */
        readonly tagName: string;
    },
    parent: pulumi.Resource,
): aws.acm.CertificateValidation {
    const certificate = new aws.acm.Certificate(
        `${name}-certificate`,
        {
            domainName: args.domainName,
            validationMethod: "DNS",
            keyAlgorithm: "EC_prime256v1",
            tags: { Name: args.tagName },
        },
        // A replacement (another domain) gets its new certificate before the old one goes.
        { parent, deleteBeforeReplace: false },
    );
    const option = certificate.domainValidationOptions[0];
    const validationRecord = new aws.route53.Record(
        `${name}-certificate-validation`,
        {
            zoneId: args.hostedZoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        },
        { parent },
    );
    return new aws.acm.CertificateValidation(
        `${name}-certificate-validated`,
        { certificateArn: certificate.arn, validationRecordFqdns: [validationRecord.fqdn] },
        { parent },
    );
}
