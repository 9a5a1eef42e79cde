import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createCartServer } from '../src/app.js'

const catalog = {
  async product(id) {
    const products = { mug: { id: 'mug', name: 'Enamel mug', priceCents: 1250 } }
    return products[id]
  }
}

describe('cart', () => {
  let server
  let base

  before(async () => {
    server = createCartServer({ catalog, taxBasisPoints: 1000 })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${server.address().port}`
  })

  after(() => new Promise((resolve) => server.close(resolve)))

  const addItem = (cartId, body) =>
    fetch(`${base}/carts/${cartId}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    })

  it('reports healthy', async () => {
    const response = await fetch(`${base}/healthz`)
    assert.equal(response.status, 200)
  })

  it('starts every cart empty', async () => {
    const response = await fetch(`${base}/carts/new`)
    assert.equal(response.status, 200)
    assert.equal((await response.json()).totalCents, 0)
  })

  it('prices added items from the catalog and merges repeated products', async () => {
    assert.equal((await addItem('a', { productId: 'mug', quantity: 2 })).status, 201)
    const response = await addItem('a', { productId: 'mug' })
    const cart = await response.json()
    assert.equal(cart.lines.length, 1)
    assert.equal(cart.lines[0].quantity, 3)
    assert.equal(cart.subtotalCents, 3750)
    assert.equal(cart.totalCents, 4125)
    assert.equal(cart.display.total, '$41.25')
  })

  it('rejects unknown products, bad quantities and malformed JSON', async () => {
    assert.equal((await addItem('b', { productId: 'teapot' })).status, 422)
    assert.equal((await addItem('b', { productId: 'mug', quantity: 0 })).status, 400)
    assert.equal((await addItem('b', '{"productId":')).status, 400)
  })

  it('removes an item, then the whole cart', async () => {
    await addItem('c', { productId: 'mug' })
    const removed = await fetch(`${base}/carts/c/items/mug`, { method: 'DELETE' })
    assert.equal(removed.status, 200)
    assert.equal((await removed.json()).lines.length, 0)
    assert.equal((await fetch(`${base}/carts/c/items/mug`, { method: 'DELETE' })).status, 404)
    assert.equal((await fetch(`${base}/carts/c`, { method: 'DELETE' })).status, 204)
  })
})
