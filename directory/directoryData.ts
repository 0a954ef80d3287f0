/** How the directory tier runs directory-data.sh (Directory Service Data, on the deploying machine). */
import * as fs from "fs";
import * as path from "path";

export type DirectoryDataAction =
    "create-bind-account" | "delete-bind-account" | "create-group" | "delete-group";

/**
 * `directory/directory-data.sh` with its action, as `bash -c` runs it (@pulumi/command's
 * interpreter). The script's text is an input of the command, so an edit to it runs it again on
 * the next `pulumi up`.
 */
export function directoryDataCommand(action: DirectoryDataAction): string {
    return `set -- ${action}\n${fs.readFileSync(path.join(__dirname, "directory-data.sh"), "utf8")}`;
}
