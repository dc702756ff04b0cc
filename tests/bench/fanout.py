"""Benchmark of `hats run` (the fan-out), with the peers timed in the same run.

Started by tests/bench/run.sh after bench.py (release build, moto, a private
Secret Service). Sets up an organization inventory of 500 accounts and one of
5,000 (3 roles each; `--role ReadOnly` selects one target per account), caches
every ReadOnly session once, then measures:
- `hats run --role ReadOnly --all -j 8 -- true` over 500 cached targets, against
  a sequential shell loop of `hats exec T -- true` (goal: at least 6x faster)
  and against awsrun (PyPI, pinned in tests/bench/requirements-fanout.txt, in
  its own venv) running the same trivial command with each account's
  credentials (goal: faster);
- the cost per target beyond a cached hand-out (`-j 1`, per target, against one
  whole `hats exec T -- true` process);
- -j from 1 to 32 with `true`, with a command that waits 200 ms (as a network
  call does) and with the AWS CLI (`aws sts get-caller-identity`): the data the
  default -j is chosen from;
- peak memory at 5,000 targets (first run, sessions made; second run, cached).
Prints a table. Never asserts a time inside the test suite; exits 1 when a goal
is missed.
"""

import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the shared setup: moto, keyring, inventories, timers)

REPO = bench.REPO
HATS = bench.HATS
AWSRUN_VENV = os.path.join(REPO, ".venv-awsrun", "bin")
RUNS = int(os.environ.get("HATS_BENCH_FANOUT_RUNS", "7"))

# An awsrun command equivalent to `hats run -- true`: per account, start `true`
# with that account's credentials in its environment.
AWSRUN_TRUE = '''
import os, subprocess
from awsrun.runner import Command

class CLICommand(Command):
    """Run true with the account's credentials in its environment."""

    def execute(self, session, acct):
        c = session.get_credentials()
        env = dict(os.environ, AWS_ACCESS_KEY_ID=c.access_key, AWS_SECRET_ACCESS_KEY=c.secret_key,
                   AWS_SESSION_TOKEN=c.token or "")
        return subprocess.run(["true"], env=env).returncode
'''


class FanoutBed(bench.Bed):
    """moto + Secret Service + two organization homes (500 and 5,000 accounts)."""

    def __init__(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="hats-fanout.")
        self.procs = []
        port = bench.free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.spawn([f"{bench.VENV}/moto_server", "-H", "127.0.0.1", "-p", str(port)], "moto.log")
        bench.wait_for(lambda: bench.port_open(port), "moto")
        self.home = os.path.join(self.dir, "h500")
        bench.write_big_inventory(self.home, accounts=500)
        self.bus = self.start_keyring()
        self.home5000 = os.path.join(self.dir, "h5000")
        bench.write_big_inventory(self.home5000, accounts=5000)


def timed(argv, env, runs=RUNS, shell=False, fatal=True):
    """Median wall seconds of `argv`, which must succeed (else the bench ends;
    with `fatal=False`, None is returned and the failure printed)."""
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - start)
        if done.returncode != 0:
            message = f"bench: {argv if not shell else argv[:80]} failed: {done.stderr.decode()[-2000:]}"
            if fatal:
                sys.exit(message)
            print(message, file=sys.stderr)
            return None
    return statistics.median(walls)


def run_argv(j, command, select=("--all",)):
    return [HATS, "run", *select, "--role", "ReadOnly", "--yes", "-j", str(j), "--", *command]


def awsrun_seconds(bed, env):
    """awsrun over the same 500 accounts, or None when it cannot be installed."""
    if not os.path.exists(f"{AWSRUN_VENV}/awsrun"):
        requirements = os.path.join(REPO, "tests", "bench", "requirements-fanout.txt")
        made = subprocess.run([sys.executable, "-m", "venv", os.path.dirname(AWSRUN_VENV)]).returncode == 0
        if not made or subprocess.run([f"{AWSRUN_VENV}/pip", "install", "-q", "--disable-pip-version-check",
                                       "-r", requirements]).returncode != 0:
            print("bench: awsrun could not be installed; its line is left out", file=sys.stderr)
            return None
    commands = os.path.join(bed.dir, "awsrun-commands")
    os.makedirs(commands, exist_ok=True)
    with open(os.path.join(commands, "true_cmd.py"), "w") as f:
        f.write(AWSRUN_TRUE)
    with open(os.path.join(bed.home, ".awsrun.yaml"), "w") as f:
        f.write("Credentials:\n  plugin: awsrun.plugins.creds.aws.ProfileCrossAccount\n"
                "  options:\n    x_acct:\n      base: org\n      role: ReadOnly\n")
    accounts = os.path.join(bed.dir, "accounts.txt")
    with open(accounts, "w") as f:
        f.write("".join(f"{100000000000 + i}\n" for i in range(500)))
    argv = [f"{AWSRUN_VENV}/awsrun", "--force", "--threads", "8", "--account-file", accounts,
            "--cmd-path", commands, "true_cmd"]
    return timed(argv, env, runs=3, fatal=False)


