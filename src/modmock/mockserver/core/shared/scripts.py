"""The Lua scripts of the shared store: each decision that must be exact across processes is
one script, so Redis runs it whole before any other process's command. Times come from the
caller (wall time for windows and leases), never from Redis's own clock."""

# A request under a QPS window (a sorted set of request times in the last second).
# KEYS: window. ARGV: now, qps, member. 1 when it is within the limit (and counted), else 0.
RATE = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1.0)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 2000)
return 1
"""

# One place of a concurrency limit, held as a lease (a crashed process's lease ends by itself).
# KEYS: places. ARGV: now, limit, lease, lease expiry. 1 when taken, else 0.
HOLD = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil((tonumber(ARGV[4]) - now) * 1000) + 1000)
return 1
"""

# One use of a rule or fault with ``times``. KEYS: uses left (hash), specs (hash), meta.
# ARGV: id. The uses left after this one (0: it was the last, and it is gone), or -1 when none
# was left (another process took the last one, or it was removed).
SPEND = """
local left = redis.call('HGET', KEYS[1], ARGV[1])
if not left then return -1 end
left = tonumber(left) - 1
if left <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[3], 'config', 1)
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], left)
return left
"""

# Add a rule or fault. KEYS: id counter, specs, uses left, meta. ARGV: spec (JSON), uses ('' for
# unlimited), the generation it is for ('': any). The new id, or -1 when a reset has replaced
# that generation.
ADD = """
if ARGV[3] ~= '' and (redis.call('HGET', KEYS[4], 'generation') or '0') ~= ARGV[3] then return -1 end
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], id, ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], id, ARGV[2]) end
redis.call('HINCRBY', KEYS[4], 'config', 1)
return id
"""

# Remove one rule or fault (ARGV[1]) or all (ARGV[1] == ''). KEYS: specs, uses left, meta.
# How many were removed.
REMOVE = """
local removed
if ARGV[1] == '' then
  removed = redis.call('HLEN', KEYS[1])
  redis.call('DEL', KEYS[1], KEYS[2])
else
  removed = redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
if removed > 0 then redis.call('HINCRBY', KEYS[3], 'config', 1) end
return removed
"""

# The oldest queued answer for a vendor and endpoint. KEYS: queue, meta. ARGV: vendor, endpoint,
# targeted ('1': only answers naming the endpoint). The answer (JSON), or false.
TAKE_ANSWER = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for _, item in ipairs(items) do
  local answer = cjson.decode(item)
  local vendor, endpoint = answer['vendor'], answer['endpoint']
  if (vendor == cjson.null or vendor == ARGV[1]) and
     (endpoint == ARGV[2] or (ARGV[3] ~= '1' and endpoint == cjson.null)) then
    redis.call('LREM', KEYS[1], 1, item)
    redis.call('HINCRBY', KEYS[2], 'config', 1)
    return item
  end
end
return false
"""

# Journal one request. KEYS: id counter, journal, invalid list, totals. ARGV: entry (JSON), valid
# ('1'/'0'), capacity, invalid capacity, disconnected ('1'/'0'), internal error ('1'/'0').
# The entry's id (the order every process reads the journal in).
RECORD = """
local id = redis.call('INCR', KEYS[1])
local sid = id .. '-1'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], sid, 'e', ARGV[1])
redis.call('HINCRBY', KEYS[4], 'requests', 1)
if ARGV[2] == '0' then
  redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[4], sid, 'e', ARGV[1])
  redis.call('HINCRBY', KEYS[4], 'invalid', 1)
end
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[4], 'disconnected', 1) end
if ARGV[6] == '1' then redis.call('HINCRBY', KEYS[4], 'internal_errors', 1) end
return id
"""

# Move the shared mock clock forward to at least ARGV[1] (never back). KEYS: meta. The clock's
# start value after the move (mock time at the shared wall-time origin).
JUMP = """
local mock0 = tonumber(redis.call('HGET', KEYS[1], 'clock_mock0'))
local wanted = tonumber(ARGV[1])
if mock0 == nil or wanted > mock0 then
  redis.call('HSET', KEYS[1], 'clock_mock0', ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'clock', 1)
  return ARGV[1]
