#!/usr/bin/env python3
"""Times console pages as a signed-in person's browser would fetch them.

    console-pages.py HOST PORT EMAIL COUNT PATH...   (the password on standard input)

Signs in through the login form (its cookie and form token), then requests each PATH COUNT
times on one keep-alive connection, after 5 warm-up requests, and prints per page
`page=PATH p50_ms=.. p95_ms=.. max_ms=.. bytes=.. bad=..` (bad: answers other than 200
or a page without its <h1>). `{user}` in a path becomes a random user1..userN (N from the
environment's BENCH_SUBSCRIBERS) per request, so per-subscriber pages do not hit one cache.
"""
import http.client, math, os, random, re, sys, time, urllib.parse

host, port, email, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
paths = sys.argv[5:]
password = sys.stdin.readline().rstrip("\n")
subscribers = int(os.environ.get("BENCH_SUBSCRIBERS", "100"))
rng = random.Random(20260901)
conn = http.client.HTTPConnection(host, port, timeout=60)

def request(method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()

response, body = request("GET", "/console/login")
login_cookie = re.search(r"tollgate_login=([0-9a-f]+)", response.getheader("Set-Cookie") or "").group(1)
csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', body).group(1).decode()
form = urllib.parse.urlencode({"csrf": csrf, "next": "", "email": email, "password": password})
response, _ = request("POST", "/console/login", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                        "Cookie": "tollgate_login=" + login_cookie})
cookies = ";".join(v.split(";")[0] for k, v in response.getheaders() if k.lower() == "set-cookie")
session = re.search(r"tollgate_session=([0-9a-f]{64})", cookies)
if response.status != 303 or not session:
    sys.exit("sign-in failed: HTTP %d" % response.status)
headers = {"Cookie": "tollgate_session=" + session.group(1)}

def concrete(path):
    return path.replace("{user}", "user%d" % rng.randint(1, subscribers))

for path in paths:
    for _ in range(5):
        request("GET", concrete(path), headers=headers)
    times, bad, size = [], 0, 0
    for _ in range(count):
        target = concrete(path)
        t0 = time.perf_counter()
        response, body = request("GET", target, headers=headers)
        times.append(time.perf_counter() - t0)
        size = len(body)
        if response.status != 200 or b"<h1>" not in body:
            bad += 1
            if bad == 1:
                print("first bad answer for %s: HTTP %d %s" % (target, response.status, body[:200]), file=sys.stderr)
    times.sort()
    pct = lambda p: times[max(0, math.ceil(p / 100 * len(times)) - 1)] * 1000
    print("page=%s p50_ms=%.1f p95_ms=%.1f max_ms=%.1f bytes=%d bad=%d" % (path, pct(50), pct(95), times[-1] * 1000, size, bad))
