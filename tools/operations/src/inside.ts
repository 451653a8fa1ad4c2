import { resolve, sep } from 'node:path';

/**
 * `path` resolved against `root`, when it stays below it; undefined when it
 * leads out (`..`, an absolute path): manifests and object keys name paths,
 * and none may write or read outside the folder they belong to.
 */
export function inside(root: string, path: string): string | undefined {
  const target = resolve(root, path);
  return target.startsWith(resolve(root) + sep) ? target : undefined;
}
