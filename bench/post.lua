-- wrk script for every scenario of bench/run.sh: POST a form body with an
-- Authorization header, count non-2xx answers as errors (wrk's own count covers
-- only status > 399), print one machine-readable RESULT line:
--   RESULT req/s p50_ms p99_ms errors codes_taken codes_short requests
--
-- BENCH_BODY     the form body (with BENCH_CODES: its prefix, the code is appended)
-- BENCH_AUTH     the Authorization header value
-- BENCH_CODES    optional: a file of authorization codes, one a line; thread i of
--                BENCH_THREADS takes lines i, i + n, i + 2n, … so no code is sent
--                twice. A thread that has used up its codes sends "exhausted",
--                which the server refuses (counted as errors and as `short`).
-- BENCH_THREADS  wrk's -t, needed with BENCH_CODES

wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  bad, taken, short = 0, 0, 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

local codes_file = os.getenv("BENCH_CODES")
if codes_file and codes_file ~= "" then
  local codes, prefix

  function init(args)
    bad, taken, short = 0, 0, 0
    prefix = wrk.body
    codes = {}
    local n, i = tonumber(os.getenv("BENCH_THREADS")), 0
    for line in io.lines(codes_file) do
      if i % n == id - 1 then
        codes[#codes + 1] = line
      end
      i = i + 1
    end
  end

  function request()
    taken = taken + 1
    local code = codes[taken]
    if not code then
      short = short + 1
      code = "exhausted"
    end
    return wrk.format(nil, nil, nil, prefix .. code)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors, taken_all, short_all = e.connect + e.read + e.write + e.timeout, 0, 0
  for _, t in ipairs(threads) do
    errors = errors + t:get("bad")
    taken_all = taken_all + t:get("taken")
    short_all = short_all + t:get("short")
  end
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors, taken_all, short_all, summary.requests))
end
