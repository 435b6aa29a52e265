import { createHash } from "node:crypto";

/*
 * The GCRA step run atomically by Redis. The state of a key lives in its expiry and its
 * value, both kept by the Redis server's clock, so instances with skewed clocks agree and
 * the script needs no TIME call: the key expires at E, the first whole millisecond at or
 * after the theoretical arrival time (TAT), and its value is how many 1/limit ms the TAT
 * falls short of E. The debt in 1/limit ms (see internal/gcra.ts) is then
 *   d = PTTL * limit - value,
 * and the key vanishes exactly when the bucket is full again. The script returns d as it
 * was before this request; the client derives the decision from d with the same integer
 * formula (internal/gcra.ts `decide`), so Redis does as little arithmetic as possible.
 * Integer division uses math.fmod, exact for whole doubles, where Lua's % is not.
 *
 * The client sends the policy reduced by gcd(limit, periodMs) (internal/gcra.ts `reduce`):
 * when the reduced limit is 1 the value is always 0 and the script skips the GET.
 *
 * KEYS[1] key; ARGV: limit, burst * periodMs, cost * periodMs (of the reduced policy).
 */
export const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local add = tonumber(ARGV[3])
local d = 0
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  d = ttl * limit
  if limit > 1 then d = d - (tonumber(redis.call('GET', KEYS[1])) or 0) end
end
local nd = d + add
if add > 0 and nd <= tonumber(ARGV[2]) then
  if limit == 1 then
    if ttl > 0 then redis.call('PEXPIRE', KEYS[1], nd) else redis.call('SET', KEYS[1], '0', 'PX', nd) end
  else
    local up = nd + limit - 1
    local ahead = (up - math.fmod(up, limit)) / limit
    redis.call('SET', KEYS[1], ahead * limit - nd, 'PX', ahead)
  end
end
return d
`;

/** SHA-1 of {@link GCRA_LUA}, for EVALSHA. */
export const GCRA_SHA: string = createHash("sha1").update(GCRA_LUA).digest("hex");