end
return tostring(mock0)
"""

# One write of a process's work, applied whole and once (see :mod:`.commit`). KEYS: meta, this
# process's last applied batch, then for tasks and deliveries (kind 0 and 1) the records, their
# versions and their change stream, then timers, claimed, due times, payloads, then the hashes
# counts are added to. ARGV: worker, batch number, run, generation, change entries kept, then ops:
#   r kind id seen ended blob   a record written ('1': it has ended)
#   x kind id seen              a record forgotten
#   a member due payload        a timer added           c member   a timer cancelled
#   l member                    a claim given back (its timer ran)
#   q member                    a claim given back unrun (the timer falls due again)
#   n key-index field by        a count added
# A record's version is the batch that wrote it last ('worker:number'); ``seen`` is the one the
# writer last read or wrote ('' for none). Every op is checked before anything is written. A
# batch numbered at or below the last one applied was applied already: {'dup'}. One made in
# another generation or run (a reset this process had not seen yet) only gives claims back and
# adds its counts: {'stale'}. Else {'ok', 'kind:id', ...}: the records refused, because each
# ended (or was forgotten) in a version the writer had not seen; any other record is written.
COMMIT = """
local sizes = {r = 6, x = 4, a = 4, c = 2, l = 2, q = 2, n = 4}
local i = 6
while i <= #ARGV do
  local op = ARGV[i]
  local size = sizes[op]
  local ok = size ~= nil and i + size - 1 <= #ARGV
  if ok and (op == 'r' or op == 'x') then ok = ARGV[i + 1] == '0' or ARGV[i + 1] == '1' end
  if ok and op == 'a' then ok = tonumber(ARGV[i + 2]) ~= nil end
  if ok and op == 'n' then
    local key = tonumber(ARGV[i + 1])
    ok = key ~= nil and key > 12 and key <= #KEYS and string.match(ARGV[i + 3], '^-?%d+$') ~= nil
  end
  if not ok then
    return redis.error_reply('commit: malformed op ' .. tostring(op) .. ' at argument ' .. i)
  end
  i = i + size
end
if tonumber(ARGV[2]) <= tonumber(redis.call('GET', KEYS[2]) or '0') then return {'dup'} end
redis.call('SET', KEYS[2], ARGV[2], 'EX', 86400)
local meta = redis.call('HMGET', KEYS[1], 'run', 'generation')
local current = meta[1] == ARGV[3] and (meta[2] or '0') == ARGV[4]
local version = ARGV[1] .. ':' .. ARGV[2]
local out = {current and 'ok' or 'stale'}
i = 6
while i <= #ARGV do
  local op = ARGV[i]
  if (op == 'r' or op == 'x') and current then
    local k = tonumber(ARGV[i + 1])
    local records, versions, changes = KEYS[3 + 3 * k], KEYS[4 + 3 * k], KEYS[5 + 3 * k]
    local id, seen = ARGV[i + 2], ARGV[i + 3]
    local stored = redis.call('HGET', versions, id)
    local last, ended = '', seen ~= ''
    if stored then
      last = string.sub(stored, 1, -3)
      ended = string.sub(stored, -1) == '1'
    end
    if last == seen or (op == 'r' and not ended) then
      if op == 'r' then
        redis.call('HSET', records, id, ARGV[i + 5])
        redis.call('HSET', versions, id, version .. '|' .. ARGV[i + 4])
      else
        redis.call('HDEL', records, id)
        redis.call('HDEL', versions, id)
      end
      redis.call('XADD', changes, 'MAXLEN', '~', ARGV[5], '*', 'id', id, 'by', ARGV[1])
    else
      table.insert(out, k .. ':' .. id)
    end
  elseif op == 'a' and current then
    redis.call('ZADD', KEYS[9], ARGV[i + 2], ARGV[i + 1])
    redis.call('HSET', KEYS[11], ARGV[i + 1], ARGV[i + 2])
    redis.call('HSET', KEYS[12], ARGV[i + 1], ARGV[i + 3])
  elseif op == 'c' and current then
    redis.call('ZREM', KEYS[9], ARGV[i + 1])
    redis.call('HDEL', KEYS[11], ARGV[i + 1])
    redis.call('HDEL', KEYS[12], ARGV[i + 1])
  elseif op == 'l' then
    redis.call('ZREM', KEYS[10], ARGV[i + 1])
    redis.call('HDEL', KEYS[11], ARGV[i + 1])
    redis.call('HDEL', KEYS[12], ARGV[i + 1])
  elseif op == 'q' then
    local due = redis.call('HGET', KEYS[11], ARGV[i + 1])
    if redis.call('ZREM', KEYS[10], ARGV[i + 1]) == 1 and due then
      redis.call('ZADD', KEYS[9], due, ARGV[i + 1])
    end
  elseif op == 'n' then
    redis.call('HINCRBY', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3])
  end
  i = i + sizes[op]
end
return out
"""
