/** OCI annotation keys (https://github.com/opencontainers/image-spec/blob/main/annotations.md) set on every image. */
export const OCI_LABELS = {
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  version: 'org.opencontainers.image.version',
  created: 'org.opencontainers.image.created',
  title: 'org.opencontainers.image.title'
} as const

export interface LabelFacts {
  /** The repository's web address, e.g. `https://github.com/acme/shop`; left out when unknown. */
  source?: string
  /** Full commit sha. */
  revision: string
  version: string
  /**
   * The commit's time, not the clock's: rebuilding the same commit then gives the same image
   * config, and `created` says when the code was written, which is what readers want to know.
   */
  created: Date
  title: string
}

/** The OCI labels, with the user's labels last so they may override any of them. */
export function imageLabels(facts: LabelFacts, user: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    ...(facts.source === undefined ? {} : { [OCI_LABELS.source]: facts.source }),
    [OCI_LABELS.revision]: facts.revision,
    [OCI_LABELS.version]: facts.version,
    [OCI_LABELS.created]: facts.created.toISOString(),
    [OCI_LABELS.title]: facts.title,
    ...user
  }
}
