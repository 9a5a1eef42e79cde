import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { runLogUrl, withDeployment, type Cancellation, type DeploymentRecord } from '../../../shared/src/deploy/index.js'
import { createGitHubClient, type GitHubClient } from '../../../shared/src/github/index.js'
import { FakeGitHub } from '../../support/fake-github/index.js'

const sha = 'a'.repeat(40)
const digest = `sha256:${'b'.repeat(64)}`
const record: DeploymentRecord = {
  owner: 'acme',
  repo: 'shop',
  sha,
  environment: 'staging',
  service: 'cart',
  image: `ghcr.io/acme/cart:1.2.0@${digest}`,
  digest,
  transient: true,
  production: false,
  environmentUrl: 'https://staging.shop.example',
  logUrl: 'https://github.com/acme/shop/actions/runs/42'
}

/** A stand-in for the process: tests raise its signals and see whether it would have exited. */
class FakeProcess extends EventEmitter implements Cancellation {
  exitCode: number | undefined
  exit(code: number): void {
    this.exitCode = code
  }
}

let fake: FakeGitHub
let client: GitHubClient

beforeEach(async () => {
  fake = new FakeGitHub()
  client = createGitHubClient({ token: 't', baseUrl: await fake.start(), retryBaseMs: 1 })
})

afterEach(async () => {
  expect(fake.violations).toEqual([])
  await fake.stop()
})

const states = (): string[] => fake.state.deployments[0].statuses.map((status) => status.state)

describe('withDeployment', () => {
  it('creates the deployment with explicit contexts and environment flags, then in_progress → success', async () => {
    const outcome = await withDeployment(client, record, async () => ({ url: 'https://cart.staging.shop.example' }), { cancellation: new FakeProcess() })

    expect(fake.state.deployments).toHaveLength(1)
    const [create] = fake.requestsTo('repos/create-deployment')
    expect(create.body).toEqual({
      ref: sha,
      environment: 'staging',
      task: 'deploy',
      description: `Deploy cart ${record.image}`,
      payload: { service: 'cart', image: record.image, digest },
      required_contexts: [],
      auto_merge: false,
      transient_environment: true,
      production_environment: false
    })
    expect(outcome.deploymentId).toBe(fake.state.deployments[0].id)
    const statuses = fake.requestsTo('repos/create-deployment-status').map((request) => request.body)
    expect(statuses).toEqual([
      { state: 'in_progress', description: `Deploying ${record.image}`, environment_url: record.environmentUrl, log_url: record.logUrl },
      { state: 'success', description: `Deployed ${record.image}`, environment_url: 'https://cart.staging.shop.example', log_url: record.logUrl }
    ])
  })

  it('writes failure with the reason when the deploy throws, and rethrows', async () => {
    fake.addCommitStatus({ sha, context: 'ci/build', state: 'success' })
    await expect(
      withDeployment(client, { ...record, requiredContexts: ['ci/build'] }, async () => {
        throw new Error('rollout of deployment/cart timed out')
      }, { cancellation: new FakeProcess() })
    ).rejects.toThrow('rollout of deployment/cart timed out')
    expect(fake.state.deployments[0].request?.required_contexts).toEqual(['ci/build'])
    expect(states()).toEqual(['in_progress', 'failure'])
    expect(fake.state.deployments[0].statuses[1].description).toBe('rollout of deployment/cart timed out')
  })

  it('on SIGTERM aborts the work, writes error "cancelled" as the last status and exits', async () => {
    const processStandIn = new FakeProcess()
    let aborted = false
    const deploy = withDeployment(client, record, (signal) =>
      new Promise<{ url?: string }>((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true
          reject(signal.reason)
        })
        // The deploy is under way (in_progress written) when the runner cancels the job.
        const poll = setInterval(() => {
          if (fake.state.deployments[0]?.statuses.length === 1) {
            clearInterval(poll)
            processStandIn.emit('SIGTERM')
          }
        }, 10)
      }), { cancellation: processStandIn })

    await expect(deploy).rejects.toThrow('cancelled')
    expect(aborted).toBe(true)
    expect(states()).toEqual(['in_progress', 'error'])
    expect(fake.state.deployments[0].statuses[1].description).toBe('cancelled')
    expect(processStandIn.exitCode).toBe(130)
    expect(processStandIn.listenerCount('SIGTERM')).toBe(0)
  })

  it('records the cancellation after the grace period when the work ignores the signal', async () => {
    const processStandIn = new FakeProcess()
    void withDeployment(client, record, () => {
      const poll = setInterval(() => {
        if (fake.state.deployments[0]?.statuses.length === 1) {
          clearInterval(poll)
          processStandIn.emit('SIGINT')
        }
      }, 10)
      return new Promise<{ url?: string }>(() => undefined)
    }, { cancellation: processStandIn, graceMs: 100 })

    while (processStandIn.exitCode === undefined) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(processStandIn.exitCode).toBe(130)
    expect(states()).toEqual(['in_progress', 'error'])
  })

  it('runs nothing when a required context is not green', async () => {
    let ran = false
    await expect(
      withDeployment(client, { ...record, requiredContexts: ['ci/build'] }, async () => {
        ran = true
        return {}
      }, { cancellation: new FakeProcess() })
    ).rejects.toThrow('ci/build')
    expect(ran).toBe(false)
    expect(fake.state.deployments).toEqual([])
  })
})

describe('runLogUrl', () => {
  it("is the workflow run's page, or nothing outside a runner", () => {
    expect(runLogUrl({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '42' })).toBe('https://github.com/acme/shop/actions/runs/42')
    expect(runLogUrl({ GITHUB_REPOSITORY: 'acme/shop' })).toBeUndefined()
  })
})
