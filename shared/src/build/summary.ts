import type { ServiceBuild } from './service.js'

/** The job summary: one row per image with its tags, digest, duration, and built or skipped and why. */
export function buildSummaryMarkdown(builds: readonly ServiceBuild[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const rows = builds.map((build) => {
    const result = build.skipped ? 'skipped' : build.pushed ? `built with ${build.builder}, pushed` : `built with ${build.builder}, not pushed`
    return `| ${cell(build.service)} | \`${cell(build.image)}\` | ${build.tags.map((tag) => `\`${cell(tag)}\``).join(' ')} | ${build.digest === undefined ? '—' : `\`${build.digest}\``} | ${(build.durationMs / 1000).toFixed(1)} s | ${result}: ${cell(build.reason)} |`
  })
  return ['### Flotilla images', '', '| service | image | tags | digest | duration | result |', '| --- | --- | --- | --- | --- | --- |', ...rows, ''].join('\n')
}
