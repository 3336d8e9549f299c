/** A tiny protobuf writer for tests: builds `application/vnd.kubernetes.protobuf` bodies as kubectl sends them. */

/** A message as [field number, value] pairs; numbers and booleans are varints, strings/Buffers/messages length-delimited. */
export type ProtoValue = Array<[number, string | number | boolean | Buffer | ProtoValue]>;

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

export function encodeMessage(fields: ProtoValue): Buffer {
  const parts: Buffer[] = [];
  for (const [no, value] of fields) {
    if (typeof value === 'number' || typeof value === 'boolean') {
      parts.push(varint(no * 8), varint(Number(value)));
      continue;
    }
    const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : encodeMessage(value);
    parts.push(varint(no * 8 + 2), varint(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

/** The magic number and runtime.Unknown envelope around an object's message. */
export function encodeKubeProtobuf(apiVersion: string, kind: string, object: ProtoValue): Buffer {
  const unknown = encodeMessage([
    [1, [[1, apiVersion], [2, kind]]],
    [2, encodeMessage(object)],
  ]);
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
}
