/** Container image references, parsed: what config validates and what the compute tier pins. */

/** A container image reference: [registry/]repository[:tag][@sha256:digest]. */
export interface ImageReference {
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
}

export function parseImageReference(value: string): ImageReference | undefined {
    const match =
        /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(
            value,
        );
    return match ? { repository: match[1], tag: match[2], digest: match[3] } : undefined;
}
