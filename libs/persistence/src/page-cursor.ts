// The cursor codec and its input rules live with the other input rules; repositories say which shape theirs has.
export { decodeCursor, encodeCursor } from '@flotilla/validation';
export type { CursorShape } from '@flotilla/validation';

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}
