/**
 * Whether an object's first bytes are what its declared type says: the one
 * home of the content check, used by every completion (client uploads and
 * server-side writes alike). A type is served as declared, so bytes of
 * another kind (HTML declared as PNG) must never get that far.
 */

/** How many leading bytes the check reads (a ranged GET; never the whole object). */
export const SNIFF_BYTES = 64;

const ascii = (text: string) => Buffer.from(text, 'latin1');

/** Magic numbers by type: every signature is `[offset, bytes]`, all of which must match. */
const SIGNATURES: Record<string, [number, Buffer][][]> = {
  'image/png': [[[0, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])]]],
  // SOI then the first marker's 0xFF: JFIF, Exif and raw JPEG alike.
  'image/jpeg': [[[0, Buffer.from([0xff, 0xd8, 0xff])]]],
  'image/gif': [[[0, ascii('GIF87a')]], [[0, ascii('GIF89a')]]],
  // RIFF container (4 bytes of length between) of the WEBP form.
  'image/webp': [
    [
      [0, ascii('RIFF')],
      [8, ascii('WEBP')],
    ],
  ],
  'application/pdf': [[[0, ascii('%PDF-')]]],
};

const matches = (head: Buffer, signature: [number, Buffer][]) =>
  signature.every(([offset, bytes]) => head.subarray(offset, offset + bytes.length).equals(bytes));

/**
 * SVG is text: after an optional byte-order mark and blanks it starts with
 * markup (`<?xml`, `<!--`, `<!DOCTYPE` or `<svg`), and holds no NUL byte.
 * Only the server writes SVG (demo data); the check keeps binary junk out.
 */
function looksLikeSvg(head: Buffer): boolean {
  if (head.includes(0)) return false;
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return /^<(\?xml|!--|!doctype svg|svg[\s>/])/i.test(text);
}

/**
 * Why the first bytes of an object cannot be of `contentType`, or null when
 * they can. Raster images and PDF must start with their magic number; SVG
 * must look like markup; any other image type is refused outright (no image
 * type is served over bytes we cannot recognise). Types with no meaningful
 * signature (none are accepted today) pass.
 */
export function contentProblem(contentType: string, head: Buffer): string | null {
  const signatures = SIGNATURES[contentType];
  if (signatures) {
    return signatures.some((signature) => matches(head, signature))
      ? null
      : `the bytes are not ${contentType} (its magic number is missing)`;
  }
  if (contentType === 'image/svg+xml') return looksLikeSvg(head) ? null : 'the bytes are not SVG markup';
  if (contentType.startsWith('image/')) return `${contentType} cannot be checked, so it is not accepted`;
  return null;
}
