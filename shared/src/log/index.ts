/** Where the core library reports progress; the Actions adapter and the CLI each provide one. */
export interface Logger {
  info(message: string): void
  warn(message: string): void
  debug(message: string): void
  /** Worth saying always, but no warning (a `::notice::` in Actions); `info` stands in when absent. */
  notice?(message: string): void
}

/**
 * Writes to stderr, so a CLI's stdout stays one clean document. Progress (`info`) and `debug`
 * show with `verbose`; warnings always do.
 */
export function stderrLogger(options: { verbose?: boolean } = {}): Logger {
  return {
    info: (message) => {
      if (options.verbose) process.stderr.write(`${message}\n`)
    },
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    notice: (message) => process.stderr.write(`notice: ${message}\n`),
    debug: (message) => {
      if (options.verbose) process.stderr.write(`debug: ${message}\n`)
    }
  }
}

