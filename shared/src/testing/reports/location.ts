import { fileURLToPath } from 'node:url'

export interface SourceLocation {
  file: string
  line: number
}

interface FramePattern {
  pattern: RegExp
  /** Turns a match into a location, or undefined for a frame in library or runtime code. */
  locate(match: RegExpExecArray): SourceLocation | undefined
}

const LIBRARY_PATH = /(^|[\\/])(node_modules|site-packages|dist-packages)[\\/]|^node:|^internal[\\/]|^<|[\\/]lib[\\/]python\d[\d.]*[\\/]|[\\/]pkg[\\/]mod[\\/]|[\\/]go[\\/]src[\\/](runtime|testing|reflect)[\\/]/
const JVM_LIBRARY_PACKAGE = /^(java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|junit|org\.junit|org\.opentest4j|org\.assertj|org\.hamcrest|org\.mockito|org\.testng|org\.apache\.maven|org\.gradle|org\.spockframework|org\.codehaus\.groovy|io\.kotest)\./

function inProject(file: string, line: string): SourceLocation | undefined {
  return LIBRARY_PATH.test(file) ? undefined : { file, line: Number(line) }
}

const FRAME_PATTERNS: FramePattern[] = [
  // .NET: "at Ns.Class.Method() in /src/CalcTests.cs:line 42"
  { pattern: /^\s*at .+? in (.+):line (\d+)\s*$/, locate: (m) => inProject(m[1], m[2]) },
  // JavaScript: "at fn (/repo/sum.test.js:12:5)", "at /repo/sum.test.js:12:5", "at file:///repo/a.mjs:3:1"
  {
    pattern: /^\s*at (?:.*? \()?((?:file:\/\/)?[^\s()]+?):(\d+):\d+\)?\s*$/,
    locate: (m) => inProject(m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1], m[2])
  },
  // JVM: "at com.acme.CalcTest.adds(CalcTest.java:42)", optionally with a module prefix "app//"
  {
    pattern: /^\s*at (?:[\w.$-]+(?:@[\w.-]+)?\/+)?([\w$.<>-]+)\(([^():\s]+):(\d+)\)\s*$/,
    locate: (m) => (JVM_LIBRARY_PACKAGE.test(m[1]) ? undefined : { file: m[2], line: Number(m[3]) })
  },
  // TypeScript diagnostics, as jest prints a test file that failed to compile:
  // "src/checkout.test.ts:4:10 - error TS2305: …"
  { pattern: /^\s*([^\s:]+\.[cm]?tsx?):(\d+):\d+ - error TS\d+/, locate: (m) => inProject(m[1], m[2]) },
  // Python traceback: 'File "tests/test_calc.py", line 12, in test_add'
  { pattern: /^\s*File "([^"]+)", line (\d+)/, locate: (m) => inProject(m[1], m[2]) },
  // pytest's own report "tests/test_calc.py:12: AssertionError", Go "calc_test.go:42: want 3" and
  // Go panics "\t/src/calc.go:42 +0x1d"
  { pattern: /^\s*([^\s:"]+\.(?:py|go)):(\d+)(?::|\s|$)/, locate: (m) => inProject(m[1], m[2]) }
]

/**
 * The first frame of a stack trace or failure body that points into the project (not into
 * node_modules, site-packages, a runtime or a test framework), for JavaScript, Python, JVM, .NET
 * and Go traces. Files are returned as written: absolute, relative, or a bare JVM file name.
 */
export function locateInStack(details: string): SourceLocation | undefined {
  for (const line of details.split('\n')) {
    for (const { pattern, locate } of FRAME_PATTERNS) {
      const match = pattern.exec(line)
      if (!match) continue
      const location = locate(match)
      if (location && location.line > 0) return location
      break
    }
  }
  return undefined
}

/**
 * Where a case failed: the report's own `file`/`line` attributes first, then its stack trace.
 * A frame in the attribute's file wins over the attribute's line, since it names the failing
 * line rather than where the test is declared.
 */
export function resolveLocation(
  details: string | undefined,
  attributeFile: string | undefined,
  attributeLine: number | undefined
): Partial<SourceLocation> {
  const frame = details ? locateInStack(details) : undefined
  if (!attributeFile) return frame ?? {}
  if (frame && sameFile(frame.file, attributeFile)) return { file: attributeFile, line: frame.line }
  return { file: attributeFile, line: attributeLine }
}

function sameFile(a: string, b: string): boolean {
  const normalize = (path: string) => path.replace(/\\/g, '/').replace(/^\.\//, '')
  const [x, y] = [normalize(a), normalize(b)]
  return x === y || x.endsWith(`/${y}`) || y.endsWith(`/${x}`)
}
