/** Longest message or stack trace kept per case; a runaway failure body must not fill memory. */
export const MAX_DETAILS_CHARS = 64 * 1024

/** Text gathered across several text events, cut at a size limit. */
export class BoundedText {
  private parts: string[] = []
  private length = 0
  private truncated = false

  constructor(private readonly limit = MAX_DETAILS_CHARS) {}

  append(text: string): void {
    const room = this.limit - this.length
    if (room <= 0) {
      this.truncated ||= text.length > 0
      return
    }
    const kept = text.length > room ? text.slice(0, room) : text
    this.truncated ||= kept.length < text.length
    this.parts.push(kept)
    this.length += kept.length
  }

  /** The text, trimmed, or undefined when there was none. */
  value(): string | undefined {
    const text = this.parts.join('').trim()
    if (!text) return undefined
    return this.truncated ? `${text}\n… (truncated)` : text
  }
}

/** The first non-empty line, which is what most frameworks put first in a failure body. */
export function firstLine(text: string | undefined): string | undefined {
  return text?.split('\n').find((line) => line.trim() !== '')?.trim()
}

/** A number attribute, tolerating the thousands separators old Surefire versions wrote. */
export function numberAttribute(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const number = Number(value.replace(/,/g, ''))
  return Number.isFinite(number) ? number : undefined
}
