import { formatProblem, loadManifest } from '../../../shared/src/config/index.js'
import { printJson, type Command } from '../command.js'

export const validateCommand: Command = {
  name: 'validate',
  usage: `  flotilla validate
      Check flotilla.yml (or what discovery finds) and print every problem with file:line:column.`,
  options: {},
  async run({ values, root, json, log }) {
    const manifest = await loadManifest(root, { file: values.manifest as string | undefined })
    const notices = (manifest.notices ?? []).map(formatProblem)
    for (const notice of notices) log.notice?.(notice)
    const summary = {
      ok: true,
      manifest: manifest.source,
      services: Object.keys(manifest.services),
      libraries: Object.keys(manifest.libraries),
      environments: Object.keys(manifest.environments),
      notices
    }
    if (json) printJson(summary)
    else {
      process.stdout.write(
        `${manifest.source}: valid — ${summary.services.length} services, ${summary.libraries.length} libraries, ` +
          `${summary.environments.length} environments\n`
      )
    }
    return 0
  }
}
