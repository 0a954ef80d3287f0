import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { directoryDataCommand } from "./directoryData";

export interface PortalGroupArgs {
    /** The Managed AD directory the group lives in. Required. */
    readonly directoryId: pulumi.Input<string>;
    /** The group's name (config `directoryPortalGroup`), e.g. "AI Portal Users". Required. */
    readonly name: string;
    /** Where Directory Service Data creates groups: the directory's own users OU. Required. */
    readonly usersOuDn: string;
    /** The region the AWS CLI calls (the directory's). Required. */
    readonly region: string;
    /**
     * Keep the group (and who is in it) when this resource is deleted: on protected stacks the
     * membership is data. Defaults to false (the group is deleted with the stack).
     */
    readonly retainOnDelete?: boolean;
}

/**
 * The directory group whose members may sign in to the portal: Open WebUI's LDAP filter admits
 * its members, directly or through nested groups, and nobody else. Created at deploy time on the
 * deploying machine through the Directory Service Data API, like the bind account; the script
 * checks that the group's DN is the one the filter names. Administrators add people with
 * `aws ds-data add-group-member`.
 */
export class PortalGroup extends pulumi.ComponentResource {
    public readonly groupName: string;
    /** The group's distinguished name, as the LDAP filter names it. */
    public readonly groupDn: string;
    /** The command that creates the group: what must run before anything applies to it. */
    public readonly group: pulumi.Resource;

    constructor(name: string, args: PortalGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiportal:directory:PortalGroup", name, {}, opts);
        this.groupName = args.name;
        this.groupDn = `CN=${args.name},${args.usersOuDn}`;

        this.group = new command.local.Command(
            `${name}-group`,
            {
                interpreter: ["/bin/bash", "-c"],
                create: directoryDataCommand("create-group"),
                update: directoryDataCommand("create-group"),
                delete: directoryDataCommand("delete-group"),
                environment: {
                    DIRECTORY_ID: args.directoryId,
                    AWS_REGION: args.region,
                    GROUP_NAME: args.name,
                    GROUP_DN: this.groupDn,
                },
                logging: "stdoutAndStderr",
            },
            { parent: this, retainOnDelete: args.retainOnDelete ?? false },
        );

        this.registerOutputs({ groupName: this.groupName, groupDn: this.groupDn });
    }
}
