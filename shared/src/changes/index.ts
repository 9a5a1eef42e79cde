export { detectChanges, type DetectOptions } from './detect.js'
export { parseNameStatusZ } from './parse.js'
export { previousTag, tagFamily, type TagFamily } from './tags.js'
export type { ChangeApi, ChangedFile, ChangeSet, ChangeStatus, DetectRequest, EventContext } from './types.js'
