import { parse } from '../../../libs/money/src/index.js'

/** The catalog is static: the example is about the pipeline, not about storage. */
export const products = [
  { id: 'kettle', name: 'Stovetop kettle', priceCents: parse('34.90') },
  { id: 'mug', name: 'Enamel mug', priceCents: parse('12.50') },
  { id: 'beans', name: 'Coffee beans, 1 kg', priceCents: parse('24.00') },
  { id: 'grinder', name: 'Hand grinder', priceCents: parse('89.99') }
]
