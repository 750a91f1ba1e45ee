-- wrk script for bench/intake.sh: POSTs a JSON body of BENCH_BODY_BYTES with a unique Idempotency-Key per request,
-- spread round-robin over BENCH_PARTNERS partners (each request names its partner in the path and sends its key).
-- Environment:
--   BENCH_PARTNERS=1        partners bench-1 .. bench-N: path /webhooks/bench-<i>/order-created, X-API-Key bench-key-<i>
--                           (the keys whose SHA-256 intake.sh writes into the generated connector files)
--   BENCH_BODY_BYTES=1024   body size in bytes (exactly; at least 256)
--   BENCH_RUN_ID            prefix that keeps keys unique across wrk invocations
-- Prints one machine-readable line at the end: "WRK_RESULT key=value ...", latencies in microseconds.

local partners = tonumber(os.getenv("BENCH_PARTNERS") or "1")
local body_bytes = tonumber(os.getenv("BENCH_BODY_BYTES") or "1024")
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())

-- Exactly body_bytes of JSON: a small order padded with a string field.
local head = '{"orderId":"bench-order","customer":{"id":"c-42","email":"buyer@example.com"},'
        .. '"items":[{"sku":"SKU-1","qty":2,"price":"19.90"}],"pad":"'
local tail = '"}'
assert(body_bytes >= #head + #tail, "BENCH_BODY_BYTES is too small")
local body = head .. string.rep("x", body_bytes - #head - #tail) .. tail
assert(#body == body_bytes, "body is " .. #body .. " bytes")

-- The paths and keys, built once; request() only picks one.
local paths, keys = {}, {}
for i = 1, partners do
  paths[i] = "/webhooks/bench-" .. i .. "/order-created"
  keys[i] = "bench-key-" .. i
end

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
  local p = (counter % partners) + 1
  return wrk.format("POST", paths[p], {
    ["Content-Type"] = "application/json",
    ["X-API-Key"] = keys[p],
    ["Idempotency-Key"] = prefix .. counter,
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d body_bytes=%d partners=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout, #body, partners))
end
