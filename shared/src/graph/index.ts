/**
 * The dependency graph between libraries and services. Edges map a node to the nodes it depends
 * on (`depends_on`); a target that is not a key is a leaf. Every walk is iterative, so a long
 * chain of dependencies cannot overflow the stack, and follows insertion order, so results are
 * the same on every run.
 */
export type DependencyEdges = ReadonlyMap<string, readonly string[]>

/** A cycle as a list of node names where the first equals the last, e.g. ['a','b','a']; undefined if none. */
export function findCycle(edges: DependencyEdges): string[] | undefined {
  const done = new Set<string>()
  for (const start of edges.keys()) {
    if (done.has(start)) continue
    // The DFS path: each frame is a node and the index of the next dependency to visit.
    const path: Array<{ node: string; next: number }> = [{ node: start, next: 0 }]
    const onPath = new Map<string, number>([[start, 0]])
    while (path.length > 0) {
      const frame = path[path.length - 1]
      const targets = edges.get(frame.node) ?? []
      if (frame.next >= targets.length) {
        path.pop()
        onPath.delete(frame.node)
        done.add(frame.node)
        continue
      }
      const target = targets[frame.next++]
      const depth = onPath.get(target)
      if (depth !== undefined) return [...path.slice(depth).map((f) => f.node), target]
      if (done.has(target)) continue
      onPath.set(target, path.length)
      path.push({ node: target, next: 0 })
    }
  }
  return undefined
}

/** For every node (keys and targets), the nodes that depend on it directly. */
export function directDependents(edges: DependencyEdges): Map<string, string[]> {
  const dependents = new Map<string, string[]>()
  for (const [node, targets] of edges) {
    if (!dependents.has(node)) dependents.set(node, [])
    for (const target of targets) {
      const list = dependents.get(target)
      if (list === undefined) dependents.set(target, [node])
      else if (!list.includes(node)) list.push(node)
    }
  }
  return dependents
}

/**
 * For every node, the nodes that depend on it directly or transitively (never the node itself,
 * unless a cycle leads back to it), nearest first. One breadth-first walk per node over the
 * reversed edges: the cost is the size of the answer, computed once for a whole plan.
 */
export function dependentsClosure(edges: DependencyEdges): Map<string, string[]> {
  const dependents = directDependents(edges)
  const closure = new Map<string, string[]>()
  for (const node of dependents.keys()) closure.set(node, reachable(dependents, [node]))
  return closure
}

/** Every node that depends on one of `nodes`, directly or transitively; a start is listed only when another start (or a cycle) leads to it. */
export function dependentsOf(edges: DependencyEdges, nodes: Iterable<string>): string[] {
  return reachable(directDependents(edges), nodes)
}

/** Every node that one of `nodes` depends on, directly or transitively; a start is listed only when another start (or a cycle) leads to it. */
export function dependenciesOf(edges: DependencyEdges, nodes: Iterable<string>): string[] {
  return reachable(edges, nodes)
}

/** Breadth-first walk from `starts` along `next`, in order of discovery. */
function reachable(next: DependencyEdges, starts: Iterable<string>): string[] {
  const seen = new Set<string>()
  const found: string[] = []
  const queue = [...starts]
  for (let i = 0; i < queue.length; i++) {
    for (const target of next.get(queue[i]) ?? []) {
      if (seen.has(target)) continue
      seen.add(target)
      found.push(target)
      queue.push(target)
    }
  }
  return found
}
