import { createHash } from 'node:crypto';

/** Path segments no store key can produce (encodeURIComponent writes `%` only before two hex digits). */
const EMPTY_SEGMENT = '%empty';
const HASHED_FOLDER = '%hashed';
/** Below common file systems' 255-byte limit on one name. */
const MAX_SEGMENT = 200;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A key's segment as a file name: percent-encoded, never `.`/`..` or hidden, never empty, never too long. */
function segmentName(segment: string): string {
  if (segment === '') return EMPTY_SEGMENT;
  const encoded = encodeURIComponent(segment)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/^\./, '%2E');
  return encoded.length > MAX_SEGMENT ? `%${sha256(segment)}` : encoded;
}

/**
 * Maps object keys to relative file paths that are safe on any file system
 * the set may be copied to: each `/`-separated segment encoded (so no key
 * climbs out of the folder), and a key whose path would clash with another's
 * (names that differ only in case, a key that is also another key's folder)
 * stored under `%hashed/<sha256 of the key>` instead. The objects index keeps
 * each key's path: a restore reads it, never decodes a path.
 */
export class ObjectPaths {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  pathOf(key: string): string {
    const segments = key.split('/').map(segmentName);
    const natural = segments.join('/');
    const ancestors = segments.slice(0, -1).map((_, i) =>
      segments
        .slice(0, i + 1)
        .join('/')
        .toLowerCase(),
    );
    const folded = natural.toLowerCase();
    const clashes =
      this.files.has(folded) || this.folders.has(folded) || ancestors.some((folder) => this.files.has(folder));
    if (clashes || ancestors[0] === HASHED_FOLDER) return this.take(`${HASHED_FOLDER}/${sha256(key)}`, [HASHED_FOLDER]);
    return this.take(natural, ancestors);
  }

  private take(path: string, ancestors: string[]): string {
    this.files.add(path.toLowerCase());
    for (const folder of ancestors) this.folders.add(folder);
    return path;
  }
}
