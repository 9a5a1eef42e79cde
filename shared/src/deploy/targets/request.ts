/** What every target deploys: one service's image, built from a commit, to one environment. */
export interface DeployRequest {
  service: string
  environment: string
  /** The full image reference as deployed: `registry/repository:tag`, `…@digest` or both. */
  image: string
  digest?: string
  /** The source commit the image was built from. */
  sha: string
}

/** A target's report of a finished deploy. */
export interface TargetResult {
  /** The image the environment ran before, when the target can tell. */
  previous?: string
  /** Where the deployed service answers, when the target knows. */
  url?: string
}

/** A deploy that failed; the target rolled back what it could before throwing. */
export class DeployError extends Error {
  constructor(
    message: string,
    /** What the target put back, when it rolled back (`cart:1 runs again`): a cancelled deploy's Deployment says so. */
    readonly rolledBack?: string
  ) {
    super(message)
    this.name = 'DeployError'
  }
}

/** The `FLOTILLA_*` variables a user's command or hook sees. */
export function deployVariables(request: DeployRequest): Record<string, string> {
  return {
    FLOTILLA_SERVICE: request.service,
    FLOTILLA_ENVIRONMENT: request.environment,
    FLOTILLA_IMAGE: request.image,
    FLOTILLA_DIGEST: request.digest ?? '',
    FLOTILLA_SHA: request.sha
  }
}
