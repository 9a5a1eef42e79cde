import { createServer } from 'node:http'
import { format } from '../../../libs/money/src/index.js'

function present(product) {
  return { ...product, price: format(product.priceCents) }
}

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

/** An HTTP server over a fixed list of products; call `listen` on the result. */
export function createCatalogServer(products) {
  const byId = new Map(products.map((product) => [product.id, product]))
  return createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://catalog')
    if (request.method !== 'GET') return send(response, 405, { error: 'method not allowed' })
    if (pathname === '/healthz') return send(response, 200, { status: 'ok' })
    if (pathname === '/products') return send(response, 200, products.map(present))
    const match = /^\/products\/([^/]+)$/.exec(pathname)
    if (match) {
      const product = byId.get(decodeURIComponent(match[1]))
      return product ? send(response, 200, present(product)) : send(response, 404, { error: 'no such product' })
    }
    return send(response, 404, { error: 'not found' })
  })
}
