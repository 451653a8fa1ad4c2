/**
 * Files with real magic numbers, for tests that upload or store them: the
 * storage-subgraph checks an object's first bytes against its declared type
 * (`services/storage-subgraph/src/content-check.ts`), so made-up bytes are
 * refused. Each starts as a file of its kind does, then carries `text` (to
 * tell files apart), padded to `size` bytes when given.
 */
const HEADERS: Record<string, Buffer> = {
  'image/png': Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  'image/jpeg': Buffer.from('ffd8ffe000104a46494600', 'hex'),
  'image/gif': Buffer.from('GIF89a', 'latin1'),
  // RIFF, a little-endian length, then the WEBP form and its first chunk.
  'image/webp': Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]),
  'application/pdf': Buffer.from('%PDF-1.7\n', 'latin1'),
  'image/svg+xml': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">', 'utf8'),
};

export const SAMPLE_FILE_TYPES = Object.keys(HEADERS);

export function sampleFile(contentType: string, text = '', size?: number): Buffer {
  const header = HEADERS[contentType];
  if (!header) throw new Error(`no sample for ${contentType}`);
  const body = Buffer.concat([header, Buffer.from(text)]);
  if (size === undefined || size === body.length) return body;
  if (size < body.length) throw new Error(`a ${contentType} sample needs at least ${body.length} bytes`);
  return Buffer.concat([body, Buffer.alloc(size - body.length, 0x20)]);
}
