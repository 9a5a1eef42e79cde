import { isMap, isSeq, type YAMLMap } from 'yaml'
import { joinWrittenImage } from './image-text.js'
import { findPair, setField, YamlText, type EditResult } from './yaml-text.js'

/** One entry of a kustomization's `images:` list; fields left out are not touched. */
export interface KustomizeImage {
  /** The repository as the kustomization's `images[].name` spells it (matched exactly). */
  name: string
  newName?: string
  newTag?: string
  digest?: string
}

const FIELDS = ['newName', 'newTag', 'digest'] as const

/**
 * Points the kustomization's `images:` entry for `image.name` at a new name, tag and/or digest,
 * adding the entry (and the `images:` list) when missing. Setting a tag without a digest removes
 * a digest left by an earlier deploy, since kustomize would keep pulling the old image by it; and
 * setting a digest without a tag removes an earlier tag, which would label the new image wrongly
 * (kustomize writes `name:tag@digest`).
 */
export function setKustomizeImage(text: string, image: KustomizeImage, file = 'kustomization.yaml'): EditResult {
  if (FIELDS.every((field) => image[field] === undefined)) {
    throw new Error(`setKustomizeImage: nothing to set for ${image.name} in ${file} (give newName, newTag or digest)`)
  }
  const yaml = YamlText.parse(text, file)
  const [document] = yaml.documents
  const root = document.contents
  if (!isMap(root)) throw yaml.error(root, '', 'a kustomization must be a mapping')
  const wanted = Object.fromEntries(FIELDS.flatMap((field) => (image[field] === undefined ? [] : [[field, image[field]!]])))

  const imagesPair = findPair(root, 'images')
  if (imagesPair === undefined) {
    yaml.insertSeqPair(root, 'images', { name: image.name, ...wanted })
    return { text: yaml.result(), changed: true }
  }
  const images = imagesPair.value
  if (!isSeq(images)) throw yaml.error(images as never, 'images', 'images must be a list of {name, newName, newTag, digest} entries')

  const index = images.items.findIndex((item) => isMap(item) && yaml.stringAt(findPair(item, 'name')?.value, document) === image.name)
  if (index === -1) {
    yaml.appendMapToSeq(images, { name: image.name, ...wanted })
    return { text: yaml.result(), changed: true }
  }
  const entry = images.items[index] as YAMLMap
  const key = `images[${index}]`
  const current = (field: string): string | undefined => yaml.stringAt(findPair(entry, field)?.value, document)
  const previous = joinWrittenImage({ name: current('newName') ?? image.name, tag: current('newTag'), digest: current('digest') })

  for (const field of FIELDS) {
    const value = image[field]
    if (value !== undefined) setField(yaml, document, entry, `${key}.${field}`, field, value)
  }
  const staleDigest = findPair(entry, 'digest')
  if (image.newTag !== undefined && image.digest === undefined && staleDigest !== undefined && current('digest')) {
    if (!yaml.removePair(entry, staleDigest)) setField(yaml, document, entry, `${key}.digest`, 'digest', '')
  }
  const staleTag = findPair(entry, 'newTag')
  if (image.digest !== undefined && image.newTag === undefined && staleTag !== undefined && current('newTag')) {
    if (!yaml.removePair(entry, staleTag)) setField(yaml, document, entry, `${key}.newTag`, 'newTag', '')
  }
  return yaml.changed ? { text: yaml.result(), changed: true, previous } : { text, changed: false, previous }
}
