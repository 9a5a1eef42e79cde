import { createCatalogServer } from './app.js'
import { products } from './products.js'

const port = Number(process.env.PORT ?? 8080)
const host = process.env.HOST ?? '0.0.0.0'

const server = createCatalogServer(products)
server.listen(port, host, () => {
  console.log(`catalog listening on http://${host}:${server.address().port}`)
})
// Containers stop with SIGTERM; finishing in-flight requests first keeps rollouts clean.
process.on('SIGTERM', () => server.close(() => process.exit(0)))
