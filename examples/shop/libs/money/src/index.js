// Money is an integer number of cents: floats cannot represent 0.10 exactly, and a cart total
// that drifts by a cent is a bug a customer notices.

/** Throws unless `value` is a safe integer amount of cents. */
export function assertCents(value) {
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`not an integer amount of cents: ${value}`)
  }
  return value
}

/** Parses a decimal string such as "12.5" or "-0.99" into cents, rejecting sub-cent precision. */
export function parse(text) {
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).trim())
  if (!match) throw new RangeError(`not a money amount: ${JSON.stringify(text)}`)
  const [, sign, units, fraction = ''] = match
  const cents = Number(units) * 100 + Number(fraction.padEnd(2, '0'))
  return assertCents(sign ? -cents : cents)
}

/** Adds any number of amounts. */
export function sum(amounts) {
  return amounts.reduce((total, amount) => total + assertCents(amount), 0)
}

/** Multiplies an amount by a whole quantity. */
export function multiply(amount, quantity) {
  if (!Number.isSafeInteger(quantity)) throw new TypeError(`not a whole quantity: ${quantity}`)
  return assertCents(assertCents(amount) * quantity)
}

/**
 * A share of an amount given in basis points (1/100 of a percent), rounded half away from zero,
 * the rounding most tax authorities expect.
 */
export function share(amount, basisPoints) {
  assertCents(amount)
  if (!Number.isSafeInteger(basisPoints)) throw new TypeError(`not whole basis points: ${basisPoints}`)
  const exact = (amount * basisPoints) / 10_000
  return Math.sign(exact) * Math.round(Math.abs(exact))
}

/** Formats cents for people, e.g. `format(123456)` → "$1,234.56". */
export function format(amount, currency = 'USD', locale = 'en-US') {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(assertCents(amount) / 100)
}
