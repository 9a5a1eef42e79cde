import { isMap, isScalar, isSeq, visit, type Node } from 'yaml'
import { parseImageReference, sameRepository, type ImageReference } from '../../image/reference.js'
import { findPair, YamlText, type EditResult } from './yaml-text.js'

/** Pod spec lists whose entries run an image, as `kubectl set image` updates them. */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers'])

/**
 * Sets `image` on every container (and init or ephemeral container), at any depth and in every
 * document of a manifest file, whose current image is in the same repository: the full
 * registry and path, so `localhost:5000/team/svc-a` never touches `localhost:5000/team/svc-b`.
 * The image is written exactly as given. Images that are not references (template
 * placeholders such as `${IMAGE}`) are someone else's and are left alone.
 */
export function setManifestImages(text: string, image: string, file = 'manifest.yaml'): EditResult {
  const target = parseImageReference(image)
  if (target.tag === undefined && target.digest === undefined) {
    throw new Error(`setManifestImages: ${image} names no tag or digest; refusing to deploy an unpinned image to ${file}`)
  }
  const yaml = YamlText.parse(text, file, { multi: true })
  let previous: string | undefined
  for (const document of yaml.documents) {
    for (const node of containerImages(document.contents)) {
      const written = yaml.stringAt(node, document)
      if (written === undefined || !matches(written, target)) continue
      previous ??= written
      if (written !== image) yaml.replaceScalar(node, image)
    }
  }
  const found = previous === undefined ? {} : { previous }
  return yaml.changed ? { text: yaml.result(), changed: true, ...found } : { text, changed: false, ...found }
}

/** Each container's `image` value node (a scalar, or an alias of one). */
function containerImages(root: Node | null): Node[] {
  const found: Node[] = []
  visit(root, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !CONTAINER_LISTS.has(String(pair.key.value)) || !isSeq(pair.value)) return
      for (const container of pair.value.items) {
        const image = isMap(container) ? (findPair(container, 'image')?.value as Node | null | undefined) : undefined
        if (image?.range) found.push(image)
      }
    }
  })
  return found
}

function matches(written: string, target: ImageReference): boolean {
  try {
    return sameRepository(parseImageReference(written), target)
  } catch {
    return false
  }
}
