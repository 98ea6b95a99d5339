-- wrk script of scripts/bench/bench_submissions.py: every request is one prepared submission of its
-- own phone — its own member token, body and a fresh Idempotency-Key.
--
--   wrk -t2 -c32 -d10s -s scripts/bench/submit.lua http://127.0.0.1:PORT -- DATA THREADS [once]
--
-- DATA holds one submission a line: "path<TAB>bearer token or -<TAB>idempotency key or -<TAB>JSON body".
-- Thread k of THREADS sends lines k+1, k+1+THREADS, …; a thread that has sent all of its lines sends
-- nothing more (with "once" its connections then wait and the thread stops after its last answer,
-- printing "THREAD_DONE"; without it, a run longer than its data sends its lines again, which the
-- status counts show). done() prints one "WRK_RESULT {json}" line.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local mine, counter, answered, once, finished = nil, 0, 0, false, false
local data, nthreads
statuses = {}

-- wrk calls init() before setup(), so a thread learns its ``tid`` only later: read the lines on the
-- first request.
function init(args)
   data, nthreads = args[1], tonumber(args[2])
   once = args[3] == "once"
   if not once then
      delay = nil -- no per-request timer when every connection keeps sending
   end
end

local function load()
   mine = {}
   local k = 0
   for line in io.lines(data) do
      if k % nthreads == tid then
         local path, token, key, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
         local headers = { ["Content-Type"] = "application/json" }
         if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
         if key ~= "-" then headers["Idempotency-Key"] = key end
         table.insert(mine, wrk.format("POST", path, headers, body))
      end
      k = k + 1
   end
end

function delay()
   if mine and counter >= #mine then
      return 3600000 -- nothing left to send: this connection waits until the thread is stopped
   end
   return 0
end

function request()
   if not mine then load() end
   counter = counter + 1
   return mine[(counter - 1) % #mine + 1]
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   answered = answered + 1
   if once and answered >= #mine and not finished then
      finished = true
      io.write("THREAD_DONE\n")
      io.stdout:flush()
      wrk.thread:stop()
   end
end

local function json_counts(counts)
   local parts = {}
   for status, n in pairs(counts) do
      table.insert(parts, string.format("%q:%d", status, n))
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         total[status] = (total[status] or 0) + n
      end
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":%s}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.timeout,
      json_counts(total)))
end
