import { createHash } from 'node:crypto';

/** One page of a list answer: its body, where its items start, and the token for the next page. */
export interface ListPage {
  body: string;
  /** Offset of `"items":` in the body; -1 when the body was not shaped as expected (then the whole body counts). */
  itemsAt: number;
  continueToken: string | undefined;
}

/**
 * Reads a page's envelope without parsing its items. kube-apiserver writes a list as
 * `{"kind":…,"apiVersion":…,"metadata":{…},"items":[…]}` (Go encodes struct fields in order), so the
 * list metadata, with the continue token, is the short text before `"items":`. Anything else is
 * parsed whole (and its whole body digested).
 */
export function listPage(body: string): ListPage {
  const itemsAt = body.indexOf('"items":');
  if (itemsAt > 0) {
    try {
      const envelope = JSON.parse(`${body.slice(0, itemsAt).replace(/,\s*$/, '')}}`) as { metadata?: { continue?: string } };
      // A list always carries its metadata (Go writes an empty ListMeta too): without it before
      // the items, the continue token may come after them.
      if (envelope.metadata && typeof envelope.metadata === 'object') return { body, itemsAt, continueToken: envelope.metadata.continue || undefined };
    } catch {
      // not the expected shape: fall through
    }
  }
  const whole = JSON.parse(body) as { metadata?: { continue?: string } };
  return { body, itemsAt: -1, continueToken: whole.metadata?.continue || undefined };
}

/**
 * A kind's objects as listed, every page. The digest covers the items only, not the list's
 * resourceVersion or continue token, which change with every write anywhere in the cluster: the
 * same digest means the same objects, byte for byte (an object's own resourceVersion changes with
 * it). Both the digest and the parsed items are computed once, when first asked for.
 */
export class ListedObjects<T> {
  private parsed: T[] | undefined;
  private hashed: string | undefined;

  constructor(private readonly pages: readonly ListPage[]) {}

  get digest(): string {
    if (this.hashed === undefined) {
      const hash = createHash('sha256');
      for (const page of this.pages) hash.update(page.itemsAt >= 0 ? page.body.slice(page.itemsAt) : page.body);
      this.hashed = hash.digest('base64url');
    }
    return this.hashed;
  }

  items(): T[] {
    if (this.parsed === undefined) {
      const items: T[] = [];
      for (const page of this.pages) for (const item of (JSON.parse(page.body) as { items?: T[] }).items ?? []) items.push(item);
      this.parsed = items;
    }
    return this.parsed;
  }
}
