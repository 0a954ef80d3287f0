/** The directory tier's editions of AWS Managed Microsoft AD (pure, so config can name them). */
export const DIRECTORY_EDITIONS = ["Standard", "Enterprise"] as const;
export type DirectoryEdition = (typeof DIRECTORY_EDITIONS)[number];
