/**
 * Kubernetes resource quantities ("500m", "1.5Gi", "2e3"), parsed exactly as rationals so that
 * comparisons never suffer from floating point ("0.1" + "0.2" style errors, or "1Ei" overflowing).
 * Grammar from k8s.io/apimachinery/pkg/api/resource: <sign?><digits[.digits]><suffix>, where the
 * suffix is binary (Ki…Ei), decimal SI (n, u, m, "", k, M, G, T, P, E) or an exponent (e3, E-2).
 */
export interface Quantity {
  /** Value = numerator / denominator, denominator > 0. */
  numerator: bigint;
  denominator: bigint;
}

const BINARY_SUFFIXES: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

const DECIMAL_EXPONENTS: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY_PATTERN = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]|)$/;

export class QuantityError extends Error {
  override readonly name = 'QuantityError';
}

export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? numberToText(input) : input.trim();
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) throw new QuantityError(`"${String(input)}" is not a Kubernetes quantity (e.g. 500m, 2, 1.5Gi, 8G)`);
  const [, sign, digits, suffix] = match;
  const [whole, fraction = ''] = digits.split('.');
  let numerator = BigInt((whole || '0') + fraction) * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in BINARY_SUFFIXES) {
    numerator *= BINARY_SUFFIXES[suffix];
  } else {
    // "E" alone is exa; "E3"/"e3" is an exponent.
    const exponent = suffix.length > 1 ? Number(suffix.slice(1)) : DECIMAL_EXPONENTS[suffix];
    // An absurd exponent would make a bigint of gigabytes; Kubernetes itself rejects them.
    if (Math.abs(exponent) > 100) throw new QuantityError(`"${String(input)}" has an exponent out of range`);
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  return reduce(numerator, denominator);
}

export function isQuantity(input: string | number): boolean {
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}

/** -1 if a < b, 0 if equal, 1 if a > b. */
export function compareQuantities(a: Quantity | string | number, b: Quantity | string | number): -1 | 0 | 1 {
  const qa = typeof a === 'object' ? a : parseQuantity(a);
  const qb = typeof b === 'object' ? b : parseQuantity(b);
  const left = qa.numerator * qb.denominator;
  const right = qb.numerator * qa.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

function numberToText(value: number): string {
  if (!Number.isFinite(value)) throw new QuantityError(`${value} is not a Kubernetes quantity`);
  // String(1e21) is "1e+21", which the grammar accepts; String(0.0000001) is "1e-7", also fine.
  return String(value);
}

function reduce(numerator: bigint, denominator: bigint): Quantity {
  const divisor = gcd(numerator < 0n ? -numerator : numerator, denominator);
  return divisor > 1n ? { numerator: numerator / divisor, denominator: denominator / divisor } : { numerator, denominator };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
