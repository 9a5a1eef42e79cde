/**
 * An image reference split as written, without normalising it: `localhost:5000/a/b:1.0@sha256:…`
 * gives name `localhost:5000/a/b`, tag `1.0` and the digest. Edits write names back exactly as
 * the file had them; matching repositories is `sameRepository`'s job, not this one's.
 */
export interface WrittenImage {
  name: string
  tag?: string
  digest?: string
}

export function splitWrittenImage(text: string): WrittenImage {
  const at = text.indexOf('@')
  const name = at === -1 ? text : text.slice(0, at)
  const digest = at === -1 ? undefined : text.slice(at + 1)
  // A tag follows the last ':' only when no '/' comes after it; otherwise that ':' is a port.
  const colon = name.lastIndexOf(':')
  const hasTag = colon > name.lastIndexOf('/')
  return {
    name: hasTag ? name.slice(0, colon) : name,
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest === undefined ? {} : { digest })
  }
}

export function joinWrittenImage(image: WrittenImage): string {
  return `${image.name}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`
}
