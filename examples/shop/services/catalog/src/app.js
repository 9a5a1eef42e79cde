import { createServer } from 'node:http'
import { format } from '../../../libs/money/src/index.js'

function present(product) {
  return { ...product, price: format(product.priceCents) }
}

/** Answers counted by status code, exposed at /metrics in Prometheus' text format. */
function requestCounter() {
  const byCode = new Map()
  return {
    count(code) {
      byCode.set(code, (byCode.get(code) ?? 0) + 1)
    },
    render() {
      const lines = ['# HELP http_requests_total Requests answered, by status code.', '# TYPE http_requests_total counter']
      for (const [code, total] of [...byCode].sort()) lines.push(`http_requests_total{code="${code}"} ${total}`)
      return lines.join('\n') + '\n'
    }
  }
}

/** An HTTP server over a fixed list of products; call `listen` on the result. */
export function createCatalogServer(products) {
  const byId = new Map(products.map((product) => [product.id, product]))
  const requests = requestCounter()
  const send = (response, status, body) => {
    requests.count(status)
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
  return createServer((request, response) => {
    const { pathname } = new URL(request.url, 'http://catalog')
    if (pathname === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      return response.end(requests.render())
    }
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
