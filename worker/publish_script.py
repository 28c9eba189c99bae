"""The publish-once Lua script that ``Delivery`` runs for every terminal event."""

from typing import Final

# The terminal event of one revision of an article, written atomically and at most once:
# the done marker (kind, revision and Stream entry id), the stored document (results only
# with ``store_results``), the Stream entry, the pub/sub message, the status field and this
# second's count. A duplicate or redelivered task of the
# same or an older revision finds the marker and writes nothing. With ARGV[9] = '1' (replicas
# to wait for, worker/replication.py) the channel message waits for ``Replicas.announce``.
# ARGV[11..] are (stage, 'done:<ms>') pairs and KEYS[8..] their seconds' throughput counts: the
# status marks of the stages that ran in the publishing task, written in the same round trip
# (before the check: the stages ran, even when their result was published already).
# KEYS[6] and KEYS[7] are the in-flight set and the article's kept input (worker/inflight.py),
# ARGV[10] the article id: the article leaves them once this revision or a later one has ended.
PUBLISH_ONCE: Final = """
for i = 11, #ARGV, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  local bucket = KEYS[8 + (i - 11) / 2]
  redis.call('INCR', bucket)
  redis.call('EXPIRE', bucket, 120)
end
if #ARGV >= 11 then
  redis.call('EXPIRE', KEYS[4], ARGV[3])
end
local kept = redis.call('HGET', KEYS[7], 'revision')
if not kept or tonumber(kept) <= tonumber(ARGV[6]) then
  redis.call('ZREM', KEYS[6], ARGV[10])
  redis.call('DEL', KEYS[7])
end
local current = redis.call('HGET', KEYS[1], 'revision')
if current and tonumber(current) >= tonumber(ARGV[6]) then
  if ARGV[9] == '1' then
    redis.call('HSET', KEYS[1], 'revision', current)  -- a write, so the WAIT after it covers the marker
  end
  return false
end
if ARGV[8] == '1' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
end
local entry = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', ARGV[5], ARGV[2])
redis.call('HSET', KEYS[1], 'kind', ARGV[5], 'revision', ARGV[6], 'entry', entry)
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[9] == '1' then
  redis.call('HDEL', KEYS[1], 'announced')  -- announced after the replicas confirm
else
  redis.call('PUBLISH', ARGV[1], ARGV[2])
end
redis.call('HSET', KEYS[4], 'publish', ARGV[7], 'revision', ARGV[6])
redis.call('EXPIRE', KEYS[4], ARGV[3])
redis.call('INCR', KEYS[5])
redis.call('EXPIRE', KEYS[5], 120)
return entry
"""
