-- Góp Ý benchmark driver for wrk: one method, a list of paths picked at random (e.g. many
-- tracking codes), fixed headers, and for the submit POST a body whose {key} becomes a
-- fresh idempotency key per request, so each POST makes a new submission.
-- Prints one line "BENCH_JSON {...}" with p50/p95/p99 (wrk's own --latency stops at p99).
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local paths, headers = {}, {}
for line in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^\n]+") do paths[#paths + 1] = line end
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

function init(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({}), 8), 16) % 100000)
end

local function key()
  return string.format("%08x%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function request()
  local path = paths[math.random(#paths)]
  if body then
    return wrk.format(method, path, headers, (string.gsub(body, "{key}", key())))
  end
  return wrk.format(method, path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
