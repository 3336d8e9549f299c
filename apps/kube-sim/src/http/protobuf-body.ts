/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON form the handlers
 * take, for the built-in kinds clients send that way (kubectl's typed clients: `kubectl create
 * clusterrolebinding`/`rolebinding`, `kubectl auth reconcile`, client-go defaults). The envelope is
 * the 4-byte magic `k8s\0` and a runtime.Unknown {typeMeta, raw}; `raw` is the object's message,
 * read here against a table of field numbers from the k8s.io/api generated.proto files. Unknown
 * fields are skipped, as protobuf readers do; a kind outside the table is a 415.
 */
import { ApiError, errors } from './api-error';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'strings' | 'stringMap' | 'bytesMap';
type FieldType = Scalar | { message: Schema; repeated?: boolean };
type Schema = Record<number, readonly [name: string, type: FieldType]>;

const msg = (message: Schema, repeated = false): FieldType => ({ message, repeated });

const OWNER_REFERENCE: Schema = { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] };
const OBJECT_META: Schema = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  4: ['selfLink', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int'],
  8: ['creationTimestamp', 'time'],
  9: ['deletionTimestamp', 'time'],
  10: ['deletionGracePeriodSeconds', 'int'],
  11: ['labels', 'stringMap'],
  12: ['annotations', 'stringMap'],
  13: ['ownerReferences', msg(OWNER_REFERENCE, true)],
  14: ['finalizers', 'strings'],
};
const LABEL_SELECTOR: Schema = { 1: ['matchLabels', 'stringMap'], 2: ['matchExpressions', msg({ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strings'] }, true)] };
const POLICY_RULE: Schema = { 1: ['verbs', 'strings'], 2: ['apiGroups', 'strings'], 3: ['resources', 'strings'], 4: ['resourceNames', 'strings'], 5: ['nonResourceURLs', 'strings'] };
const SUBJECT: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const ROLE_REF: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };
const BINDING: Schema = { 1: ['metadata', msg(OBJECT_META)], 2: ['subjects', msg(SUBJECT, true)], 3: ['roleRef', msg(ROLE_REF)] };
const OBJECT_REFERENCE: Schema = { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string'] };

/** apiVersion/kind → the object's message. */
const KINDS: Record<string, Schema> = {
  'rbac.authorization.k8s.io/v1/Role': { 1: ['metadata', msg(OBJECT_META)], 2: ['rules', msg(POLICY_RULE, true)] },
  'rbac.authorization.k8s.io/v1/ClusterRole': { 1: ['metadata', msg(OBJECT_META)], 2: ['rules', msg(POLICY_RULE, true)], 3: ['aggregationRule', msg({ 1: ['clusterRoleSelectors', msg(LABEL_SELECTOR, true)] })] },
  'rbac.authorization.k8s.io/v1/RoleBinding': BINDING,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': BINDING,
  'v1/Namespace': { 1: ['metadata', msg(OBJECT_META)], 2: ['spec', msg({ 1: ['finalizers', 'strings'] })], 3: ['status', msg({ 1: ['phase', 'string'] })] },
  'v1/ServiceAccount': { 1: ['metadata', msg(OBJECT_META)], 2: ['secrets', msg(OBJECT_REFERENCE, true)], 3: ['imagePullSecrets', msg({ 1: ['name', 'string'] }, true)], 4: ['automountServiceAccountToken', 'bool'] },
  'v1/Secret': { 1: ['metadata', msg(OBJECT_META)], 2: ['data', 'bytesMap'], 3: ['type', 'string'], 4: ['stringData', 'stringMap'], 5: ['immutable', 'bool'] },
  'v1/ConfigMap': { 1: ['metadata', msg(OBJECT_META)], 2: ['data', 'stringMap'], 3: ['binaryData', 'bytesMap'], 4: ['immutable', 'bool'] },
};

const UNKNOWN: Schema = { 1: ['typeMeta', msg({ 1: ['apiVersion', 'string'], 2: ['kind', 'string'] })], 2: ['raw', 'bytes'], 3: ['contentEncoding', 'string'], 4: ['contentType', 'string'] };

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result >= 2 ** 63 ? result - 2 ** 64 : result;
      scale *= 128;
    }
    throw malformed('varint too long');
  }

  bytes(): Buffer {
    const len = this.varint();
    if (len < 0 || this.pos + len > this.end) throw malformed('length out of range');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw malformed(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw malformed('truncated field');
  }
}

function malformed(why: string): ApiError {
  return errors.badRequest(`the body of the request could not be decoded as protobuf: ${why}`);
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    const spec = schema[field];
    if (!spec) {
      r.skip(wire);
      continue;
    }
    const [name, type] = spec;
    const expectsLength = type !== 'int' && type !== 'bool';
    if (expectsLength !== (wire === 2)) throw malformed(`field ${name} has wire type ${wire}`);
    switch (type) {
      case 'string': {
        // Go's non-pointer fields are always written, empty or not; JSON omits them (omitempty).
        const v = r.bytes().toString('utf8');
        if (v !== '') out[name] = v;
        break;
      }
      case 'bytes':
        out[name] = Buffer.from(r.bytes());
        break;
      case 'int': {
        const v = r.varint();
        if (v !== 0) out[name] = v;
        break;
      }
      case 'bool':
        out[name] = r.varint() !== 0;
        break;
      case 'time': {
        const t = decodeMessage(r.bytes(), { 1: ['seconds', 'int'], 2: ['nanos', 'int'] });
        const seconds = Number(t.seconds ?? 0);
        // The zero time (year 1) is how Go writes "unset".
        if (t.seconds !== undefined && seconds > -62135596800) out[name] = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        break;
      }
      case 'strings':
        ((out[name] ??= []) as string[]).push(r.bytes().toString('utf8'));
        break;
      case 'stringMap':
      case 'bytesMap': {
        const e = decodeMessage(r.bytes(), { 1: ['key', 'string'], 2: ['value', type === 'stringMap' ? 'string' : 'bytes'] });
        const value = type === 'stringMap' ? (e.value ?? '') : ((e.value as Buffer | undefined) ?? Buffer.alloc(0)).toString('base64');
        ((out[name] ??= {}) as Record<string, unknown>)[String(e.key ?? '')] = value;
        break;
      }
      default: {
        const value = decodeMessage(r.bytes(), type.message);
        if (type.repeated) ((out[name] ??= []) as unknown[]).push(value);
        else out[name] = value;
      }
    }
  }
  return out;
}

/** The object a protobuf request body carries, as JSON would have it. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('the body does not start with the Kubernetes protobuf magic number');
  const unknown = decodeMessage(body.subarray(MAGIC.length), UNKNOWN);
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  if (unknown.contentEncoding) throw malformed(`unsupported content encoding ${String(unknown.contentEncoding)}`);
  const schema = KINDS[`${typeMeta.apiVersion ?? ''}/${typeMeta.kind ?? ''}`];
  if (!schema) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (kube-sim reads ${PROTOBUF} only for ${Object.keys(KINDS).join(', ')}; got ${typeMeta.apiVersion ?? '?'}/${typeMeta.kind ?? '?'})`);
  }
  const obj = decodeMessage((unknown.raw as Buffer | undefined) ?? Buffer.alloc(0), schema);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...obj };
}
