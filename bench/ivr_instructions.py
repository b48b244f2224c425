"""The phone line's work per call, counted in instructions: a figure this shared machine's load
does not move.

Run: ``python bench/ivr_instructions.py`` (needs ``valgrind``; about 10 minutes). It runs, twice
under ``valgrind --tool=callgrind``, a process that loads the demo town on SQLite and places
``ivr_bench.py``'s scripted calls one after the other in-process (the Flask test client, signed
like Twilio: greeting, code, child, a change confirmed, another operation, listen, goodbye, the
status callback), 2 calls and then 8, and prints the instructions per call: the difference of the
two counts over 6, so that the start-up and the demo's loading cancel out. The same binary, inputs
and environment give the same count whatever else the machine is doing (seen: the same total
twice, once with the other core loaded), so two versions of the code can be compared one after
the other: ``--src`` points at another checkout's ``src`` (a ``git worktree`` of an older commit),
its ``bench/ivr_bench.py`` giving the script (the app is built by this checkout's ``build_app``).
Time is not measured here (``ivr_bench.py`` does it, through a real server); this tells whether a
change made the line do more work.

``--calls N`` (without valgrind, used by the runs above) places N calls in this process and
prints each step's median time in-process, with ``--pause`` seconds before each request (a
caller's pause makes every step slower: see the README's « Benchmarks »).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
CALLS = (2, 8)  # the two runs: their difference is the work of 6 calls


def _bench_module(root: Path, name: str = "ivr_bench") -> ModuleType:
    """``ivr_bench.py`` of the checkout ``root`` (its call script and demo loading)."""
    spec = importlib.util.spec_from_file_location(name, root / "bench" / "ivr_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def place_calls(root: Path, calls: int, pause: float) -> dict[str, list[float]]:
    """``calls`` scripted calls, in this process, on a fresh SQLite demo town; each step's
    times (seconds, in-process). Raises SystemExit if a call went off script."""
    sys.path.insert(0, str(root / "src"))
    b = _bench_module(root)
    os.environ["TWILIO_AUTH_TOKEN"] = b.TOKEN
    os.environ["RESTOMAIRIE_NOW"] = b.NOW

    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    callers = b.prepare(url, "")
    base = "http://127.0.0.1:1"
    # The app built as this checkout's bench serves it (an older checkout's bench may not have
    # build_app), on the code of ``root``, first on sys.path.
    own = b if root == HERE.parent else _bench_module(HERE.parent, "ivr_bench_own")
    client = own.build_app(url, base).test_client()
    times: dict[str, list[float]] = defaultdict(list)

    class Session:
        """The bench's caller session, posting through the test client instead of HTTP."""

        def __init__(self, port: int) -> None:
            self.validator = b.RequestValidator(b.TOKEN)

        def post(self, path: str, params: dict[str, str], step: str) -> tuple[int, str, float]:
            if pause:
                time.sleep(pause)
            signature = self.validator.compute_signature(base + path, params)
            start = time.perf_counter()
            response = client.post(
                path, data=params, headers={"X-Twilio-Signature": signature}, base_url=base
            )
            seconds = time.perf_counter() - start
            times[step].append(seconds)
            return response.status_code, response.get_data(as_text=True), seconds

        def close(self) -> None:
            pass

    b.Session = Session  # type: ignore[attr-defined]
    results = b.Results()
    for i in range(calls):
        b.ivr_call(0, callers[i % len(callers)], i % 4, (0.0, 0.0), results, i)
    if results.errors:
        raise SystemExit(f"calls off script: {results.errors[:3]}")
    return times


def count(root: Path, calls: int) -> int:
    """Instructions of a process placing ``calls`` calls, under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
             sys.executable, str(Path(__file__).resolve()), "--calls", str(calls),
             "--src", str(root / "src")],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )  # fmt: skip
        found = re.search(r"Collected : (\d+)", run.stderr)
        if run.returncode != 0 or found is None:
            raise SystemExit(f"callgrind run failed ({run.returncode}):\n{run.stderr[-2000:]}")
        return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=HERE.parent / "src",
                        help="the checkout's src directory to measure (default: this one's)")
    parser.add_argument("--calls", type=int, help="place N calls in-process, print step times")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds before each request, with --calls (default 0)")
    args = parser.parse_args()
    root = args.src.resolve().parent
    if args.calls is not None:
        times = place_calls(root, args.calls, args.pause)
        for step, values in times.items():
            print(f"{step:10} {statistics.median(values) * 1000:7.2f} ms  n={len(values)}")
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (Debian: apt-get install valgrind)")
    few, many = (count(root, n) for n in CALLS)
    per_call = (many - few) / (CALLS[1] - CALLS[0])
    print(f"code measured: {root / 'src'}")
    print(f"instructions: {few:,} for {CALLS[0]} calls, {many:,} for {CALLS[1]} calls")
    print(f"per call (about 10 webhooks each, SQLite, in-process): {per_call / 1e6:.1f} million")


if __name__ == "__main__":
    main()
