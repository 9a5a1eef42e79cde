export { createGitHubClient, type GitHubClient, type GitHubClientOptions, type GitHubLog } from './client.js'
export {
  COMPARE_FILE_CAP,
  GitHubChangeApi,
  parseRepository,
  PULL_REQUEST_FILE_CAP,
  toChangedFile,
  type Repository
} from './changes.js'
