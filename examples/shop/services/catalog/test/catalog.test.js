import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createCatalogServer } from '../src/app.js'

const products = [
  { id: 'mug', name: 'Enamel mug', priceCents: 1250 },
  { id: 'beans', name: 'Coffee beans', priceCents: 2400 }
]

describe('catalog', () => {
  let server
  let base

  before(async () => {
    server = createCatalogServer(products)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${server.address().port}`
  })

  after(() => new Promise((resolve) => server.close(resolve)))

  it('reports healthy', async () => {
    const response = await fetch(`${base}/healthz`)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { status: 'ok' })
  })

  it('counts its answers by status code at /metrics, for the production gate', async () => {
    await fetch(`${base}/products/nothing-here`)
    const response = await fetch(`${base}/metrics`)
    assert.equal(response.status, 200)
    const text = await response.text()
    assert.match(text, /^# TYPE http_requests_total counter$/m)
    assert.match(text, /^http_requests_total\{code="200"\} [1-9]\d*$/m)
    assert.match(text, /^http_requests_total\{code="404"\} [1-9]\d*$/m)
  })

  it('lists every product with a formatted price', async () => {
    const response = await fetch(`${base}/products`)
    assert.equal(response.status, 200)
    const listed = await response.json()
    assert.deepEqual(
      listed.map((product) => [product.id, product.price]),
      [
        ['mug', '$12.50'],
        ['beans', '$24.00']
      ]
    )
  })

  it('gets one product by id', async () => {
    const response = await fetch(`${base}/products/beans`)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { id: 'beans', name: 'Coffee beans', priceCents: 2400, price: '$24.00' })
  })

  it('answers 404 for an unknown product', async () => {
    const response = await fetch(`${base}/products/teapot`)
    assert.equal(response.status, 404)
  })

  it('is read-only', async () => {
    const response = await fetch(`${base}/products`, { method: 'POST', body: '{}' })
    assert.equal(response.status, 405)
  })
})
