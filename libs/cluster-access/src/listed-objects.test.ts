import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListedObjects, listPage } from './listed-objects';

const page = (resourceVersion: string, items: unknown[], cont?: string) =>
  JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion, ...(cont ? { continue: cont } : {}) }, items });
const pod = (name: string, rv: string) => ({ metadata: { name, namespace: 'a', resourceVersion: rv }, spec: { containers: [] } });

test('a page envelope is read without its items: the continue token, or none', () => {
  assert.equal(listPage(page('10', [pod('p', '3')], 'next-token')).continueToken, 'next-token');
  assert.equal(listPage(page('10', [pod('p', '3')])).continueToken, undefined);
  assert.ok(listPage(page('10', [])).itemsAt > 0);
});

test("the digest covers the items only: a new list resourceVersion or continue token does not change it, an object's change does", () => {
  const digest = (...bodies: string[]) => new ListedObjects(bodies.map(listPage)).digest;
  const same = digest(page('10', [pod('p', '3')]));
  assert.equal(digest(page('99', [pod('p', '3')])), same);
  assert.notEqual(digest(page('10', [pod('p', '4')])), same);
  assert.notEqual(digest(page('10', [pod('p', '3'), pod('q', '5')])), same);
  // Pages: the same objects split over two pages with tokens digest as one list of them.
  assert.equal(digest(page('10', [pod('p', '3')], 'x'), page('10', [pod('q', '5')])), digest(page('11', [pod('p', '3')], 'y'), page('12', [pod('q', '5')])));
});

test('items are every page in order, parsed once; a body of another shape is taken whole', () => {
  const listed = new ListedObjects(
    [page('1', [pod('p', '1')], 'x'), page('1', [pod('q', '2')])].map(listPage),
  );
  assert.deepEqual(listed.items().map((o) => (o as { metadata: { name: string } }).metadata.name), ['p', 'q']);
  assert.equal(listed.items(), listed.items());
  const odd = listPage(JSON.stringify({ items: [pod('r', '1')], metadata: { continue: 'z' } }));
  assert.equal(odd.continueToken, 'z');
  assert.equal(odd.itemsAt, -1);
  assert.equal(new ListedObjects([odd]).items().length, 1);
});
