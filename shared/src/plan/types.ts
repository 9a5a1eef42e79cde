import type { PromotionStep } from './promotion.js'

/** Why a service was selected; every selected service has at least one reason. */
export type SelectionReason =
  | { kind: 'file'; file: string }
  | { kind: 'dependency'; dependency: string; file: string }
  | { kind: 'global'; file: string }
  | { kind: 'all'; why: string }

/** One entry of the `matrix` output: a flat object of strings, ready for `fromJSON`. */
export interface MatrixEntry {
  service: string
  path: string
  image: string
  context: string
  dockerfile: string
  platforms: string
  /** The test command as a JSON array string ('' when the service has no tests). */
  'test-command': string
}

export interface PlannedService {
  name: string
  /** The first few reasons (see `REASONS_PER_SERVICE`), so a plan stays small on a huge diff. */
  reasons: SelectionReason[]
  /** How many further reasons were left out of `reasons`; absent when none were. */
  omittedReasons?: number
}

export interface Plan {
  base?: string
  head: string
  /** True when every service was selected because of the change set (not because of `global`). */
  all: boolean
  /** How the base was chosen, from the change set. */
  baseReason: string
  changedFiles: number
  /** Selected services in manifest order. */
  services: PlannedService[]
  /**
   * Libraries and services that own at least one changed file, libraries first, each in manifest
   * order (empty when the change set selected everything without routing files).
   */
  changedOwners?: string[]
  matrix: { include: MatrixEntry[] }
  /** The matrix split in chunks of at most 256 (GitHub's limit); one shard when it fits. */
  shards: Array<{ include: MatrixEntry[] }>
  /**
   * The same shards as service names only: what a workflow passes between jobs when a plan has
   * thousands of services (a job's outputs are capped at 1 MB, counted as UTF-16).
   */
  serviceShards: string[][]
  /** The environments in promotion order (from `requires`) with what each step deploys. */
  promotion: PromotionStep[]
  warnings: string[]
  /** The manifest's notices as `file:line:col: message` (e.g. a cycle among inferred dependencies, accepted). */
  notices: string[]
}
