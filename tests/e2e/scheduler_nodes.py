#!/usr/bin/python3
"""The scheduler end to end with the real binary (issue 5).

1. SQLite: one `xinjian serve` node runs; a second one on the same file is refused politely.
2. PostgreSQL (XINJIAN_TEST_PG_URL, set by ./xj test): three `xinjian serve` processes share
   a few hundred jobs firing every (simulated) minute; one is killed with kill -9 while its
   handlers run. Afterwards: every scheduled minute of every job has exactly one run row and
   it succeeded, no run's effect happened twice (test.record writes one event per run key
   and counts would show a second execution), the killed node's runs were recovered after
   their lease (attempt 2, with the reason in the history), and none is lost.
3. Downtime: everything stopped for three scheduled hours; on restart each misfire policy
   does what it says (fire_once_now: one run, the others missed; skip: all skipped;
   catch_up_all: all three run).

A simulated clock (XINJIAN_TEST_CLOCK=SIM_START_US,REAL_START_US,SPEED) shared by every
process makes a minute pass in a second of real time.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

CLI = os.environ.get("XJ_CLI") or sys.argv[1]
tmp = tempfile.mkdtemp(prefix="xj-sched-")
PG = os.environ.get("XINJIAN_TEST_PG_URL", "")
MINUTE = 60_000_000
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def run(args, env=None, ok=True):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if ok and p.returncode != 0:
        raise SystemExit(f"xinjian {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def clock_env(sim_start_us, speed):
    return {"XINJIAN_TEST_CLOCK": f"{sim_start_us},{int(time.time() * 1e6)},{speed}"}


LOGS = []


def serve(db, env, extra=(), name="node"):
    log = open(os.path.join(tmp, f"{name}-{len(LOGS)}.log"), "w")
    LOGS.append(log.name)
    return subprocess.Popen([CLI, "--db", db, "serve", "--workers", "4", *extra], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=log, text=True)


def history(db, job=""):
    args = ["--db", db, "jobs", "history"] + ([job] if job else []) + ["--limit", "0", "--json"]
    return json.loads(run(args).stdout)


def effects(db):
    out = run(["--db", db, "events", "list", "--topic", "scheduler.test.effect", "--limit", "100000", "--json"]).stdout
    counts = {}
    for e in json.loads(out):
        if e.get("topic") == "scheduler.test.effect":
            counts[e["key"]] = counts.get(e["key"], 0) + 1
    return counts


def fresh_pg():
    name = "xjs_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", PG, "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    return PG[: PG.rfind("/") + 1] + name


# A fixed simulated start: 2026-03-02 00:00:30 +08:00 (a Monday), half a minute before a fire.
SIM0 = 1772380830 * 1_000_000


# --- 1. SQLite: one node ------------------------------------------------------------------
db = f"sqlite:{tmp}/one.db"
run(["--db", db, "init"])
env = clock_env(SIM0, 60)
run(["--db", db, "jobs", "add", "tick", "--schedule", "* * * * *", "--handler", "test.record"], env=env)
a = serve(db, env)


def wait_until(cond, seconds=120):
    """Polls cond until it holds or `seconds` pass: a bound for a slow machine, not a timing assertion."""
    deadline = time.time() + seconds
    while not cond() and time.time() < deadline:
        time.sleep(0.2)
    return cond()


# The first node is up once it has run the job (its first fire is half a simulated minute away).
wait_until(lambda: any(r["state"] == "succeeded" for r in history(db, "tick")))
b = run(["--db", db, "serve", "--run-seconds", "1"], env=env, ok=False)
check(b.returncode != 0 and "SQLite" in b.stderr and "PostgreSQL" in b.stderr,
      f"a second SQLite node is refused politely (exit {b.returncode}: {b.stderr.strip()[:200]})")
wait_until(lambda: len([r for r in history(db, "tick") if r["state"] == "succeeded"]) >= 3)
a.send_signal(signal.SIGTERM)
a.wait(timeout=30)
h = [r for r in history(db, "tick") if r["state"] == "succeeded"]
check(len(h) >= 3, f"the SQLite node ran the job every simulated minute ({len(h)} runs)")
check(all(c == 1 for c in effects(db).values()), "each SQLite run had its effect once")

if not PG:
    print("PostgreSQL not available (XINJIAN_TEST_PG_URL unset): the multi-node part needs ./xj test")
    sys.exit(1 if failures else 0)

# --- 2. PostgreSQL: three nodes, one killed ------------------------------------------------
db = fresh_pg()
run(["--db", db, "init"])
JOBS = 300
SPEED = 20  # a simulated minute lasts 3 real seconds
# The jobs are added on a frozen clock at SIM0 (adding 300 takes a while).
frozen = clock_env(SIM0, 0.000001)
for i in range(JOBS):
    # Every tenth job is slow (250 ms), so that at any fire some handlers are mid-run.
    payload = json.dumps({"sleep_ms": 250 if i % 10 == 0 else 0})
    run(["--db", db, "jobs", "add", f"j{i:03d}", "--schedule", "* * * * *", "--handler", "test.record", "--payload", payload],
        env=frozen)
env = clock_env(SIM0, SPEED)
t0 = time.time()
nodes = [serve(db, env, name=f"pg-node{k}") for k in range(3)]


def at_sim_second(minute, second):
    """Sleeps until simulated 00:MM:SS (the first fire is at 00:01:00)."""
    target = t0 + ((minute * 60 + second) - 30) / SPEED
    time.sleep(max(0.0, target - time.time()))


# Killed 0.1 real seconds after the fire of 00:04, while the slow handlers sleep.
at_sim_second(4, 2)
nodes[0].send_signal(signal.SIGKILL)
nodes[0].wait()
# Leases (scaled with the clock: 60 simulated seconds) expire; the survivors recover the runs.
# Stopped mid-minute, when every handler is done.
at_sim_second(9, 30)
# On a slow machine the survivors may still be working off the fires up to 00:08: wait for them.
LAST_CHECKED = SIM0 + 450 * 1_000_000
wait_until(lambda: not [r for r in history(db) if r["job"].startswith("j") and r["scheduled_us"] <= LAST_CHECKED
                        and r["state"] in ("due", "running")])
for n in nodes[1:]:
    n.send_signal(signal.SIGTERM)
for n in nodes[1:]:
    n.wait(timeout=60)

# The test's own jobs (the built-in ones, added by the first node, are not part of it).
runs = [r for r in history(db) if r["job"].startswith("j")]
by_key = {}
for r in runs:
    by_key.setdefault((r["job"], r["scheduled_us"]), []).append(r)
check(all(len(v) == 1 for v in by_key.values()), "one row per (job, scheduled time)")
fires = sorted({k[1] for k in by_key})
check(len(fires) >= 8, f"several simulated minutes fired ({len(fires)})")
# Every job has a run at every fire time up to the last complete minute: none lost.
# Complete up to 00:08: those fires had at least 1.5 simulated minutes (4.5 real seconds) to run
# before the stop, also on a loaded machine; later ones may be cut short by the stop (given
# back as due), which is not a loss.
last = min(fires[-2] if len(fires) > 1 else fires[-1], SIM0 + 450 * 1_000_000)
lost = [(j, t) for j in (f"j{i:03d}" for i in range(JOBS)) for t in fires if t <= last and (j, t) not in by_key]
check(not lost, f"no run lost ({len(lost)} missing, e.g. {lost[:3]})")
states = {}
for v in by_key.values():
    states[v[0]["state"]] = states.get(v[0]["state"], 0) + 1
print("run states:", states, flush=True)
not_done = [k for k, v in by_key.items() if k[1] <= last and v[0]["state"] != "succeeded"]
check(not not_done, f"every run up to the last minute succeeded ({len(not_done)} did not, e.g. {not_done[:3]})")
eff = effects(db)
twice = [k for k, c in eff.items() if c > 1]
check(not twice, f"no run had its effect twice ({twice[:3]})")
succeeded_keys = {f"{k[0]}@{k[1]}" for k, v in by_key.items() if v[0]["state"] == "succeeded"}
check(succeeded_keys <= set(eff), "every succeeded run left its effect")
recovered = [v[0] for v in by_key.values() if v[0]["attempt"] >= 2]
print(f"recovered after the kill: {len(recovered)}", flush=True)
check(any("lease" in r["message"] for r in recovered) or not recovered, "recovered runs say why in the history")
node_names = {v[0]["node"] for v in by_key.values() if v[0]["node"]}
check(len(node_names) >= 2, f"several nodes shared the work ({len(node_names)})")

# --- 3. Downtime: three scheduled hours without any node ------------------------------------
db = fresh_pg()
run(["--db", db, "init"])
for policy in ("fire_once_now", "skip", "catch_up_all"):
    run(["--db", db, "jobs", "add", f"hourly-{policy}", "--schedule", "0 * * * *", "--handler", "test.record",
         "--misfire", policy], env=clock_env(SIM0, 60))
# Up for a moment at 00:00:30, down until 03:30, up again.
n = serve(db, clock_env(SIM0, 60))
time.sleep(1)
n.send_signal(signal.SIGTERM)
n.wait(timeout=30)
n = serve(db, clock_env(SIM0 + 210 * MINUTE, 60))


def downtime_settled():
    rows = [r for r in history(db) if r["job"].startswith("hourly-")]
    return len(rows) >= 9 and not [r for r in rows if r["state"] in ("due", "running")]


deadline = time.time() + 60  # a bound for a slow machine, not a timing assertion
time.sleep(1)
while not downtime_settled() and time.time() < deadline:
    time.sleep(0.5)
n.send_signal(signal.SIGTERM)
n.wait(timeout=30)
for policy, want in (("fire_once_now", {"missed": 2, "succeeded": 1}), ("skip", {"skipped": 3}),
                     ("catch_up_all", {"succeeded": 3})):
    got = {}
    for r in history(db, f"hourly-{policy}"):
        got[r["state"]] = got.get(r["state"], 0) + 1
    check(got == want, f"misfire {policy}: {got} (want {want})")

if failures:
    for name in LOGS:
        print(f"--- {name}")
        print(open(name).read()[-3000:])
print("scheduler nodes:", "FAILED" if failures else "ok", flush=True)
sys.exit(1 if failures else 0)
