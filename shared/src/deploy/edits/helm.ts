import { isAlias, isMap, isScalar, type Document, type Scalar, type YAMLMap } from 'yaml'
import { joinWrittenImage, splitWrittenImage } from './image-text.js'
import { findPair, setField, YamlText, type EditResult, type NewValue } from './yaml-text.js'

/** Where a Helm values file keeps an image, and what to write there; fields left out are not touched. */
export interface HelmImage {
  /** Dotted key path to the image's mapping (or to a single `repo:tag` string), e.g. `image` or `cart.image`. */
  path: string
  repository?: string
  tag?: string
  digest?: string
  /** Key names inside the image mapping; `repository`, `tag` and `digest` by default. */
  keys?: { repository?: string; tag?: string; digest?: string }
}

/**
 * Sets an image in Helm values at a key path. The path may end at a mapping (`repository`, `tag`
 * and `digest` keys, added when missing) or at a single image string, which is rewritten whole;
 * missing mappings along the path are created. Setting a tag without a digest empties a digest
 * left by an earlier deploy, since charts prefer the digest when one is set.
 */
export function setHelmImage(text: string, image: HelmImage, file = 'values.yaml'): EditResult {
  if (image.repository === undefined && image.tag === undefined && image.digest === undefined) {
    throw new Error(`setHelmImage: nothing to set at ${image.path} in ${file} (give repository, tag or digest)`)
  }
  const segments = image.path.split('.')
  if (segments.some((segment) => segment === '')) throw new Error(`setHelmImage: ${JSON.stringify(image.path)} is not a dotted key path`)
  const keys = { repository: 'repository', tag: 'tag', digest: 'digest', ...image.keys }
  const wanted: Array<[key: string, value: string]> = []
  if (image.repository !== undefined) wanted.push([keys.repository, image.repository])
  if (image.tag !== undefined) wanted.push([keys.tag, image.tag])
  if (image.digest !== undefined) wanted.push([keys.digest, image.digest])

  const yaml = YamlText.parse(text, file)
  const [document] = yaml.documents
  const root = document.contents
  if (!isMap(root)) throw yaml.error(root, '', 'Helm values must be a mapping')
  let map: YAMLMap = root

  for (const [index, segment] of segments.entries()) {
    const key = segments.slice(0, index + 1).join('.')
    const pair = findPair(map, segment)
    if (pair === undefined) {
      const merge = findPair(map, '<<')
      if (merge) throw yaml.error(merge.key as never, key, `${key} would shadow what the merge key (<<) brings in; write ${key} out in full first`)
      yaml.insertPair(map, segment, nestedValue(segments.slice(index + 1), Object.fromEntries(wanted)))
      return { text: yaml.result(), changed: true }
    }
    const value = pair.value
    if (index === segments.length - 1 && isScalar(value) && typeof value.value === 'string') {
      return setImageString(yaml, text, value, key, image)
    }
    if (!isMap(value)) {
      const what = isAlias(value) ? 'an alias; edit the anchored mapping instead' : 'not a mapping'
      throw yaml.error(value as never, key, `${key} is ${what}`)
    }
    map = value
  }
  return setImageFields(yaml, text, document, map, image.path, keys, wanted, image)
}

function setImageFields(
  yaml: YamlText,
  text: string,
  document: Document.Parsed,
  map: YAMLMap,
  path: string,
  keys: { repository: string; tag: string; digest: string },
  wanted: Array<[string, string]>,
  image: HelmImage
): EditResult {
  const current = (field: string): string | undefined => yaml.stringAt(findPair(map, field)?.value, document)
  const repository = current(keys.repository)
  const previous = repository === undefined ? undefined : joinWrittenImage({ name: repository, tag: current(keys.tag), digest: current(keys.digest) })
  for (const [field, value] of wanted) setField(yaml, document, map, `${path}.${field}`, field, value)
  if (image.tag !== undefined && image.digest === undefined && current(keys.digest)) {
    setField(yaml, document, map, `${path}.${keys.digest}`, keys.digest, '')
  }
  const result = { ...(previous === undefined ? {} : { previous }) }
  return yaml.changed ? { text: yaml.result(), changed: true, ...result } : { text, changed: false, ...result }
}

function setImageString(yaml: YamlText, text: string, node: Scalar, key: string, image: HelmImage): EditResult {
  const previous = String(node.value)
  const written = splitWrittenImage(previous)
  const parts = {
    name: image.repository ?? written.name,
    tag: image.tag ?? written.tag,
    digest: image.digest ?? (image.tag === undefined ? written.digest : undefined)
  }
  if (!parts.tag && !parts.digest) throw yaml.error(node, key, `${key} would name no tag or digest`)
  const next = joinWrittenImage(parts)
  if (next === previous) return { text, changed: false, previous }
  yaml.replaceScalar(node, next)
  return { text: yaml.result(), changed: true, previous }
}

function nestedValue(path: string[], fields: Record<string, string>): NewValue {
  return path.reduceRight<NewValue>((inner, segment) => ({ [segment]: inner }), fields)
}
