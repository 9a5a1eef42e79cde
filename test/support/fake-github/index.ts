export * from './fake-github.js'
export * from './state.js'
export { OpenApiDescription } from './openapi.js'
