import { createHash } from "node:crypto";

/*
 * The GCRA step of internal/gcra.ts in Lua, run atomically by Redis with the server's clock
 * (TIME is allowed in scripts since Redis 5's effect replication), so instances with skewed
 * clocks agree. The value is "<tat ms>:<remainder in 1/limit ms>" and expires when the
 * bucket is full again. Integer division goes through math.fmod, which is exact for whole
 * doubles, where Lua's % is not.
 *
 * KEYS[1] key; ARGV: periodMs, limit, burst, cost.
 * Returns {allowed (0|1), remaining, resetMs, retryAfterMs}.
 */
export const GCRA_LUA = `
local period = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function fdiv(a, b) return (a - math.fmod(a, b)) / b end
local function cdiv(a, b) return fdiv(a + b - 1, b) end
local d = 0
local value = redis.call('GET', KEYS[1])
if value then
  local sep = string.find(value, ':', 1, true)
  d = (tonumber(string.sub(value, 1, sep - 1)) - now) * limit + tonumber(string.sub(value, sep + 1))
  if d < 0 then d = 0 end
end
local capacity = burst * period
local nd = d + cost * period
if nd <= capacity then
  if cost > 0 then
    local ahead = fdiv(nd, limit)
    redis.call('SET', KEYS[1], string.format('%d:%d', now + ahead, nd - ahead * limit), 'PX', ahead + 1)
  end
  return {1, fdiv(capacity - nd, period), cdiv(nd, limit), 0}
end
return {0, fdiv(capacity - d, period), cdiv(d, limit), cdiv(nd - capacity, limit)}
`;

/** SHA-1 of {@link GCRA_LUA}, for EVALSHA. */
export const GCRA_SHA: string = createHash("sha1").update(GCRA_LUA).digest("hex");
