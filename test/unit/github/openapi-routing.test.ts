import { describe, expect, it } from '@jest/globals'
import { OpenApiDescription } from '../../support/fake-github/index.js'

describe("the fake's routing over GitHub's OpenAPI description", () => {
  const description = OpenApiDescription.load()
  const route = (method: string, path: string) => {
    const match = description.match(method, path)
    return match && { operationId: match.operation.operationId, params: match.params }
  }

  it('prefers the template with the most literal segments', () => {
    expect(route('GET', '/repos/acme/shop/commits/abc/status')).toEqual({
      operationId: 'repos/get-combined-status-for-ref',
      params: { owner: 'acme', repo: 'shop', ref: 'abc' }
    })
    expect(route('GET', '/repos/acme/shop/deployments/12/statuses')?.operationId).toBe('repos/list-deployment-statuses')
  })

  it('decodes parameters and lets multi-segment ones hold slashes', () => {
    expect(route('GET', '/repos/acme/shop/commits/feature%2Fx/check-runs')?.params.ref).toBe('feature/x')
    expect(route('GET', '/repos/acme/shop/commits/refs/heads/feature/x/check-runs')?.params.ref).toBe('refs/heads/feature/x')
    expect(route('GET', '/repos/acme/shop/compare/main...feature%2Fx')).toEqual({
      operationId: 'repos/compare-commits-with-basehead',
      params: { owner: 'acme', repo: 'shop', basehead: 'main...feature/x' }
    })
  })

  it('finds nothing for an unknown path or a method the path does not offer', () => {
    expect(route('GET', '/repos/acme/shop/deploymints')).toBeUndefined()
    expect(route('PUT', '/repos/acme/shop/deployments')).toBeUndefined()
  })
})
