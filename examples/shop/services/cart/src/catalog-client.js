/** Looks products up in the catalog service over HTTP; `undefined` when the catalog has none. */
export function httpCatalog(baseUrl) {
  return {
    async product(id) {
      const response = await fetch(new URL(`/products/${encodeURIComponent(id)}`, baseUrl))
      if (response.status === 404) return undefined
      if (!response.ok) throw new Error(`catalog answered ${response.status}`)
      return response.json()
    }
  }
}