def main():
    bed = FanoutBed()
    rows, status = [], 0
    try:
        env = bed.env()
        print("bench: caching 500 sessions...", file=sys.stderr)
        timed(run_argv(8, ["true"]), env, runs=1)
        names = [f"team-{i:04d}-{bench.OUS[i % 5].lower()}/ReadOnly" for i in range(500)]
        fan = timed(run_argv(8, ["true"]), env)
        loop_script = " ".join(f"'{n}'" for n in names)
        loop = timed(f'for t in {loop_script}; do "{HATS}" exec "$t" -- true; done', env, runs=3, shell=True)
        rows.append(("hats run -j 8 -- true, 500 cached targets", f"{fan * 1000:.0f} ms", ""))
        ratio = loop / fan
        ok = ratio >= 6
        status |= 0 if ok else 1
        rows.append(("sequential loop of hats exec T -- true, 500", f"{loop * 1000:.0f} ms",
                     f"hats run {ratio:.1f}x faster (goal >= 6x) {'ok' if ok else 'MISSED'}"))
        awsrun = awsrun_seconds(bed, env)
        if awsrun is not None:
            ok = awsrun > fan
            status |= 0 if ok else 1
            rows.append(("awsrun --threads 8 (true per account, same credentials), 500", f"{awsrun * 1000:.0f} ms",
                         f"hats run {awsrun / fan:.1f}x faster (goal: faster) {'ok' if ok else 'MISSED'}"))
        per_target(rows, env, names[0])
        sweep(rows, env)
        memory(rows, bed)
    finally:
        bed.close()
    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'median':>10}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    return status


def per_target(rows, env, one):
    j1 = timed(run_argv(1, ["true"]), env)
    exec_one = bench.hyperfine("hats exec one -- true", [HATS, "exec", one, "--", "true"], env, runs=30)
    per = j1 * 1000 / 500
    rows.append(("hats run -j 1 -- true, per target", f"{per:.2f} ms",
                 f"one whole `hats exec T -- true` process: {exec_one:.2f} ms; "
                 f"beyond it: {per - exec_one:+.2f} ms"))


def sweep(rows, env):
    """-j against three kinds of command: the data the default is chosen from."""
    aws = os.path.join(bench.VENV, "aws")
    kinds = [
        ("true, 500 targets", ["true"], ["--all"], [1, 2, 4, 8, 16, 32]),
        ("sleep 0.2 (a network wait), 60 targets", ["sleep", "0.2"], ["team-00[0-5]*"], [1, 4, 8, 16, 32]),
        ("aws sts get-caller-identity, 30 targets", [aws, "sts", "get-caller-identity"], ["team-00[0-2]*"],
         [1, 2, 4, 8, 16, 32]),
    ]
    for label, command, select, values in kinds:
        times = {j: timed(run_argv(j, command, select), env, runs=max(1, RUNS // 3)) for j in values}
        line = ", ".join(f"-j {j}: {t:.2f} s" for j, t in times.items())
        rows.append((f"-j sweep: {label}", "", line))


def memory(rows, bed):
    env = bed.env(home=bed.home5000)
    for label in ("first run, 5,000 sessions made", "second run, 5,000 cached"):
        argv = ["/usr/bin/time", "-f", "%M", *run_argv(8, ["true"])]
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"bench: 5,000 targets failed: {done.stderr[-2000:]}")
        mib = int(done.stderr.strip().splitlines()[-1]) / 1024
        rows.append((f"peak memory, hats run -- true, 5,000 targets ({label})", f"{mib:.1f} MiB",
                     f"wall {wall:.1f} s"))


if __name__ == "__main__":
    if shutil.which("hyperfine") is None:
        sys.exit("bench: hyperfine is missing (tests/bench/run.sh installs it)")
    sys.exit(main())
