-- wrk script for bench/intake.sh: POSTs a 1 KiB JSON body with a unique Idempotency-Key per request.
-- Environment: BENCH_API_KEY (X-API-Key), BENCH_RUN_ID (prefix that keeps keys unique across wrk invocations).
-- Prints one machine-readable line at the end: "WRK_RESULT key=value ...", latencies in microseconds.

local api_key = os.getenv("BENCH_API_KEY") or ""
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())

-- Exactly 1024 bytes of JSON.
local head = '{"orderId":"bench-order","customer":{"id":"c-42","email":"buyer@example.com"},'
        .. '"items":[{"sku":"SKU-1","qty":2,"price":"19.90"}],"pad":"'
local tail = '"}'
local body = head .. string.rep("x", 1024 - #head - #tail) .. tail
assert(#body == 1024, "body is " .. #body .. " bytes")

-- setup() runs in the main Lua state once per thread; thread:set() defines a global in that thread's state.
local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

thread_id = 0
local counter = 0
local prefix

function init(args)
  prefix = run_id .. "-t" .. thread_id .. "-"
end

function request()
  counter = counter + 1
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/json",
    ["X-API-Key"] = api_key,
    ["Idempotency-Key"] = prefix .. counter,
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d body_bytes=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout, #body))
end
