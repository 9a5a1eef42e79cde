/**
 * A single-file tool installed into the runner's tool cache (RUNNER_TOOL_CACHE), downloaded only
 * when the cache lacks that version and used only when its SHA-256 is the pinned one.
 * Imported on its own (not through runner/index.ts) so only the bundles that install tools carry it.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import * as core from '@actions/core'
import * as toolCache from '@actions/tool-cache'

export interface PinnedTool {
  /** The executable's name, which is also its name in the cache. */
  name: string
  version: string
  url: string
  /** Lower-case hex SHA-256 of the file at `url`. */
  sha256: string
}

/**
 * The cache directory holding the tool's executable, downloading it first when the cache lacks
 * that version. A cached copy is checked against the pin as well: a self-hosted runner's cache
 * outlives the job, and another workflow may have put a different build under the same version.
 */
export async function installCachedTool(tool: PinnedTool): Promise<string> {
  const cached = toolCache.find(tool.name, tool.version)
  if (cached !== '') {
    await verify(join(cached, tool.name), tool, `in the tool cache (${cached})`)
    core.info(`${tool.name} ${tool.version}: found in the tool cache at ${cached}, SHA-256 verified`)
    return cached
  }
  core.info(`${tool.name} ${tool.version}: downloading ${tool.url}`)
  const download = await toolCache.downloadTool(tool.url).catch((error: Error) => {
    const reason = error instanceof toolCache.HTTPError ? `HTTP ${error.httpStatusCode}` : error.message
    throw new Error(`${tool.name} ${tool.version}: cannot download ${tool.url}: ${reason}`)
  })
  try {
    await verify(download, tool, `from ${tool.url}`)
    await chmod(download, 0o755)
    const directory = await toolCache.cacheFile(download, tool.name, tool.name, tool.version)
    core.info(`${tool.name} ${tool.version}: SHA-256 verified, cached at ${directory}`)
    return directory
  } finally {
    await rm(download, { force: true })
  }
}

async function verify(file: string, tool: PinnedTool, where: string): Promise<void> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(file), hash)
  const actual = hash.digest('hex')
  if (actual !== tool.sha256) throw new Error(`${tool.name} ${tool.version} ${where}: SHA-256 ${actual} is not the pinned ${tool.sha256}`)
}
