import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { priceCart } from '../src/totals.js'

describe('priceCart', () => {
  it('prices an empty cart at zero', () => {
    const cart = priceCart([], 825)
    assert.equal(cart.totalCents, 0)
    assert.equal(cart.display.total, '$0.00')
  })

  it('multiplies lines and adds tax once on the subtotal', () => {
    const cart = priceCart(
      [
        { productId: 'mug', unitPriceCents: 1250, quantity: 3 },
        { productId: 'beans', unitPriceCents: 2400, quantity: 1 }
      ],
      825
    )
    assert.deepEqual(
      cart.lines.map((line) => line.lineTotalCents),
      [3750, 2400]
    )
    assert.equal(cart.subtotalCents, 6150)
    assert.equal(cart.taxCents, 507) // 6150 × 8.25 % = 507.375
    assert.equal(cart.totalCents, 6657)
    assert.deepEqual(cart.display, { subtotal: '$61.50', tax: '$5.07', total: '$66.57' })
  })
})
