/** Opaque keyset cursors: base64url of [sortValue, id]. A malformed one is a clear error, not a 500. */
export class InvalidCursorError extends Error {
  constructor() {
    super('invalid pagination cursor: pass an endCursor returned by the previous page');
  }
}

export function encodeCursor(sortValue: string | number, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string | number, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string' && ['string', 'number'].includes(typeof parsed[0])) {
      return parsed as [string | number, string];
    }
  } catch {
    /* fall through */
  }
  throw new InvalidCursorError();
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}
