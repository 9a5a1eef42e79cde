import { format, multiply, share, sum } from '../../../libs/money/src/index.js'

/**
 * Prices a cart: each line is `unitPriceCents × quantity`; tax is a share of the subtotal in
 * basis points, rounded once on the subtotal rather than per line so totals match receipts.
 */
export function priceCart(lines, taxBasisPoints) {
  const priced = lines.map((line) => ({ ...line, lineTotalCents: multiply(line.unitPriceCents, line.quantity) }))
  const subtotalCents = sum(priced.map((line) => line.lineTotalCents))
  const taxCents = share(subtotalCents, taxBasisPoints)
  const totalCents = sum([subtotalCents, taxCents])
  return {
    lines: priced,
    subtotalCents,
    taxCents,
    totalCents,
    display: { subtotal: format(subtotalCents), tax: format(taxCents), total: format(totalCents) }
  }
}
