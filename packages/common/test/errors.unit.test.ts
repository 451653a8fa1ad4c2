import { Writable } from 'node:stream';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { pino } from 'pino';
import {
  badUserInput,
  codedError,
  conflict,
  createErrorFormatter,
  ErrorCode,
  isConnectionError,
  notFound,
  serviceUnavailable,
} from '../src/index.js';

/** A formatter whose log lines are kept, parsed, for assertions. */
function formatterWithLog() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { format: createErrorFormatter(pino({ level: 'error' }, stream)), lines };
}

describe('error helpers', () => {
  it.each([
    [badUserInput, 'BAD_USER_INPUT'],
    [notFound, 'NOT_FOUND'],
    [conflict, 'CONFLICT'],
    [serviceUnavailable, 'SERVICE_UNAVAILABLE'],
  ])('%o sets extensions.code %s next to the extensions given', (helper, code) => {
    const error = helper('it failed', { field: 'email' });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('it failed');
    expect(error.extensions).toEqual({ field: 'email', code });
  });

  it('lets no extension override the code', () => {
    expect(codedError(ErrorCode.NotFound, 'gone', { code: 'OTHER' }).extensions.code).toBe('NOT_FOUND');
  });
});

describe('createErrorFormatter', () => {
  const formatted = (error: GraphQLError): GraphQLFormattedError => error.toJSON();

  it.each([
    ...Object.values(ErrorCode).filter((code) => code !== 'INTERNAL_SERVER_ERROR'),
    'GRAPHQL_VALIDATION_FAILED',
  ])('passes %s through with its extensions, without the stack trace, and logs nothing', (code) => {
    const { format, lines } = formatterWithLog();
    const error = new GraphQLError('expected', {
      path: ['product'],
      extensions: { code, field: 'sku', stacktrace: ['at resolver (product.ts:1)'] },
    });
    expect(format(formatted(error), error)).toEqual({
      message: 'expected',
      path: ['product'],
      extensions: { code, field: 'sku' },
    });
    expect(lines).toEqual([]);
  });

  it.each([
    ['no code', undefined],
    ['an unknown code', 'SOMETHING_ELSE'],
    ['INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR'],
  ])('masks an error with %s and logs the original with its stack', (_case, code) => {
    const { format, lines } = formatterWithLog();
    const cause = new Error('password authentication failed for user "polystore" at 10.0.0.5:5432');
    const error = new GraphQLError(cause.message, {
      path: ['user', 'orders'],
      originalError: cause,
      extensions: code ? { code } : {},
    });
    const result = format({ ...formatted(error), locations: [{ line: 1, column: 3 }] }, error);
    expect(result).toEqual({
      message: 'Internal server error',
      path: ['user', 'orders'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toContain('10.0.0.5');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'unexpected resolver error', path: ['user', 'orders'] });
    expect(lines[0]!.err).toMatchObject({ message: cause.message });
    expect(lines[0]!.err.stack).toContain('errors.unit.test.ts');
  });

  it('masks and logs a thrown value that is not a GraphQLError', () => {
    const { format, lines } = formatterWithLog();
    const result = format({ message: 'boom' }, new RangeError('boom'));
    expect(result).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines[0]!.err).toMatchObject({ type: 'RangeError', message: 'boom' });
  });
});

describe('isConnectionError', () => {
  const withCode = (code: string) => Object.assign(new Error('failed'), { code });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EPIPE',
  ])('recognises %s', (code) => {
    expect(isConnectionError(withCode(code))).toBe(true);
  });

  it('recognises a connection error in the message or in the cause chain', () => {
    expect(isConnectionError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(true);
    expect(isConnectionError(new Error('outer', { cause: new Error('inner', { cause: withCode('EPIPE') }) }))).toBe(
      true,
    );
  });

  it('follows at most five causes, so a cyclic chain ends', () => {
    const deep = (depth: number): Error =>
      depth === 0 ? withCode('ECONNRESET') : new Error('wrap', { cause: deep(depth - 1) });
    expect(isConnectionError(deep(4))).toBe(true);
    expect(isConnectionError(deep(5))).toBe(false);
    const cyclic: Error & { cause?: unknown } = new Error('loop');
    cyclic.cause = cyclic;
    expect(isConnectionError(cyclic)).toBe(false);
  });

  it.each([
    ['a plain error', new Error('syntax error at or near "SELEC"')],
    ['another code', withCode('23505')],
    ['undefined', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('is false for %s', (_case, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});
