import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { escapeUri } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * AWS Signature Version 4 verification for the embedded S3 server, which
 * checks no signature itself. The signature is recomputed with the AWS SDK's
 * own signer (`@smithy/signature-v4`) from the request as received and
 * compared in constant time; header-signed requests and presigned URLs
 * (query string, with their expiry) are accepted, anything else is refused
 * as AWS S3 refuses it.
 */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ReceivedRequest {
  method: string;
  /** The request target as received: raw path and query string. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** Why a request is refused, as S3 says it. */
export interface Refusal {
  status: 400 | 403;
  code: string;
  message: string;
}

/** S3 refuses header-signed requests further than this from its clock. */
const MAX_SKEW_MS = 15 * 60_000;
/** SigV4's longest presigned URL: 7 days. */
const MAX_EXPIRES_SECONDS = 604_800;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const refuse = (status: Refusal['status'], code: string, message: string): Refusal => ({ status, code, message });
const denied = (message: string) => refuse(403, 'AccessDenied', message);

/** `20240101T120000Z` as a date; null when malformed. */
function parseAmzDate(value: string | undefined): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** Query parameters decoded (no `+` for space: SigV4 clients percent-encode); repeated names become lists. */
function parseQuery(raw: string): Record<string, string | string[]> | null {
  const query: Record<string, string | string[]> = Object.create(null);
  try {
    for (const pair of raw.split('&')) {
      if (!pair) continue;
      const at = pair.indexOf('=');
      const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      const value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
      const seen = query[name];
      query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
  } catch {
    return null;
  }
  return query;
}

/** S3's canonical URI: each segment decoded and encoded once again, as AWS normalises it. */
function canonicalPath(rawPath: string): string | null {
  try {
    return rawPath
      .split('/')
      .map((segment) => escapeUri(decodeURIComponent(segment)))
      .join('/');
  } catch {
    return null;
  }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);

interface Claim {
  credential: string;
  signedHeaders: string[];
  signature: string;
  date: Date;
  payloadHash: string;
  /** Presigned: the URL's lifetime in seconds. */
  expiresIn?: number;
}

/** What the request claims: from its Authorization header or its presigned query string. */
function readClaim(request: ReceivedRequest, query: Record<string, string | string[]>): Claim | Refusal | null {
  const authorization = single(request.headers.authorization);
  const presigned = 'X-Amz-Algorithm' in query || 'X-Amz-Signature' in query;
  if (authorization !== undefined && presigned) {
    return refuse(400, 'InvalidArgument', 'Only one auth mechanism allowed');
  }
  if ('Signature' in query || 'AWSAccessKeyId' in query || authorization?.startsWith('AWS ')) {
    return refuse(400, 'InvalidRequest', 'Only AWS Signature Version 4 (AWS4-HMAC-SHA256) is accepted');
  }
  if (authorization !== undefined) {
    const match = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(
      authorization.trim(),
    );
    if (!match) return refuse(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed');
    const date = parseAmzDate(single(request.headers['x-amz-date']));
    if (!date) return denied('AWS authentication requires a valid x-amz-date header');
    const payloadHash = single(request.headers['x-amz-content-sha256']);
    if (!payloadHash) return refuse(400, 'InvalidRequest', 'Missing required header: x-amz-content-sha256');
    return { credential: match[1]!, signedHeaders: match[2]!.split(';'), signature: match[3]!, date, payloadHash };
  }
  if (!presigned) return null;
  const text = (name: string) => single(query[name]);
  if (text('X-Amz-Algorithm') !== ALGORITHM) {
    return refuse(400, 'AuthorizationQueryParametersError', `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const date = parseAmzDate(text('X-Amz-Date'));
  const expiresIn = Number(text('X-Amz-Expires'));
  const [credential, signedHeaders, signature] = [
    text('X-Amz-Credential'),
    text('X-Amz-SignedHeaders'),
    text('X-Amz-Signature'),
  ];
  if (!date || !credential || !signedHeaders || !signature || !Number.isInteger(expiresIn)) {
    return refuse(400, 'AuthorizationQueryParametersError', 'Query-string authentication is incomplete');
  }
  if (expiresIn < 1 || expiresIn > MAX_EXPIRES_SECONDS) {
    return refuse(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be from 1 to 604800 seconds');
  }
  const payloadHash = text('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD;
  return { credential, signedHeaders: signedHeaders.split(';'), signature, date, payloadHash, expiresIn };
}

/**
 * A verifier for requests to one S3 endpoint with one key pair and region.
 * Returns the refusal, or null for a request signed with the key that is
 * still valid. Requests with no signature at all are refused too, but a CORS
 * preflight (`OPTIONS`, which browsers send unsigned) is let through.
 */
export function createSigV4Verifier({ credentials, region }: { credentials: S3Credentials; region: string }) {
  const signer = new SignatureV4({
    credentials,
    region,
    service: 's3',
    sha256: Sha256,
    // S3 signs the path as sent (encoded once), and the client's payload hash header as is.
    uriEscapePath: false,
    applyChecksum: false,
  });

  return async function verify(request: ReceivedRequest, now = new Date()): Promise<Refusal | null> {
    const at = request.url.indexOf('?');
    const path = canonicalPath(at < 0 ? request.url : request.url.slice(0, at));
    const query = parseQuery(at < 0 ? '' : request.url.slice(at + 1));
    if (path === null || query === null) return refuse(400, 'InvalidURI', 'Could not parse the specified URI');
    const claim = readClaim(request, query);
    if (claim === null) {
      return request.method === 'OPTIONS' ? null : denied('Anonymous access is not allowed; sign the request');
    }
    if ('status' in claim) return claim;

    const [accessKeyId, day, scopeRegion, service, terminator, ...rest] = claim.credential.split('/');
    if (accessKeyId !== credentials.accessKeyId) {
      return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records');
    }
    const longDate = claim.date.toISOString().replace(/[-:]|\.\d{3}/g, '');
    if (day !== longDate.slice(0, 8) || service !== 's3' || terminator !== 'aws4_request' || rest.length > 0) {
      return refuse(400, 'AuthorizationHeaderMalformed', 'The credential scope is malformed');
    }
    if (scopeRegion !== region) {
      return refuse(400, 'AuthorizationHeaderMalformed', `The region '${scopeRegion}' is wrong; expecting '${region}'`);
    }
    const age = now.getTime() - claim.date.getTime();
    if (claim.expiresIn === undefined ? Math.abs(age) > MAX_SKEW_MS : age < -MAX_SKEW_MS) {
      return refuse(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the server time is too large',
      );
    }
    if (claim.expiresIn !== undefined && age > claim.expiresIn * 1000) return denied('Request has expired');
    if (!claim.signedHeaders.includes('host')) return denied('The host header must be signed');

    // The request as its signer saw it: the signed headers, plus the payload hash the signature covers.
    const headers: Record<string, string> = { 'x-amz-content-sha256': claim.payloadHash };
    for (const name of claim.signedHeaders) {
      const value = single(request.headers[name]);
      if (value === undefined) return denied(`The signed header ${name} is missing`);
      headers[name] = value;
    }
    const signed = await signer.sign(
      { method: request.method, protocol: 'http:', hostname: '', path, query, headers },
      {
        signingDate: claim.date,
        signableHeaders: new Set(claim.signedHeaders),
        // Present only for the signer's sake unless the client signed them too.
        unsignableHeaders: new Set(['x-amz-content-sha256', 'x-amz-date']),
      },
    );
    const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? '';
    const provided = Buffer.from(claim.signature);
    const matches = provided.length === expected.length && timingSafeEqual(provided, Buffer.from(expected));
    return matches
      ? null
      : refuse(
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided',
        );
  };
}
