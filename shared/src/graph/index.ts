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
 * The strongly connected components: groups of nodes that each reach every other one of the
 * group (a node on no cycle is a group of its own). Tarjan's algorithm, iterative and linear in
 * nodes plus edges; a component comes after every component it depends on, and its members are
 * in insertion order.
 */
export function stronglyConnectedComponents(edges: DependencyEdges): string[][] {
  const order = new Map<string, number>()
  const nodes: string[] = []
  const add = (node: string) => {
    if (!order.has(node)) order.set(node, nodes.push(node) - 1)
  }
  for (const [node, targets] of edges) {
    add(node)
    for (const target of targets) add(target)
  }
  const index = new Int32Array(nodes.length).fill(-1)
  const low = new Int32Array(nodes.length)
  const onStack = new Uint8Array(nodes.length)
  const stack: number[] = []
  const components: string[][] = []
  let counter = 0
  for (let start = 0; start < nodes.length; start++) {
    if (index[start] !== -1) continue
    // The DFS path: each frame is a node and the index of the next dependency to visit.
    const path: Array<{ node: number; next: number }> = [{ node: start, next: 0 }]
    index[start] = low[start] = counter++
    stack.push(start)
    onStack[start] = 1
    while (path.length > 0) {
      const frame = path[path.length - 1]
      const targets = edges.get(nodes[frame.node]) ?? []
      if (frame.next < targets.length) {
        const target = order.get(targets[frame.next++])!
        if (index[target] === -1) {
          index[target] = low[target] = counter++
          stack.push(target)
          onStack[target] = 1
          path.push({ node: target, next: 0 })
        } else if (onStack[target] === 1 && index[target] < low[frame.node]) {
          low[frame.node] = index[target]
        }
        continue
      }
      path.pop()
      if (path.length > 0) {
        const parent = path[path.length - 1].node
        if (low[frame.node] < low[parent]) low[parent] = low[frame.node]
      }
      if (low[frame.node] !== index[frame.node]) continue
      const members: number[] = []
      let member: number
      do {
        member = stack.pop()!
        onStack[member] = 0
        members.push(member)
      } while (member !== frame.node)
      components.push(members.sort((a, b) => a - b).map((m) => nodes[m]))
    }
  }
  return components
}

/** True when the component lies on a cycle: more than one member, or one that depends on itself. */
export function isCyclic(component: readonly string[], edges: DependencyEdges): boolean {
  return component.length > 1 || (edges.get(component[0]) ?? []).includes(component[0])
}

/**
 * A shortest cycle through `node` (first equals last, e.g. ['a','b','a']), or undefined when
 * `node` is on none: a breadth-first walk from its dependencies back to it.
 */
export function shortestCycle(edges: DependencyEdges, node: string): string[] | undefined {
  const previous = new Map<string, string>()
  const queue = [node]
  for (let i = 0; i < queue.length; i++) {
    for (const target of edges.get(queue[i]) ?? []) {
      if (target === node) {
        const cycle = [node]
        for (let at: string | undefined = queue[i]; at !== node && at !== undefined; at = previous.get(at)) cycle.push(at)
        return [node, ...cycle.slice(1).reverse(), node]
      }
      if (previous.has(target)) continue
      previous.set(target, queue[i])
      queue.push(target)
    }
  }
  return undefined
}

/**
 * For every node, the nodes that depend on it directly or transitively (never the node itself,
 * unless a cycle leads back to it), nearest component first. Cycles are legal: the members of a
 * strongly connected component share one answer — the whole component and everything that
 * depends on any member — computed once by a breadth-first walk over the components, so the cost
 * is the size of the answers in components, not in nodes.
 */
export function dependentsClosure(edges: DependencyEdges): Map<string, string[]> {
  const components = stronglyConnectedComponents(edges)
  const componentOf = new Map<string, number>()
  components.forEach((members, at) => {
    for (const member of members) componentOf.set(member, at)
  })
  // Component → the components that depend on it directly, each once.
  const dependents: number[][] = components.map(() => [])
  const linked = new Set<number>()
  for (const [node, targets] of edges) {
    const from = componentOf.get(node)!
    for (const target of targets) {
      const to = componentOf.get(target)!
      const key = to * components.length + from
      if (to === from || linked.has(key)) continue
      linked.add(key)
      dependents[to].push(from)
    }
  }
  const closure = new Map<string, string[]>()
  components.forEach((members, at) => {
    const found: string[] = isCyclic(members, edges) ? [...members] : []
    const seen = new Set([at])
    const queue = [at]
    for (let i = 0; i < queue.length; i++) {
      for (const dependent of dependents[queue[i]]) {
        if (seen.has(dependent)) continue
        seen.add(dependent)
        queue.push(dependent)
        found.push(...components[dependent])
      }
    }
    for (const member of members) closure.set(member, found)
  })
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
