#!/usr/bin/env python3
"""One subscriber's month by day through the API, as a script would ask for it.

    usage-requests.py HOST PORT COUNT SUBSCRIBERS FROM TO   (the token in TOLLGATE_TOKEN)

COUNT sequential GET /v1/usage?user=userN&from=FROM&to=TO&by=day for random user1..userN on
one keep-alive connection after 20 warm-up requests; prints NAME=VALUE lines: p50/p90/p99/max/
mean in ms, answers other than 200 (bad_status), answers without one item per day of FROM..TO
(wrong_days; every subscriber has usage on every day).
"""
import datetime, http.client, json, math, os, random, sys, time

host, port, count, subscribers, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
headers = {"Authorization": "Bearer " + os.environ["TOLLGATE_TOKEN"]}
rng = random.Random(20260901)
conn = http.client.HTTPConnection(host, port, timeout=30)
days = (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days

def get(user):
    path = "/v1/usage?user=%s&from=%s&to=%s&by=day" % (user, start, end)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - t0, response.status, body

for _ in range(20):  # warm-up: the connection, the server's database connections
    get("user%d" % rng.randint(1, subscribers))
times, bad_status, wrong_days, statuses = [], 0, 0, {}
for _ in range(count):
    elapsed, status, body = get("user%d" % rng.randint(1, subscribers))
    times.append(elapsed)
    statuses[status] = statuses.get(status, 0) + 1
    if status != 200:
        bad_status += 1
    elif len(json.loads(body)["items"]) != days:
        wrong_days += 1
times.sort()
def pct(p):
    return times[max(0, math.ceil(p / 100 * len(times)) - 1)] * 1000
print("requests=%d" % len(times))
print("p50_ms=%.2f" % pct(50))
print("p90_ms=%.2f" % pct(90))
print("p99_ms=%.2f" % pct(99))
print("max_ms=%.2f" % (times[-1] * 1000))
print("mean_ms=%.2f" % (sum(times) / len(times) * 1000))
print("bad_status=%d" % bad_status)
print("wrong_days=%d" % wrong_days)
print("statuses=%s" % ",".join("%d:%d" % kv for kv in sorted(statuses.items())))
