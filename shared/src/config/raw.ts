import type { DeployTarget } from './types.js'
import type { SourceLocation } from './yaml-source.js'

/**
 * The manifest as written (snake_case keys), after type checks and before defaults and cross
 * checks. A key that failed its type check is absent, so later checks see only sound values.
 */
export interface RawOwnership {
  path?: string
  paths?: string[]
  depends_on?: string[]
}

export interface RawImage {
  name?: string
  context?: string
  dockerfile?: string
  build_args?: Record<string, string>
  platforms?: string[]
  target?: string
}

export interface RawTest {
  command?: string | string[]
  shell?: boolean
  reports?: string[]
  /** Seconds. */
  timeout?: number
  retries?: number
  env?: Record<string, string>
}

export type RawDeployTarget = Partial<DeployTarget>

export interface RawService extends RawOwnership {
  image?: RawImage
  test?: RawTest
  deploy?: Record<string, RawDeployTarget>
}

export interface RawEnvironment {
  requires?: string[]
  production?: boolean
  transient?: boolean
  url?: string
  gate?: Record<string, unknown>
}

export interface RawWorkspaces {
  dev_dependencies?: boolean
}

export interface RawManifest {
  version?: 1
  registry?: string
  global?: string[]
  workspaces?: RawWorkspaces
  libraries?: Record<string, RawOwnership>
  services?: Record<string, RawService>
  environments?: Record<string, RawEnvironment>
}

/** `parent.key`, or `parent["key"]` when the key holds characters that would blur the path. */
export function childKeyPath(parent: string, key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return `${parent}[${JSON.stringify(key)}]`
  return parent === '' ? key : `${parent}.${key}`
}

export function itemKeyPath(parent: string, index: number): string {
  return `${parent}[${index}]`
}

function parentKeyPath(keyPath: string): string | undefined {
  const match = /(\.[A-Za-z0-9_-]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/.exec(keyPath)
  if (match !== null) return keyPath.slice(0, match.index)
  return keyPath === '' ? undefined : ''
}

/**
 * Where each key path was written: the key (`cart:`) and its value. A key path that was never
 * recorded (a default, an inferred edge) is located at its nearest recorded parent.
 */
export class Locations {
  private readonly entries = new Map<string, { key?: SourceLocation; value: SourceLocation }>()

  constructor(private readonly fallback: SourceLocation) {}

  record(keyPath: string, value: SourceLocation, key?: SourceLocation): void {
    this.entries.set(keyPath, { key, value })
  }

  /** Where the value at `keyPath` starts. */
  value(keyPath: string): SourceLocation {
    return this.find(keyPath, (entry) => entry.value)
  }

  /** Where the key of `keyPath` is written (its value for list items and the document root). */
  key(keyPath: string): SourceLocation {
    return this.find(keyPath, (entry) => entry.key ?? entry.value)
  }


  private find(keyPath: string, pick: (entry: { key?: SourceLocation; value: SourceLocation }) => SourceLocation): SourceLocation {
    for (let path: string | undefined = keyPath; path !== undefined; path = parentKeyPath(path)) {
      const entry = this.entries.get(path)
      if (entry !== undefined) return pick(entry)
    }
    return this.fallback
  }
}

/** `record[key]` when `record` has it as its own key; names such as `constructor` are valid. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
}
