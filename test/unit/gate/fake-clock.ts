import type { Clock } from '../../../shared/src/gate/index.js'

interface Sleeper {
  wake: number
  order: number
  resolve: () => void
}

/**
 * A clock that only moves when the test runs work through it: whenever nothing else can run,
 * time jumps to the next sleeper's wake-up. No real time passes.
 */
export class FakeClock implements Clock {
  private current: number
  private sleepers: Sleeper[] = []
  private created = 0

  constructor(start: string) {
    this.current = Date.parse(start)
  }

  now(): number {
    return this.current
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const sleeper: Sleeper = { wake: this.current + ms, order: this.created++, resolve }
      this.sleepers.push(sleeper)
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((other) => other !== sleeper)
          resolve()
        },
        { once: true }
      )
    })
  }

  /** Settles `work`, advancing time from one wake-up to the next. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false
    work.then(
      () => (settled = true),
      () => (settled = true)
    )
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve))
      if (settled) return work
      const next = [...this.sleepers].sort((a, b) => a.wake - b.wake || a.order - b.order)[0]
      if (next === undefined) throw new Error('the work is waiting on something other than the clock')
      this.sleepers = this.sleepers.filter((sleeper) => sleeper !== next)
      this.current = Math.max(this.current, next.wake)
      next.resolve()
    }
  }
}
