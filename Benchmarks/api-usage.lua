-- wrk script for Benchmarks/api-run: GET /v1/usage for a random subscriber per request
-- (one subscriber's month by day), with a bearer token.
--
--   TOLLGATE_TOKEN=tg_... BENCH_SUBSCRIBERS=100000 wrk -t2 -c64 -d20s -s api-usage.lua http://127.0.0.1:PORT
--
-- Environment: TOLLGATE_TOKEN (billing or readonly token), BENCH_SUBSCRIBERS (users are
-- user1..userN), BENCH_FROM / BENCH_TO (tenant-local dates, default September 2026).
-- done() prints the figures as NAME=VALUE lines (latencies in microseconds) after wrk's report.

local token = os.getenv("TOLLGATE_TOKEN") or error("TOLLGATE_TOKEN is not set")
local subscribers = tonumber(os.getenv("BENCH_SUBSCRIBERS") or "") or error("BENCH_SUBSCRIBERS is not set")
local from = os.getenv("BENCH_FROM") or "2026-09-01"
local to = os.getenv("BENCH_TO") or "2026-10-01"
local headers = { ["Authorization"] = "Bearer " .. token }

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
end

function init(args)
    -- Each thread its own sequence of users.
    math.randomseed(os.time() * 1000 + (id or 0) * 7919)
end

function request()
    local user = "user" .. math.random(1, subscribers)
    return wrk.format("GET", "/v1/usage?user=" .. user .. "&from=" .. from .. "&to=" .. to .. "&by=day", headers)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("requests=%d\n", summary.requests))
    io.write(string.format("duration_us=%d\n", summary.duration))
    io.write(string.format("requests_per_second=%.0f\n", summary.requests / (summary.duration / 1e6)))
    -- wrk counts a response with a status above 399 as an error (the API sends no 1xx/3xx).
    io.write(string.format("status_errors=%d\n", e.status))
    io.write(string.format("socket_errors=%d\n", e.connect + e.read + e.write + e.timeout))
    io.write(string.format("timeouts=%d\n", e.timeout))
    for _, p in ipairs({ 50, 90, 99 }) do
        io.write(string.format("latency_p%d_us=%d\n", p, latency:percentile(p)))
    end
    io.write(string.format("latency_p99_9_us=%d\n", latency:percentile(99.9)))
    io.write(string.format("latency_max_us=%d\n", latency.max))
    io.write(string.format("latency_mean_us=%.0f\n", latency.mean))
end
