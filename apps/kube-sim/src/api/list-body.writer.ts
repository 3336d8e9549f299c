/**
 * Writes a list answer around a cached segment: envelope + items + `]}`. With `Accept-Encoding:
 * gzip` and a body over kube-apiserver's threshold, the cached gzip member goes out as it is (only
 * the small envelope is compressed per request); otherwise the items are sent decoded (the
 * registry keeps them decoded within a budget).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { acceptsGzip, GZIP_THRESHOLD_BYTES } from '../http/http-io';
import { GZIP_LEVEL, type ListSegment } from '../store/list-segment';

const SUFFIX = Buffer.from(']}');
const GZ_SUFFIX = gzipSync(SUFFIX, { level: GZIP_LEVEL });

export class ListBodyWriter {
  constructor(private readonly items: (seg: ListSegment) => Buffer) {}

  send(req: IncomingMessage, res: ServerResponse, envelope: string, seg: ListSegment): void {
    const head = Buffer.from(envelope);
    const size = head.length + seg.rawBytes + SUFFIX.length;
    if (size > GZIP_THRESHOLD_BYTES && acceptsGzip(req)) {
      const body = [gzipSync(head, { level: GZIP_LEVEL }), seg.gz, GZ_SUFFIX];
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': body[0].length + seg.gz.length + GZ_SUFFIX.length, 'Cache-Control': 'no-cache, private' });
      res.write(body[0]);
      res.write(body[1]);
      res.end(body[2]);
      return;
    }
    const items = this.items(seg);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': size, 'Cache-Control': 'no-cache, private' });
    res.write(head);
    res.write(items);
    res.end(SUFFIX);
  }
}
