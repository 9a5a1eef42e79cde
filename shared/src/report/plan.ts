/** Renders a plan for people (job summary, terminal) and for machines (the JSON document). */
import type { Manifest } from '../config/types.js'
import type { ChangeSet } from '../changes/types.js'
import type { Plan, PlannedService, SelectionReason } from '../plan/types.js'
import { affectedGraph } from '../plan/index.js'

/** The plan as one JSON document: `flotilla plan --json` prints it, the detect action writes it. */
export interface PlanDocument {
  services: string[]
  anyChanged: boolean
  all: boolean
  base: string | null
  head: string
  baseReason: string
  source: ChangeSet['source']
  changedFiles: number
  reasons: Record<string, string[]>
  matrix: Plan['matrix']
  shards: Plan['shards']
  serviceShards: Plan['serviceShards']
  promotion: Plan['promotion']
  warnings: string[]
  /** Facts about the manifest that are no problem, e.g. a cycle among inferred dependencies. */
  notices: string[]
  manifest: string
}

export function planDocument(manifest: Manifest, changes: ChangeSet, plan: Plan): PlanDocument {
  return {
    services: plan.services.map((service) => service.name),
    anyChanged: plan.services.length > 0,
    all: plan.all,
    base: plan.base ?? null,
    head: plan.head,
    baseReason: plan.baseReason,
    source: changes.source,
    changedFiles: plan.changedFiles,
    reasons: Object.fromEntries(plan.services.map((service) => [service.name, reasonTexts(service)])),
    matrix: plan.matrix,
    shards: plan.shards,
    serviceShards: plan.serviceShards,
    promotion: plan.promotion,
    warnings: plan.warnings,
    notices: plan.notices,
    manifest: manifest.source
  }
}

/** A service's reasons as sentences, with a last one counting what the plan left out. */
export function reasonTexts(service: PlannedService): string[] {
  const texts = service.reasons.map(describeReason)
  if (service.omittedReasons) texts.push(`and ${service.omittedReasons} more`)
  return texts
}

export function describeReason(reason: SelectionReason): string {
  switch (reason.kind) {
    case 'file':
      return `changed ${reason.file}`
    case 'dependency':
      return `depends on ${reason.dependency} (changed ${reason.file})`
    case 'global':
      return `global file changed: ${reason.file}`
    case 'all':
      return `all services: ${reason.why}`
  }
}

/** Mermaid stops rendering past about 50,000 characters; a huge graph is left out and said so. */
const MAX_GRAPH_NODES = 150

export function planSummaryMarkdown(manifest: Manifest, changes: ChangeSet, plan: Plan): string {
  const lines: string[] = []
  const total = Object.keys(manifest.services).length
  lines.push(`## Flotilla plan: ${plan.services.length} of ${total} services selected`, '')
  const range = plan.base ? `${code(short(plan.base))}…${code(short(plan.head))}` : `none…${code(short(plan.head))}`
  lines.push(`**Base:** ${escapeText(plan.baseReason)} (${range}, ${plural(plan.changedFiles, 'changed file')}, from ${changes.source})`, '')
  if (plan.promotion.length > 0) lines.push(`**Promotion:** ${promotionText(plan)}`, '')
  for (const warning of plan.warnings) lines.push(`> [!WARNING]`, `> ${escapeText(warning)}`, '')
  for (const notice of plan.notices) lines.push(`> [!NOTE]`, `> ${escapeText(notice)}`, '')
  if (plan.services.length === 0) {
    lines.push('No service is affected by this change.', '')
  } else {
    lines.push('| Service | Image | Why |', '| --- | --- | --- |')
    for (const service of plan.services) {
      const config = manifest.services[service.name]
      const why = reasonTexts(service).map(escapeText).join('<br>')
      lines.push(`| ${code(service.name)} | ${code(config?.image.name ?? '')} | ${why} |`)
    }
    lines.push('')
  }
  lines.push(...mermaid(manifest, plan))
  return lines.join('\n')
}

function mermaid(manifest: Manifest, plan: Plan): string[] {
  const graph = affectedGraph(manifest, plan)
  if (graph.nodes.length === 0) return []
  if (graph.nodes.length > MAX_GRAPH_NODES) {
    return [`_The affected graph has ${graph.nodes.length} nodes; it is too large to draw._`, '']
  }
  // Node names may hold characters Mermaid reads as syntax, so ids are positional and labels quoted.
  const ids = new Map(graph.nodes.map((node, index) => [node.id, `n${index}`]))
  const lines = ['```mermaid', 'graph LR']
  for (const node of graph.nodes) {
    const label = `"${node.id.replace(/"/g, '#quot;')}"`
    const shape = node.kind === 'library' ? `[(${label})]` : `[${label}]`
    const style = node.changed ? ':::changed' : node.selected ? ':::selected' : ''
    lines.push(`  ${ids.get(node.id)}${shape}${style}`)
  }
  for (const edge of graph.edges) lines.push(`  ${ids.get(edge.from)} --> ${ids.get(edge.to)}`)
  lines.push('  classDef changed fill:#ffd8a8,stroke:#e8590c', '  classDef selected fill:#d3f9d8,stroke:#2f9e44', '```', '')
  lines.push('_Orange: changed directly. Green: selected through a dependency. Arrows point from a dependency to what depends on it._', '')
  return lines
}

/** A plain-text table for a terminal. */
export function planText(manifest: Manifest, changes: ChangeSet, plan: Plan): string {
  const total = Object.keys(manifest.services).length
  const lines = [
    `base: ${plan.base ? short(plan.base) : '(none)'}  head: ${short(plan.head)}  (${plan.baseReason})`,
    `${plural(plan.changedFiles, 'changed file')} (${changes.source}); ${plan.services.length} of ${total} services selected`
  ]
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`)
  for (const notice of plan.notices) lines.push(`notice: ${printable(notice)}`)
  if (plan.services.length > 0) {
    const width = Math.max(7, ...plan.services.map((service) => service.name.length))
    lines.push('', `${'SERVICE'.padEnd(width)}  WHY`)
    for (const service of plan.services) {
      const [first, ...rest] = reasonTexts(service).map(printable)
      lines.push(`${service.name.padEnd(width)}  ${first}`)
      for (const reason of rest) lines.push(`${''.padEnd(width)}  ${reason}`)
    }
  }
  return lines.join('\n') + '\n'
}

function short(sha: string): string {
  return /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha
}

/** File names may hold any character but NUL: show control characters rather than print them. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (ch) => (ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

function escapeText(text: string): string {
  return printable(text).replace(/[&<>|`*_[\]\\]/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

function code(text: string): string {
  return `<code>${escapeText(text)}</code>`
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** `staging (2 services) → production (2 services, gated)`: where this change goes, step by step. */
function promotionText(plan: Plan): string {
  const environmentText = (step: Plan['promotion'][number], environment: string): string => {
    const count = step.deploy.include.filter((shard) => shard.environment === environment).reduce((sum, shard) => sum + shard.services.length, 0)
    const gated = step.gated.includes(environment) ? ', gated' : ''
    return `${escapeText(environment)} (${plural(count, 'service')}${gated})`
  }
  return plan.promotion
    .map((step) => {
      const texts = step.environments.map((environment) => environmentText(step, environment))
      return texts.length === 1 ? texts[0] : `{${texts.join(', ')}}`
    })
    .join(' → ')
}
