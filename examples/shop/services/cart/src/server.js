import { createCartServer } from './app.js'
import { httpCatalog } from './catalog-client.js'

const port = Number(process.env.PORT ?? 8080)
const host = process.env.HOST ?? '0.0.0.0'

const server = createCartServer({
  catalog: httpCatalog(process.env.CATALOG_URL ?? 'http://catalog:8080'),
  taxBasisPoints: Number(process.env.TAX_BASIS_POINTS ?? 0)
})
server.listen(port, host, () => {
  console.log(`cart listening on http://${host}:${server.address().port}`)
})
// Containers stop with SIGTERM; finishing in-flight requests first keeps rollouts clean.
process.on('SIGTERM', () => server.close(() => process.exit(0)))
