import fc from 'fast-check';
import {
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { TEST_CA_DATA } from '@flotilla/testing';

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** An own "__proto__" key, as a JSON body carries it (an object literal would set the prototype instead). */
const protoKeyed = (inner: string) => JSON.parse(`{"__proto__": ${inner}, "constructor": {"prototype": {"polluted": true}}}`) as unknown;

/** Strings an attacker sends: huge, NUL, controls, bidi overrides, odd Unicode, prototype keys, SQL and GraphQL metacharacters, hand-made cursors. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'x'.repeat(70_000),
  'a..b',
  '.',
  '-',
  'admin\u202Egnp.exe',
  '\u2066isolate\u2069',
  '\u200F\u200E',
  '\u0007\u001b[31m\u0085',
  '\uD800',
  '\uDFFF\uD800',
  'ünïcödé',
  '🚀'.repeat(300),
  '\uFEFF',
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'prototype',
  "'; DROP TABLE clusters; --",
  '" OR 1=1 --',
  '%',
  '_',
  '\\',
  '$1',
  '{ __typename }',
  '$var',
  '... on Query { viewer { role } }',
  'query { viewer { role } }',
  '#',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  'null',
  'NaN',
  '-1',
  '1e309',
  'v99999999999999999999.1',
  'v99999999999999999999.1.0',
  'v1.30.8',
  `https://${'h'.repeat(70_000)}.invalid`,
  `https://h.invalid/${'p'.repeat(2100)}`,
  'http://127.0.0.1:1',
  'https://u:p@x.invalid',
  'javascript:alert(1)',
  'bm9wZQ==',
  Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64'),
  't'.repeat(9000),
  'tok\u0000en-abcdefgh',
  'tökën-abcdefgh',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  b64url(['x', 'y']),
  b64url([1, '00000000-0000-4000-8000-000000000000']),
  b64url(['2026-01-01T00:00:00Z', 'not-a-uuid']),
  b64url(['2026-13-45T99:99:99Z', '00000000-0000-4000-8000-000000000000']),
  b64url('{"__proto__": {"polluted": true}}'),
  b64url(['a\u0000b', '00000000-0000-4000-8000-000000000000']),
  '!!!not-base64!!!',
];

/** Values that pass some checks, so the hostile ones in other fields are reached. */
export const PLAUSIBLE_STRINGS: readonly string[] = [
  'fuzz-01',
  'env',
  'prod',
  'https://127.0.0.1:1/clusters/fuzz',
  'sa-token-abcdefgh',
  TEST_CA_DATA,
  'v1.30.8',
  '1.32',
  '0 2 * * *',
  '@daily',
  'UTC',
  'Europe/Berlin',
];

/**
 * Well-formed values for fields whose names say what they hold, so a call gets past that field and
 * the hostile value in another one is what gets judged.
 */
const PLAUSIBLE_BY_FIELD: Record<string, readonly string[]> = {
  name: ['fuzz-01', 'fuzz-02.eu', 'constructor'],
  apiServerUrl: ['https://127.0.0.1:1/clusters/fuzz', 'https://fuzz.invalid:6443'],
  token: ['sa-token-abcdefgh'],
  caData: [TEST_CA_DATA],
  key: ['env', 'constructor', 'toString', 'example.com/team'],
  value: ['prod', ''],
  targetVersion: ['v1.30.8', '1.32'],
  cron: ['0 2 * * *', '@daily'],
  timezone: ['UTC', 'Europe/Berlin'],
  description: ['payment clusters'],
  search: ['fuzz'],
};

/** Numbers an attacker sends as an Int: negative, huge, beyond 32 bits, non-integer, and NaN-like spellings. */
export const HOSTILE_NUMBERS: readonly unknown[] = [
  -1,
  0,
  1,
  -(2 ** 31),
  2 ** 31 - 1,
  2 ** 31,
  Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  1.5,
  -0.0001,
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '10',
  true,
  null,
];

const HOSTILE_JSON: readonly unknown[] = [
  protoKeyed('{"polluted": true}'),
  { constructor: { prototype: { polluted: true } }, toString: 'x' },
  { bindings: [{ role: 'x'.repeat(70_000), subjects: [{ kind: 'User', name: '\u0000' }] }] },
  { bindings: [{ role: 'cluster-admin\u202E', subjects: [{ kind: 'User', name: 'a\u0000b' }] }] },
  { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'g'.repeat(70_000) }] }] },
  { defaultDeny: 'ingress', namespaces: ['a..b'] },
  { defaultDeny: 'all', excludeNamespaces: ['\u0000'] },
  { hard: { 'requests.cpu': '1e309' } },
  { hard: protoKeyed('"4"') },
  { hard: { ['r'.repeat(70_000)]: '4' } },
  { allowedRegistries: ['\u0000', 'r\u202E/'] },
  { allowedRegistries: ['r'.repeat(70_000)] },
  { level: 'baseline', version: 'v99999999999999999999.1' },
  { kinds: ['Namespace'], required: ['constructor', '__proto__', 'toString'] },
  { kinds: ['Namespace'], required: [`${'p'.repeat(300)}/x`] },
  [],
  null,
  'string',
  1e308,
  Array.from({ length: 2000 }, () => ({})),
];

/** Known ids of the fuzzed organization, so calls also reach the code behind "found". */
export interface FuzzIds {
  ids: readonly string[];
}

function stringArb(known: FuzzIds, fieldName: string | undefined): fc.Arbitrary<string> {
  const plausible = (fieldName && PLAUSIBLE_BY_FIELD[fieldName]) || PLAUSIBLE_STRINGS;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 4, arbitrary: fc.constantFrom(...plausible) },
    { weight: 2, arbitrary: known.ids.length ? fc.constantFrom(...known.ids) : fc.uuid() },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  );
}

