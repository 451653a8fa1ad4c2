/**
 * What never reaches a log line, at any level: credentials, the gateway's
 * signature on subgraph requests, forwarded claims, cookies, presigned URLs'
 * signatures, and what clients send (request bodies, variables). Every
 * logger of the stack writes through `redactSecrets`: ours (pino, in
 * `logger.ts`) and the gateway runtime's, which is routed into it.
 */

/**
 * Keys whose values are replaced wherever they appear, at any depth: any key
 * naming a credential (`jwtSecret`, `accessToken`, `x-api-key`...), plus the
 * exact keys below. `payload` is how the runtime logs forwarded claims and
 * signed content; `body` and `variables` are what a client sent.
 */
const SECRET_KEY = /secret|password|passwd|token|signature|signed-at|authorization|cookie|credential|api-?key/i;
const SECRET_KEYS = new Set(['jwt', 'payload', 'claims', 'connectionparams', 'variables', 'body']);
const isSecretKey = (key: string) => SECRET_KEY.test(key) || SECRET_KEYS.has(key.toLowerCase());

/** Keys of errors that carry the request or response they failed on (fetch, HTTP clients, the runtime). */
const REQUEST_CARRIERS = new Set(['request', 'response', 'config', 'options', 'headers']);

export const REDACTED = '[redacted]';

/** Secrets recognised by their shape inside any text: messages, URLs, printed JSON. */
const SECRET_PATTERNS: [RegExp, string][] = [
  // Presigned S3 URLs: the signature and the key id that made it.
  [/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'\\]+/gi, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  // A JWT anywhere (header.payload.signature, each base64url).
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // graphql-js quotes a rejected variable's value in its message.
  [/(got invalid value )(.*?)(?=; |\.?$| at ")/gm, `$1${REDACTED}`],
];

const MAX_DEPTH = 10;

/** `text` with every secret of a known shape replaced; printed JSON is redacted by key too. */
export function redactText(text: string): string {
  const trimmed = text.trimStart();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && text.length < 1_000_000) {
    try {
      return JSON.stringify(redactSecrets(JSON.parse(text)));
    } catch {
      // Not JSON after all: patterns only.
    }
  }
  let redacted = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) redacted = redacted.replace(pattern, replacement);
  return redacted;
}

/** An error as pino's serializer writes it (type, message, stack, own fields), without what it carried. */
function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.constructor?.name ?? 'Error', message: error.message };
  if (error.stack) fields.stack = error.stack;
  for (const [key, value] of Object.entries(error)) fields[key] = value;
  if (error.cause !== undefined) fields.cause = error.cause;
  return redactObject(fields, depth, seen, true);
}

function redactObject(
  object: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
  isError = false,
): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (isSecretKey(key) || (isError && REQUEST_CARRIERS.has(key.toLowerCase()))) redacted[key] = REDACTED;
    else redacted[key] = redactAt(value, depth + 1, seen);
  }
  return redacted;
}

function redactAt(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => redactAt(item, depth + 1, seen));
  if (value instanceof Date) return value;
  if (value instanceof URL) return redactText(value.href);
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof Map) return redactObject(Object.fromEntries(value), depth, seen);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return redactAt(withJson.toJSON(), depth, seen);
  // Headers, URLSearchParams and the like: their entries.
  const iterable = value as { entries?: () => Iterable<[string, unknown]> };
  if (typeof iterable.entries === 'function' && Object.getPrototypeOf(value) !== Object.prototype) {
    try {
      return redactObject(Object.fromEntries(iterable.entries()), depth, seen);
    } catch {
      // Not entries of pairs: its own fields below.
    }
  }
  return redactObject(value as Record<string, unknown>, depth, seen);
}

/**
 * A copy of `value` that is safe to log: secret keys replaced at any depth,
 * secrets of a known shape replaced inside strings, errors reduced to type,
 * message, stack and their own fields minus the request or response they carry.
 */
export function redactSecrets<T>(value: T): T {
  return redactAt(value, 0, new WeakSet()) as T;
}
