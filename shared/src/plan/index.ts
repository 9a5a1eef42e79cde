import type { ChangeSet } from '../changes/types.js'
import type { Manifest, ServiceConfig } from '../config/types.js'
import { formatProblem } from '../config/errors.js'
import { dependenciesOf, dependentsClosure, dependentsOf, type DependencyEdges } from '../graph/index.js'
import { compilePatterns, createRouter } from '../match/index.js'
import { MATRIX_LIMIT } from './limits.js'
import { chunks, promotionSteps, promotionWarnings } from './promotion.js'
import type { MatrixEntry, Plan, PlannedService, SelectionReason } from './types.js'

export type * from './types.js'
export { promotionOrder, promotionSteps, promotionWarnings, describePromotion, type Promotion, type PromotionStep, type DeployShard } from './promotion.js'

export { MATRIX_LIMIT } from './limits.js'

/** Reasons kept per service: enough to explain a selection, few enough for a 50,000-file diff. */
export const REASONS_PER_SERVICE = 5

/**
 * Which services a change set selects, and why. Pure: the same manifest and change set always give
 * the same plan, and nothing is read from disk.
 */
export function computePlan(manifest: Manifest, changes: ChangeSet): Plan {
  const serviceNames = Object.keys(manifest.services)
  let services: PlannedService[]
  let changedOwners: string[]
  if (changes.all) {
    services = serviceNames.map((name) => ({ name, reasons: [{ kind: 'all', why: changes.reason }] }))
    changedOwners = []
  } else {
    const changed = changedFilesByOwner(manifest, changes)
    services = selectServices(manifest, changed)
    const owners = [...Object.keys(manifest.libraries), ...serviceNames]
    changedOwners = owners.filter((name) => changed.byOwner.has(name))
  }

  const include = services.map((service) => matrixEntry(manifest.services[service.name]))
  const shards: Plan['shards'] = chunks(include, MATRIX_LIMIT).map((entries) => ({ include: entries }))
  const warnings = [...changes.warnings, ...promotionWarnings(manifest.environments)]
  if (shards.length > 1) {
    warnings.push(
      `${include.length} services selected, more than GitHub's ${MATRIX_LIMIT}-job matrix limit: ` +
        `use the ${shards.length} shards instead of the single matrix.`
    )
  }

  return {
    base: changes.base,
    head: changes.head,
    all: changes.all,
    baseReason: changes.reason,
    changedFiles: changes.files.length,
    services,
    changedOwners,
    matrix: { include },
    shards,
    serviceShards: chunks(services.map((service) => service.name), MATRIX_LIMIT),
    promotion: promotionSteps(manifest, services.map((service) => service.name)),
    warnings,
    notices: (manifest.notices ?? []).map(formatProblem)
  }
}

/** The first few changed paths an owner owns, and how many it owns in all. */
interface OwnedChanges {
  files: string[]
  count: number
}

interface RoutedChanges {
  /** The first changed path matching `manifest.global`, if any. */
  globalFile?: string
  /** In order of each owner's first changed path. */
  byOwner: Map<string, OwnedChanges>
}

/**
 * The services a set of changed files selects, as `computePlan` selects them (own files,
 * dependencies, global files), with the routing built once for many calls: the delivery metrics
 * ask it for every commit of a year.
 */
export function serviceSelector(manifest: Manifest): (files: ChangeSet['files']) => string[] {
  const routing = routingOf(manifest)
  let dependents: Map<string, string[]> | undefined
  return (files) => {
    const changed = changedFilesByOwner(manifest, { files }, routing)
    return selectServices(manifest, changed, () => (dependents ??= dependentsClosure(dependencyEdges(manifest)))).map((service) => service.name)
  }
}

interface Routing {
  router: ReturnType<typeof createRouter>
  isGlobal: (path: string) => boolean
}

function routingOf(manifest: Manifest): Routing {
  return { router: createRouter([...Object.values(manifest.libraries), ...Object.values(manifest.services)]), isGlobal: compilePatterns(manifest.global) }
}

function changedFilesByOwner(manifest: Manifest, changes: Pick<ChangeSet, 'files'>, { router, isGlobal }: Routing = routingOf(manifest)): RoutedChanges {
  const routed: RoutedChanges = { byOwner: new Map() }
  const visit = (path: string): void => {
    if (routed.globalFile === undefined && isGlobal(path)) routed.globalFile = path
    for (const owner of router.route(path)) {
      const owned = routed.byOwner.get(owner)
      if (owned === undefined) routed.byOwner.set(owner, { files: [path], count: 1 })
      else {
        if (owned.files.length < REASONS_PER_SERVICE) owned.files.push(path)
        owned.count++
      }
    }
  }
  for (const file of changes.files) {
    visit(file.path)
    // A rename or copy touches its old location too: moving a file out of a service changes it.
    if (file.previousPath !== undefined && file.previousPath !== file.path) visit(file.previousPath)
  }
  return routed
}

