import { createServer } from 'node:http'
import { priceCart } from './totals.js'

class HttpError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

function send(response, status, body) {
  if (body === undefined) {
    response.writeHead(status).end()
    return
  }
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

async function readJson(request) {
  const chunks = []
  for await (const chunk of request) chunks.push(chunk)
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}

/**
 * An HTTP server for carts kept in memory. `catalog.product(id)` prices new lines, so tests pass
 * an in-process catalog and production passes the HTTP client.
 */
export function createCartServer({ catalog, taxBasisPoints = 0 }) {
  const carts = new Map()
  const linesOf = (cartId) => carts.get(cartId) ?? new Map()
  const view = (cartId) => ({ id: cartId, ...priceCart([...linesOf(cartId).values()], taxBasisPoints) })

  async function addItem(cartId, request) {
    const { productId, quantity = 1 } = await readJson(request)
    if (typeof productId !== 'string' || productId === '') throw new HttpError(400, 'productId is required')
    if (!Number.isSafeInteger(quantity) || quantity < 1) throw new HttpError(400, 'quantity must be a positive integer')
    let product
    try {
      product = await catalog.product(productId)
    } catch (error) {
      throw new HttpError(502, `catalog unavailable: ${error.message}`)
    }
    if (!product) throw new HttpError(422, `no such product: ${productId}`)
    const lines = linesOf(cartId)
    carts.set(cartId, lines)
    const existing = lines.get(productId)
    lines.set(productId, {
      productId,
      name: product.name,
      unitPriceCents: product.priceCents,
      quantity: (existing?.quantity ?? 0) + quantity
    })
    return view(cartId)
  }

  async function route(request, response) {
    const { pathname } = new URL(request.url, 'http://cart')
    if (pathname === '/healthz' && request.method === 'GET') return send(response, 200, { status: 'ok' })

    const item = /^\/carts\/([^/]+)\/items\/([^/]+)$/.exec(pathname)
    if (item && request.method === 'DELETE') {
      const [cartId, productId] = item.slice(1).map(decodeURIComponent)
      if (!linesOf(cartId).delete(productId)) throw new HttpError(404, 'no such item in this cart')
      return send(response, 200, view(cartId))
    }

    const items = /^\/carts\/([^/]+)\/items$/.exec(pathname)
    if (items && request.method === 'POST') return send(response, 201, await addItem(decodeURIComponent(items[1]), request))

    const cart = /^\/carts\/([^/]+)$/.exec(pathname)
    if (cart && request.method === 'GET') return send(response, 200, view(decodeURIComponent(cart[1])))
    if (cart && request.method === 'DELETE') {
      carts.delete(decodeURIComponent(cart[1]))
      return send(response, 204)
    }

    throw new HttpError(404, 'not found')
  }

  return createServer((request, response) => {
    route(request, response).catch((error) => {
      const status = error instanceof HttpError ? error.status : 500
      send(response, status, { error: error.message })
    })
  })
}
