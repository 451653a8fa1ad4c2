import { verifiedTokens } from '../src/plugins/verified-tokens.js';

/**
 * Tokens remembered for the early answer of response-cache hits are recalled
 * only while the verifier would still accept them: before `exp` (plus the
 * clock skew), from `nbf` (less the skew), and for at most a minute.
 */
describe('verified tokens', () => {
  const start = 1_800_000_000_000;
  const seconds = start / 1000;
  let now = start;
  const clock = () => now;
  beforeEach(() => (now = start));

  it('recalls a token until its exp, with the clock skew the verifier allows', () => {
    const tokens = verifiedTokens(5, clock);
    tokens.remember('Bearer a', { sub: 'a', exp: seconds + 10 });
    expect(tokens.recall('Bearer a')).toEqual({ sub: 'a', exp: seconds + 10 });
    now = start + 14_999;
    expect(tokens.recall('Bearer a')).toBeDefined();
    now = start + 15_000;
    expect(tokens.recall('Bearer a')).toBeUndefined();
    now = start;
    expect(tokens.recall('Bearer a')).toBeUndefined();
  });

  it('does not recall a token before its nbf, nor one without exp, nor an unknown one', () => {
    const tokens = verifiedTokens(0, clock);
    tokens.remember('Bearer early', { exp: seconds + 60, nbf: seconds + 1 });
    tokens.remember('Bearer endless', { sub: 'x' });
    expect(tokens.recall('Bearer early')).toBeUndefined();
    expect(tokens.recall('Bearer endless')).toBeUndefined();
    expect(tokens.recall('Bearer never-seen')).toBeUndefined();
  });

  it('trusts a verification for a minute at most, however long the token lives', () => {
    const tokens = verifiedTokens(0, clock);
    tokens.remember('Bearer long', { exp: seconds + 3600 });
    now = start + 59_999;
    expect(tokens.recall('Bearer long')).toBeDefined();
    now = start + 60_000;
    expect(tokens.recall('Bearer long')).toBeUndefined();
  });
});
