import { createLogger, requestContext } from '../src/index.js';

describe('the request context', () => {
  it('puts the request id on every log line written while serving it, and on no other', () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const log = createLogger('unit', 'info', 'json');
      requestContext.run({ requestId: 'req-1' }, () => log.info('inside'));
      log.info('outside');
    } finally {
      process.stdout.write = write;
    }
    const [inside, outside] = lines.map((line) => JSON.parse(line) as { msg: string; requestId?: string });
    expect(inside).toMatchObject({ msg: 'inside', requestId: 'req-1' });
    expect(outside!.requestId).toBeUndefined();
  });
});
