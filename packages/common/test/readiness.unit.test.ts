import { readiness, type ReadinessCheck } from '../src/server/health.js';

const ok = (name: string, optional = false): ReadinessCheck => ({ name, optional, check: async () => undefined });
const down = (name: string, optional = false): ReadinessCheck => ({
  name,
  optional,
  check: async () => {
    throw new Error('connection refused');
  },
});

describe('/ready', () => {
  it('is ready when every check answers', async () => {
    expect(await readiness([ok('postgres'), ok('redis', true)])).toEqual({
      status: 'ready',
      checks: { postgres: 'ok', redis: 'ok' },
    });
  });

  it('is degraded, naming the check, when only an optional dependency is away', async () => {
    expect(await readiness([ok('postgres'), down('redis', true), ok('events', true)])).toEqual({
      status: 'degraded',
      checks: { postgres: 'ok', redis: 'connection refused', events: 'ok' },
    });
  });

  it('is degraded when a dependency answers that it is degraded itself', async () => {
    const subgraph: ReadinessCheck = { name: 'sql-subgraph', check: async () => ({ degraded: 'redis: down' }) };
    expect(await readiness([subgraph])).toEqual({
      status: 'degraded',
      checks: { 'sql-subgraph': 'degraded: redis: down' },
    });
  });

  it('is unavailable when a store it cannot serve without is away, whatever else is', async () => {
    expect((await readiness([down('postgres'), down('redis', true)])).status).toBe('unavailable');
  });
});