/** Reasons gathered for one service, capped at REASONS_PER_SERVICE with a count of the rest. */
class ReasonList {
  readonly reasons: SelectionReason[] = []
  private total = 0

  add(reasons: readonly SelectionReason[], count: number): void {
    for (const reason of reasons) {
      if (this.reasons.length >= REASONS_PER_SERVICE) break
      this.reasons.push(reason)
    }
    this.total += count
  }

  toPlanned(name: string): PlannedService {
    const omitted = this.total - this.reasons.length
    return omitted > 0 ? { name, reasons: this.reasons, omittedReasons: omitted } : { name, reasons: this.reasons }
  }
}

function selectServices(manifest: Manifest, changed: RoutedChanges, closure: () => Map<string, string[]> = () => dependentsClosure(dependencyEdges(manifest))): PlannedService[] {
  const lists = new Map<string, ReasonList>()
  const listFor = (service: string): ReasonList => {
    let list = lists.get(service)
    if (list === undefined) lists.set(service, (list = new ReasonList()))
    return list
  }
  const { globalFile } = changed
  if (globalFile !== undefined) {
    for (const service of Object.keys(manifest.services)) listFor(service).add([{ kind: 'global', file: globalFile }], 1)
  }
  // A service's own files explain it best, so they come before the dependencies it inherits.
  for (const [owner, owned] of changed.byOwner) {
    if (Object.hasOwn(manifest.services, owner)) {
      listFor(owner).add(owned.files.map((file) => ({ kind: 'file', file })), owned.count)
    }
  }
  if (changed.byOwner.size > 0) {
    const dependents = closure()
    for (const [owner, owned] of changed.byOwner) {
      const reasons = owned.files.map((file): SelectionReason => ({ kind: 'dependency', dependency: owner, file }))
      for (const dependent of dependents.get(owner) ?? []) {
        if (Object.hasOwn(manifest.services, dependent) && dependent !== owner) listFor(dependent).add(reasons, owned.count)
      }
    }
  }
  return Object.keys(manifest.services).flatMap((name) => {
    const list = lists.get(name)
    return list === undefined ? [] : [list.toPlanned(name)]
  })
}

function dependencyEdges(manifest: Manifest): DependencyEdges {
  const edges = new Map<string, readonly string[]>()
  for (const library of Object.values(manifest.libraries)) edges.set(library.name, library.dependsOn)
  for (const service of Object.values(manifest.services)) edges.set(service.name, service.dependsOn)
  return edges
}

function matrixEntry(service: ServiceConfig): MatrixEntry {
  return {
    service: service.name,
    path: service.path,
    image: service.image.name,
    context: service.image.context,
    dockerfile: service.image.dockerfile,
    platforms: service.image.platforms.join(','),
    'test-command': service.test === undefined ? '' : JSON.stringify(service.test.command)
  }
}

export interface AffectedNode {
  id: string
  kind: 'service' | 'library'
  /** Owns at least one changed file. */
  changed: boolean
  selected: boolean
}

/** `from` is the dependency, `to` the library or service that depends on it: the way a change travels. */
export interface AffectedEdge {
  from: string
  to: string
}

/**
 * The part of the dependency graph a plan touched, for a chart: every node on a path from a
 * changed owner to a selected service, the edges between them, and selected services reached by
 * no such path (selected by `global` or "all") as lone nodes. Nodes come libraries first, each in
 * manifest order.
 */
export function affectedGraph(manifest: Manifest, plan: Plan): { nodes: AffectedNode[]; edges: AffectedEdge[] } {
  const edges = dependencyEdges(manifest)
  const changed = new Set(plan.changedOwners ?? [])
  const selected = new Set(plan.services.map((service) => service.name))
  const downstream = new Set([...changed, ...dependentsOf(edges, changed)])
  const upstream = new Set([...selected, ...dependenciesOf(edges, selected)])
  const onPath = (name: string): boolean => downstream.has(name) && upstream.has(name)

  const nodes: AffectedNode[] = []
  const graphEdges: AffectedEdge[] = []
  const visit = (name: string, kind: AffectedNode['kind'], dependsOn: readonly string[]): void => {
    if (!onPath(name) && !selected.has(name)) return
    nodes.push({ id: name, kind, changed: changed.has(name), selected: selected.has(name) })
    if (!onPath(name)) return
    for (const dependency of dependsOn) if (onPath(dependency)) graphEdges.push({ from: dependency, to: name })
  }
  for (const library of Object.values(manifest.libraries)) visit(library.name, 'library', library.dependsOn)
  for (const service of Object.values(manifest.services)) visit(service.name, 'service', service.dependsOn)
  return { nodes, edges: graphEdges }
}
