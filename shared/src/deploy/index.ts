export * from './edits/index.js'
export * from './gitops/index.js'
