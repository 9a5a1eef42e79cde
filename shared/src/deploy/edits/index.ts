export { setHelmImage, type HelmImage } from './helm.js'
export { setKustomizeImage, type KustomizeImage } from './kustomize.js'
export { setManifestImages } from './manifests.js'
export { YamlEditError, type EditResult } from './yaml-text.js'
