import { refuse } from './input-validation.error';

/**
 * Characters no user-given name or description may hold: C0 and C1 controls (NUL included, which
 * PostgreSQL cannot store anyway), DEL, and the bidirectional overrides, embeddings, isolates and
 * marks that make a name read differently from what it is ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be shown as it is, or null when it can. */
export function textProblem(value: string): string | null {
  if (FORBIDDEN.test(value)) return 'must not contain control characters or bidirectional-override characters';
  // A lone surrogate is not text: it cannot be encoded as UTF-8 faithfully.
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode text';
  return null;
}

export interface TextBounds {
  /** Longest accepted, in UTF-16 code units (what GraphQL clients count). */
  max: number;
  min?: number;
}

/** Free text that is stored or searched for but names nothing (a search term, a cron expression): bounded and printable. */
export function plainText(value: string, field: string, bounds: TextBounds): string {
  const min = bounds.min ?? 0;
  if (value.length > bounds.max) refuse(field, `must be at most ${bounds.max} characters`);
  const problem = textProblem(value);
  if (problem) refuse(field, problem);
  const trimmed = value.trim();
  if (trimmed.length < min) refuse(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  return trimmed;
}

/** A user-given name (a group, an API token, a policy): trimmed, 1 to `max` characters, printable. */
export function displayName(value: string, field: string, max = 100): string {
  const bounds = `must be 1 to ${max} characters`;
  // Surrounding blanks are trimmed, so the raw value may be a little longer; never unboundedly.
  if (value.length > max + 64) refuse(field, bounds);
  const name = plainText(value, field, { max: max + 64 });
  if (name.length < 1 || name.length > max) refuse(field, bounds);
  return name;
}

/** An optional description: trimmed, empty becomes null, at most `max` characters, printable. */
export function description(value: string | null | undefined, field: string, max = 1000): string | null {
  if (value === null || value === undefined) return null;
  const bounds = `must be at most ${max} characters`;
  if (value.length > max + 64) refuse(field, bounds);
  const text = plainText(value, field, { max: max + 64 });
  if (text.length > max) refuse(field, bounds);
  return text === '' ? null : text;
}

const POLICY_NAME = /^[A-Za-z0-9]([A-Za-z0-9._ -]{0,98}[A-Za-z0-9])?$/;

/** A policy's name, which `flotilla policy apply` files match on: trimmed, 1 to 100 letters, digits, ".", "_", "-" or spaces, alphanumeric at both ends. */
export function policyName(value: string, field: string): string {
  if (value.length > 164) refuse(field, 'must be 1 to 100 characters');
  const name = value.trim();
  if (!POLICY_NAME.test(name)) refuse(field, 'must be 1 to 100 characters: letters, digits, ".", "_", "-" or spaces, starting and ending with a letter or digit');
  return name;
}
