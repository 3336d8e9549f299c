import { z } from 'zod';
import { UUID_PATTERN } from './ids';
import { refuse } from './input-validation.error';

/** Opaque keyset cursors: base64url of [sortValue, id]. */
export function encodeCursor(sortValue: string | number, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export const CURSOR_MAX = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
// What PostgreSQL's timestamptz text and Date.toISOString() write.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const INTEGER = /^\d{1,19}$/;

/** What each half of a cursor must be, so a hand-made one never reaches SQL as the wrong type. */
export type CursorPart = 'text' | 'timestamp' | 'uuid' | 'integer';
export interface CursorShape {
  sort: CursorPart;
  id: CursorPart;
}

const PART: { [P in CursorPart]: z.ZodType<string> } = {
  // NUL is the one character PostgreSQL text cannot hold.
  text: z.string().max(CURSOR_MAX).refine((s) => !s.includes('\u0000')),
  timestamp: z.string().regex(TIMESTAMP).refine((s) => !Number.isNaN(Date.parse(s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')))),
  uuid: z.string().regex(UUID_PATTERN),
  integer: z.union([z.string().regex(INTEGER), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).transform(String)]),
};

const MESSAGE = 'is not a pagination cursor of this list: pass an endCursor returned by the previous page';

/** The [sortValue, id] of a cursor, both as strings, or BAD_USER_INPUT naming the argument. */
export function decodeCursor(cursor: string, shape: CursorShape, field = 'after'): [string, string] {
  if (cursor.length > CURSOR_MAX * 2 || !BASE64URL.test(cursor)) refuse(field, MESSAGE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return refuse(field, MESSAGE);
  }
  const result = z.tuple([PART[shape.sort], PART[shape.id]]).safeParse(parsed);
  if (!result.success) refuse(field, MESSAGE);
  return result.data as [string, string];
}