function scalarArb(name: string, known: FuzzIds, fieldName: string | undefined): fc.Arbitrary<unknown> {
  switch (name) {
    case 'Int':
    case 'Float':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) }, { weight: 1, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.double() });
    case 'Boolean':
      return fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 0, null) });
    case 'JSON':
      return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_JSON) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
    default:
      // String, ID, DateTime and any custom scalar: strings (and, rarely, a number where a string belongs).
      return fc.oneof({ weight: 29, arbitrary: stringArb(known, fieldName) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) });
  }
}

/** Too many items: large enough to cross every list limit, small enough to stay under the body limit. */
function bigList(item: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> {
  return fc.tuple(item, fc.constantFrom(65, 1001)).map(([v, n]) => (JSON.stringify(v ?? null).length > 200 ? [v, v] : Array<unknown>(n).fill(v)));
}

/**
 * A value for any GraphQL input type, derived from the type itself: new input fields and arguments
 * are fuzzed without anyone listing them. Required fields are usually present (so deeper checks are
 * reached) and sometimes missing or null (so coercion errors are too).
 */
export function valueFor(type: GraphQLInputType, known: FuzzIds, fieldName?: string, depth = 0): fc.Arbitrary<unknown> {
  const required = isNonNullType(type);
  const inner = getNullableType(type) as GraphQLInputType;
  let arb: fc.Arbitrary<unknown>;
  if (isListType(inner)) {
    const item = valueFor(inner.ofType, known, fieldName, depth + 1);
    arb = fc.oneof({ weight: 8, arbitrary: fc.array(item, { maxLength: 4 }) }, { weight: 2, arbitrary: bigList(item) }, { weight: 1, arbitrary: item });
  } else if (isInputObjectType(inner)) {
    if (depth > 6) return fc.constant(null);
    const fields = Object.values(inner.getFields());
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) model[f.name] = valueFor(f.type, known, f.name, depth + 1);
    const requiredKeys = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    arb = fc.oneof(
      { weight: 30, arbitrary: fc.record(model, { requiredKeys }) },
      { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(protoKeyed('{}'), 'not an object', []) },
    );
  } else if (isEnumType(inner)) {
    arb = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...inner.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: fc.constantFrom('NOT_A_VALUE', '__proto__', '') });
  } else if (isScalarType(inner)) {
    arb = scalarArb(inner.name, known, fieldName);
  } else {
    throw new Error(`no arbitrary for input type ${String(inner)}`);
  }
  return required ? fc.oneof({ weight: 40, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }) : fc.option(arb, { nil: null, freq: 3 });
}

/** One field that takes arguments, and how to reach it from the root of its operation. */
export interface FuzzTarget {
  /** e.g. "Mutation.attachCluster" or "Cluster.upgrades". */
  coordinate: string;
  operation: 'query' | 'mutation';
  /** Field names from the root down to (not including) the target field; each takes no required argument. */
  path: string[];
  field: string;
  args: Array<{ name: string; type: GraphQLInputType }>;
  returnType: GraphQLNamedType;
}

/**
 * Every field of the served schema that takes arguments: each Mutation field, each Query field, and
 * each field deeper down (e.g. Cluster.upgrades) reached through the shortest path of fields that
 * need no argument.
 */
export function fuzzTargets(schema: GraphQLSchema): FuzzTarget[] {
  const targets: FuzzTarget[] = [];
  const mutation = schema.getMutationType();
  for (const f of Object.values(mutation?.getFields() ?? {})) {
    targets.push({ coordinate: `Mutation.${f.name}`, operation: 'mutation', path: [], field: f.name, args: f.args.map((a) => ({ name: a.name, type: a.type })), returnType: getNamedType(f.type) });
  }
  const query = schema.getQueryType();
  if (!query) return targets;
  // Breadth-first from Query: the first path found to each object type is a shortest one.
  const pathTo = new Map<string, string[]>([[query.name, []]]);
  const queue: GraphQLNamedType[] = [query];
  while (queue.length) {
    const type = queue.shift()!;
    if (!('getFields' in type) || isInputObjectType(type)) continue;
    for (const f of Object.values(type.getFields())) {
      const here = pathTo.get(type.name)!;
      if (f.args.length > 0) {
        targets.push({ coordinate: `${type.name}.${f.name}`, operation: 'query', path: here, field: f.name, args: f.args.map((a) => ({ name: a.name, type: a.type })), returnType: getNamedType(f.type) });
      }
      const next = getNamedType(f.type);
      if (f.args.some((a) => isNonNullType(a.type)) || pathTo.has(next.name) || !('getFields' in next)) continue;
      pathTo.set(next.name, [...here, f.name]);
      queue.push(next);
    }
  }
  return targets;
}

/** The document for one target: arguments as variables, the result selected as __typename only. */
export function documentFor(target: FuzzTarget): string {
  const vars = target.args.map((a, i) => `$a${i}: ${String(a.type)}`).join(', ');
  const args = target.args.map((a, i) => `${a.name}: $a${i}`).join(', ');
  const selection = 'getFields' in target.returnType ? ' { __typename }' : '';
  let body = `${target.field}${args ? `(${args})` : ''}${selection}`;
  for (const step of [...target.path].reverse()) body = `${step} { ${body} }`;
  return `${target.operation} Fuzz${vars ? `(${vars})` : ''} { ${body} }`;
}

export function variablesFor(target: FuzzTarget, known: FuzzIds): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  target.args.forEach((a, i) => (model[`a${i}`] = valueFor(a.type, known, a.name)));
  return fc.record(model);
}
