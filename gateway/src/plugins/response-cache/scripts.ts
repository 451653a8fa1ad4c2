/**
 * The response store's two Lua scripts (`redis-store.ts`). Each runs
 * atomically in Redis, which is what makes the freshness check hold: nothing
 * can invalidate between the check and the write.
 */

/**
 * Stores one answer unless one of its stamps was set after its execution began.
 * KEYS: the response key, then the stamps to check (ARGV[5] of them), then the sets to join.
 * ARGV: the answer (JSON), its TTL in ms, the counter value read when execution began, the response id,
 * the number of stamps.
 * Returns 1 when stored, 0 when refused.
 */
export const STORE_SCRIPT = `
local started = tonumber(ARGV[3])
local stamps = tonumber(ARGV[5])
for i = 2, stamps + 1 do
  local stamp = tonumber(redis.call('GET', KEYS[i]) or '0')
  if stamp > started then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = stamps + 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  -- A new set gets this response's lifetime; an existing one only ever lengthens (Redis 7).
  redis.call('PEXPIRE', KEYS[i], ARGV[2], 'NX')
  redis.call('PEXPIRE', KEYS[i], ARGV[2], 'GT')
end
return 1
`;

/**
 * Drops every response in the sets, and sets every stamp to a new counter value.
 * KEYS: the counter, then the sets (ARGV[3] of them), then the stamps.
 * ARGV: how long stamps are kept (ms), the response key prefix, the number of sets.
 */
export const INVALIDATE_SCRIPT = `
local now = redis.call('INCR', KEYS[1])
local sets = tonumber(ARGV[3])
for i = 2, sets + 1 do
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    redis.call('DEL', ARGV[2] .. id)
  end
  redis.call('DEL', KEYS[i])
end
for i = sets + 2, #KEYS do
  redis.call('SET', KEYS[i], now, 'PX', ARGV[1])
end
return now
`;
