"""Benchmark nrr as whole processes against floors, and check the targets of issues 13 and 18.

Run by hand, never as a test:  uv run python bench/run.py [--runs 15] [--sizes 1000,10000]
--skip-startup, --skip-pty, --skip-importtime, --skip-typer, --skip-scale, --skip-cold and
--skip-worst leave a section out; --quick is a smoke run (3 runs per median, 1,000 and 10,000
events, no Typer or import-time rows). --cold-runs (5) and --importtime-runs (5) set the runs
per median of those sections. A summary of the targets ends the output.

Every figure is a median over repeated runs of a fresh process, and every ratio compares two
medians measured in the same run of this script, with the runs of both sides alternated
(A, B, A, B, ...) so that a noisy machine shifts both. Output goes to /dev/null (what a script
piping nrr sees), except in the terminal rows, which run under a pseudo-terminal. Peak RSS is
the child's high-water mark from os.wait4. Standard library only.
"""

from __future__ import annotations

import argparse
import fcntl
import itertools
import json
import math
import os
import platform
import pty
import random
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PYTHON = sys.executable
NRR = str(Path(PYTHON).parent / "nrr")
WORDS = [
    "alliance",
    "council",
    "missile",
    "defence",
    "treaty",
    "summit",
    "dialogue",
    "partnership",
    "security",
    "cooperation",
    "ministers",
    "declaration",
    "crisis",
    "ukraine",
    "georgia",
    "arms",
    "control",
    "transit",
    "piracy",
    "terrorism",
    "narcotics",
    "helicopter",
    "exercise",
    "rescue",
    "submarine",
    "statement",
    "sovereignty",
    "principles",
    "peace",
    "europe",
    "consultation",
    "mechanism",
    "joint",
    "action",
    "reform",
]
MINIMAL_TYPER_APP = """
import typer
from rich.console import Console
from rich.table import Table
app = typer.Typer()
@app.command()
def main(name: str = "x") -> None:
    table = Table()
    table.add_column("name")
    table.add_row(name)
    Console().print(table)
app()
"""
IMPORT_TYPER = "import typer"
IMPORT_FLOOR = "import typer, rich.console, rich.table"
STARTUP_COMMANDS = (["agreement", "founding-act"], ["timeline"], ["search", "missile"])
BUNDLED_EVENT = "founding-act-signed-1997"
TTY_SIZE = (40, 100)  # rows, columns: as LINES and COLUMNS say
TTY_TIMEOUT_S = 120.0  # a child still running by then is waiting for something (a pager's key)


# --- running processes ---------------------------------------------------------------------


class BenchError(Exception):
    """A command that did not do what the benchmark expects: reported, not a traceback."""

    def __init__(self, argv: Sequence[str], problem: str, output: bytes = b"") -> None:
        self.argv = list(argv)
        self.problem = problem
        self.output = output
        super().__init__(problem)

    def report(self) -> list[str]:
        lines = [f"command: {shlex.join(self.argv)}", f"problem: {self.problem}"]
        text = self.output.decode("utf-8", "replace")
        # -X importtime fills stderr; what went wrong is in the other lines.
        tail = [ln for ln in text.splitlines() if not ln.startswith("import time:")][-15:]
        if tail:
            lines += ["output (last lines):", *(f"    {ln}" for ln in tail)]
        return lines


@dataclass(frozen=True)
class Cmd:
    argv: tuple[str, ...]
    env: Mapping[str, str]
    tty: bool = False
    keep_stderr: bool = False


@dataclass
class Sample:
    elapsed_s: float
    peak_mb: float
    output_bytes: int = 0
    stderr: bytes = b""


@dataclass
class Measure:
    median_s: float
    peak_mb: float
    runs: int
    output_bytes: int = 0

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Measure:
        return cls(
            statistics.median(s.elapsed_s for s in samples),
            max(s.peak_mb for s in samples),
            len(samples),
            int(statistics.median(s.output_bytes for s in samples)),
        )


def _exit_problem(code: int) -> str:
    if code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    return f"exited {code}"


def run_pipe(cmd: Cmd) -> Sample:
    # stderr goes to a file, not a pipe: a pipe nobody reads until the child exits would block
    # a child that writes more than the pipe holds.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(cmd.argv, env=cmd.env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read() if cmd.keep_stderr or code != 0 else b""
    if code != 0:
        raise BenchError(cmd.argv, _exit_problem(code), stderr)
    return Sample(elapsed, usage.ru_maxrss / 1024, 0, stderr)


class _Drain(threading.Thread):
    """Reads a pty's master side until the child is gone, so that the child never blocks on a
    full terminal; keeps only a count and the tail (the parent's own RSS must stay small)."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.total = 0
        self.tail = b""

    def run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # EIO: every copy of the slave side is closed
                return
            if not chunk:
                return
            self.total += len(chunk)
            self.tail = (self.tail + chunk)[-8192:]


def run_tty(cmd: Cmd) -> Sample:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *TTY_SIZE, 0, 0))
    drain = _Drain(master)
    drain.start()
    try:
        start = time.perf_counter()
        process = subprocess.Popen(cmd.argv, env=cmd.env, stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        slave = -1
        watchdog = threading.Timer(TTY_TIMEOUT_S, os.kill, (process.pid, signal.SIGKILL))
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        watchdog.cancel()
        process.returncode = code = os.waitstatus_to_exitcode(status)
        drain.join(5)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    if code == -signal.SIGKILL:
        problem = f"still running after {TTY_TIMEOUT_S:.0f} s at a terminal (a pager on?)"
        raise BenchError(cmd.argv, problem, drain.tail)
    if code != 0:
        raise BenchError(cmd.argv, _exit_problem(code), drain.tail)
    return Sample(elapsed, usage.ru_maxrss / 1024, drain.total)


def run_once(cmd: Cmd) -> Sample:
    return run_tty(cmd) if cmd.tty else run_pipe(cmd)


def interleaved(cmds: Sequence[Cmd], runs: int) -> list[Measure]:
    """One median per command, the commands' runs alternated so that noise hits them all."""
    samples: list[list[Sample]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, kept in zip(cmds, samples, strict=True):
            kept.append(run_once(cmd))
    return [Measure.of(kept) for kept in samples]


def measure(argv: Sequence[str], env: Mapping[str, str], runs: int) -> Measure:
    return interleaved([Cmd(tuple(argv), env)], runs)[0]


def run_checked(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """A helper process whose stdout is wanted; its failure becomes a BenchError."""
    done = subprocess.run(list(argv), env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise BenchError(argv, _exit_problem(done.returncode), done.stderr)
    return done.stdout.decode()


def base_env(cache_home: Path) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images) makes every run compile
    # the modules edited since the last .pyc, which a user's installed nrr never does.
    drop = ("NRR_DATA", "NO_COLOR", "FORCE_COLOR", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return env


def tty_env(cache_home: Path) -> dict[str, str]:
    env = base_env(cache_home)
    # An empty NRR_PAGER is --no-pager too (passed as well): a pager would wait for a key.
    env.update(TERM="xterm-256color", COLUMNS=str(TTY_SIZE[1]), LINES=str(TTY_SIZE[0]))
    env["NRR_PAGER"] = ""
    return env


class FreshCaches:
    """A new, empty XDG_CACHE_HOME for each cold run, removed afterwards (a 1M-event cache is
    large)."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root

    def new(self) -> Path:
        return Path(tempfile.mkdtemp(dir=self.root))

    @staticmethod
    def drop(path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)


def completion_env(env: Mapping[str, str], shell: str) -> dict[str, str]:
    env = dict(env, _NRR_COMPLETE=f"complete_{shell}")
    if shell == "bash":
        env.update(COMP_WORDS="nrr agreement f", COMP_CWORD="2")
    else:
        env["_TYPER_COMPLETE_ARGS"] = "nrr agreement f"
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return env


# --- targets ---------------------------------------------------------------------------------


@dataclass
class Target:
    section: str
    what: str
    limit: float
    unit: str  # "x": a ratio
    measured: float | None = None
    note: str = ""
    status: str = "not run"


def target_specs() -> dict[str, Target]:
    """The targets of issues 13 (start-up, worst queries) and 18 (scale), one line per ratio."""
    pipe = 'in a pipe, vs `python -c "import typer"`'
    tty = f'at a terminal (both under a pty), vs `python -c "{IMPORT_FLOOR}"`'
    specs: dict[str, Target] = {}
    for args in STARTUP_COMMANDS:
        name = " ".join(args)
        specs[f"pipe {name}"] = Target("startup", f"`nrr {name}` {pipe}", 1.15, "x")
    for args in STARTUP_COMMANDS:
        name = " ".join(args)
        specs[f"tty {name}"] = Target("pty", f"`nrr {name}` {tty}", 1.5, "x")  # issue 18
    specs.update(
        {
            "10k cold": Target(
                "cold",
                "10k events JSON, cold `nrr timeline --to 1991`, vs `json.load` of the files",
                2.0,
                "x",
            ),
            "10k warm timeline": Target(
                "scale", "10k, warm `nrr timeline --to 1991`, vs the same on bundled", 1.2, "x"
            ),
            "10k warm search": Target(
                "scale", "10k, warm `nrr search missile`, vs the same on bundled", 1.2, "x"
            ),
            "pasted bundled": Target(
                "worst", "a pasted 56-word quotation, unquoted, bundled, vs one word", 1.1, "x"
            ),
            "pasted 10k": Target(
                "worst", "a pasted 56-word quotation, unquoted, 10k, vs one word", 1.1, "x"
            ),
        }
    )
    return specs


class Targets:
    def __init__(self) -> None:
        self.items = target_specs()

    def set(self, key: str, value: float, note: str = "") -> None:
        target = self.items[key]
        if math.isnan(value):
            target.status = "not measurable: a difference of medians was not positive (noise)"
            return
        target.measured, target.note = value, note
        target.status = "met" if value <= target.limit else "**missed**"

    def fail(self, section: str) -> None:
        for target in self.items.values():
            if target.section == section and target.status == "not run":
                target.status = "failed (see above)"

    def skip(self, section: str, why: str, key: str | None = None) -> None:
        for name, target in self.items.items():
            if target.section == section and key in (None, name) and target.status == "not run":
                target.status = f"not run ({why})"

    def table(self) -> list[str]:
        lines = [
            "",
            "### Targets (issues 13 and 18), from the rows above",
            "",
            "| what | measured | target | |",
            "|---|---|---|---|",
        ]
        for t in self.items.values():
            shown = "-" if t.measured is None else f"{t.measured:.2f}x"
            if t.note:
                shown += f" ({t.note})"
            limit = f"{t.limit:.2f}".removesuffix("0")
            lines.append(f"| {t.what} | {shown} | ≤ {limit}{t.unit} | {t.status} |")
        return lines


def size_note(size: int, wanted: int) -> str:
    return "" if size == wanted else f"at {size:,} events, not {wanted:,}"


# --- start-up --------------------------------------------------------------------------------


def row(name: str, m: Measure, width: int, *floors: tuple[str, Measure]) -> str:
    """A table row with `width` ratio cells, each naming what it compares against."""
    cells = [f"{m.median_s / f.median_s:.2f}x {label}" for label, f in floors]
    cells += [""] * (width - len(cells))
    return f"| {name} | {m.median_s * 1000:.0f} ms | {m.peak_mb:.0f} MB | {' | '.join(cells)} |"


def startup(runs: int, cache_home: Path, targets: Targets) -> list[str]:
    env = base_env(cache_home)
    for args in STARTUP_COMMANDS:
        measure([NRR, *args], env, 1)  # fills the cache
    floors = [
        ("`python -c pass`", (PYTHON, "-c", "pass"), env),
        (f"`python -c '{IMPORT_TYPER}'`", (PYTHON, "-c", IMPORT_TYPER), env),
        (f"`python -c '{IMPORT_FLOOR}'` (import floor)", (PYTHON, "-c", IMPORT_FLOOR), env),
    ]
    commands = [(f"`nrr {' '.join(a)}`", (NRR, *a), env) for a in STARTUP_COMMANDS]
    completions = [
        (f"id completion, {shell}", (NRR,), completion_env(env, shell))
        for shell in ("bash", "zsh", "fish")
    ]
    everything = [*floors, *commands, *completions]
    found = interleaved([Cmd(argv, e) for _, argv, e in everything], runs)
    bare, typer_floor, floor = found[:3]
    lines = [
        "### Start-up in a pipe, bundled data, warm cache",
        "",
        "| command | median | peak RSS | ratio | ratio | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for (name, _, _), m in zip(floors, found[:3], strict=True):
        lines.append(row(name, m, 3, ("bare python", bare)))
    for (name, _, _), m, args in zip(commands, found[3:6], STARTUP_COMMANDS, strict=True):
        lines.append(
            row(
                name,
                m,
                3,
                ("import typer", typer_floor),
                ("import floor", floor),
                ("bare python", bare),
            )
        )
        targets.set(f"pipe {' '.join(args)}", m.median_s / typer_floor.median_s)
    for (name, _, _), m in zip(completions, found[6:], strict=True):
        lines.append(row(name, m, 3, ("import typer", typer_floor), ("bare python", bare)))
    return lines


def startup_tty(runs: int, cache_home: Path, targets: Targets) -> list[str]:
    """Start-up at a terminal: Rich's console, colour and widths are then in play on both sides."""
    env = tty_env(cache_home)
    for args in STARTUP_COMMANDS:
        measure([NRR, *args], base_env(cache_home), 1)  # fills the cache
    floors = [
        ("`python -c pass`", (PYTHON, "-c", "pass")),
        (f"`python -c '{IMPORT_FLOOR}'` (import floor)", (PYTHON, "-c", IMPORT_FLOOR)),
    ]
    commands = [
        (f"`nrr --no-pager {' '.join(a)}`", (NRR, "--no-pager", *a)) for a in STARTUP_COMMANDS
    ]
    found = interleaved([Cmd(argv, env, tty=True) for _, argv in [*floors, *commands]], runs)
    bare, floor = found[:2]
    rows, cols = TTY_SIZE
    lines = [
        "",
        f"### Start-up at a terminal (pty, TERM=xterm-256color, {cols}x{rows}), bundled, warm",
        "",
        "| command | median | peak RSS | output | ratio | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for i, ((name, _), m) in enumerate(zip([*floors, *commands], found, strict=True)):
        against = [("bare python", bare)] if i < len(floors) else [("import floor", floor)]
        if i >= len(floors):
            against.append(("bare python", bare))
        cells = [f"{m.median_s / f.median_s:.2f}x {label}" for label, f in against]
        cells += [""] * (2 - len(cells))
        lines.append(
            f"| {name} | {m.median_s * 1000:.0f} ms | {m.peak_mb:.0f} MB | "
            f"{m.output_bytes / 1024:.1f} KB | {' | '.join(cells)} |"
        )
    for args, m in zip(STARTUP_COMMANDS, found[2:], strict=True):
        targets.set(f"tty {' '.join(args)}", m.median_s / floor.median_s)
    return lines


# --- import time by module group -------------------------------------------------------------

GROUPS = {
    "typer": "typer (with its vendored click)",
    "click": "typer (with its vendored click)",
    "shellingham": "typer (with its vendored click)",
    "rich": "rich (with pygments, markdown-it)",
    "pygments": "rich (with pygments, markdown-it)",
    "markdown_it": "rich (with pygments, markdown-it)",
    "mdurl": "rich (with pygments, markdown-it)",
    "yaml": "yaml",
    "_yaml": "yaml",
    "sqlite3": "sqlite3",
    "_sqlite3": "sqlite3",
}
GROUP_ORDER = [
    "typer (with its vendored click)",
    "rich (with pygments, markdown-it)",
    "yaml",
    "sqlite3",
    "stdlib other",
    "third-party other",
]
TOP_OWN_MODULES = 8


def import_times(stderr: bytes) -> dict[str, int]:
    """Self time in microseconds per module, from `python -X importtime` output."""
    times: dict[str, int] = {}
    for line in stderr.decode("utf-8", "replace").splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        name = parts[2].strip()
        times[name] = times.get(name, 0) + int(parts[0])
    return times


def module_group(name: str) -> str:
    top = name.split(".")[0]
    if top == "nato_russia":
        return name
    if top in GROUPS:
        return GROUPS[top]
    return "stdlib other" if top in sys.stdlib_module_names else "third-party other"


def medians_by_name(runs: Sequence[Mapping[str, int]]) -> dict[str, float]:
    names = {name for times in runs for name in times}
    return {name: statistics.median(times.get(name, 0) for times in runs) for name in names}


def importtime(runs: int, cache_home: Path) -> list[str]:
    """Where each command's import time goes, so that a start-up regression names its module."""
    env = base_env(cache_home)
    for args in STARTUP_COMMANDS:
        measure([NRR, *args], env, 1)  # fills the cache
    cmds = [
        Cmd((PYTHON, "-X", "importtime", "-m", "nato_russia", *args), env, keep_stderr=True)
        for args in STARTUP_COMMANDS
    ]
    per_run: list[list[dict[str, int]]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, kept in zip(cmds, per_run, strict=True):
            kept.append(import_times(run_once(cmd).stderr))
    if not any(times for kept in per_run for times in kept):
        raise BenchError(cmds[0].argv, "no `import time:` lines on stderr")
    by_module = [medians_by_name(kept) for kept in per_run]
    # Groups are summed within each run before the median is taken: a median of sums, not a
    # sum of medians, so that each group's figure is one that some run actually took.
    grouped_runs: list[list[dict[str, int]]] = []
    for kept in per_run:
        grouped_runs.append([])
        for times in kept:
            grouped: dict[str, int] = defaultdict(int)
            for name, us in times.items():
                group = module_group(name)
                grouped[group] += us
                if group.startswith("nato_russia"):
                    grouped["nato_russia total"] += us
                grouped["all imports"] += us
            grouped_runs[-1].append(grouped)
    by_group = [medians_by_name(kept) for kept in grouped_runs]
    own = sorted(
        {name for m in by_module for name in m if name.startswith("nato_russia")},
        key=lambda name: -max(m.get(name, 0.0) for m in by_module),
    )
    shown, rest = own[:TOP_OWN_MODULES], own[TOP_OWN_MODULES:]

    def cells(microseconds: Iterable[float]) -> str:
        return " | ".join(f"{v / 1000:.1f} ms" for v in microseconds)

    header = " | ".join(f"`nrr {' '.join(a)}`" for a in STARTUP_COMMANDS)
    lines = [
        "",
        f"### Import time by module (`python -X importtime -m nato_russia ...`, self time, "
        f"medians of {runs})",
        "",
        f"| module | {header} |",
        "|---|" + "---|" * len(STARTUP_COMMANDS),
    ]
    for name in shown:
        lines.append(f"| `{name}` | {cells(m.get(name, 0.0) for m in by_module)} |")
    if rest:
        others = [sum(m.get(name, 0.0) for name in rest) for m in by_module]
        lines.append(f"| nato_russia, {len(rest)} other modules | {cells(others)} |")
    groups = [("**nato_russia, total**", "nato_russia total")]
    groups += [(group, group) for group in GROUP_ORDER]
    groups.append(("**all imports**", "all imports"))
    for label, group in groups:
        lines.append(f"| {label} | {cells(m.get(group, 0.0) for m in by_group)} |")
    slowest: dict[str, float] = defaultdict(float)
    for m in by_module:
        for name, median_us in m.items():
            if module_group(name) == "stdlib other":
                slowest[name] = max(slowest[name], median_us)
    top = sorted(slowest.items(), key=lambda item: -item[1])[:6]
    shown_top = ", ".join(f"`{name}` {us / 1000:.1f} ms" for name, us in top)
    lines += ["", f"Largest in stdlib other (the most any command took): {shown_top}"]
    return lines


# --- the Typer pin ---------------------------------------------------------------------------


def typer_release_row(runs: int) -> list[str]:
    """The pin below Typer 0.29, revisited on evidence: the same tiny app on both releases."""
    uv = shutil.which("uv")
    lines = ["", "### Typer pin: a one-command Typer app printing a Rich table", ""]
    if uv is None:
        return [*lines, "uv not found: row skipped."]
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        script = Path(tmp) / "app.py"
        script.write_text(MINIMAL_TYPER_APP)
        run_checked([uv, "venv", "--python", PYTHON, str(venv)])
        try:
            run_checked(
                [uv, "pip", "install", "--python", str(venv / "bin" / "python"), "typer>=0.29"]
            )
        except BenchError:
            return [*lines, "could not install typer>=0.29: row skipped."]
        version_of = ["-c", "import typer; print(typer.__version__)"]
        version = run_checked([str(venv / "bin" / "python"), *version_of]).strip()
        current = run_checked([PYTHON, *version_of]).strip()
        # Without PYTHONDONTWRITEBYTECODE: uv installs without .pyc files, so the first run
        # writes them, as a user's first run would, and the medians compare warm imports.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        ours, theirs = interleaved(
            [
                Cmd((PYTHON, str(script)), env),
                Cmd((str(venv / "bin" / "python"), str(script)), env),
            ],
            runs,
        )
    return [
        *lines,
        "| Typer | median | ratio |",
        "|---|---|---|",
        f"| {current} (pinned) | {ours.median_s * 1000:.0f} ms | 1.00x |",
        f"| {version} | {theirs.median_s * 1000:.0f} ms | {theirs.median_s / ours.median_s:.2f}x |",
    ]


# --- synthetic data --------------------------------------------------------------------------

FILLER = ["the", "of", "and", "to", "in", "a", "on", "for", "with", "by"]
SYLLABLES = [
    "ba",
    "ke",
    "ri",
    "mo",
    "tu",
    "lan",
    "der",
    "sol",
    "vik",
    "ora",
    "pel",
    "nis",
    "gar",
    "tum",
    "ez",
]
SOURCES = [
    {
        "id": "bench-source",
        "title": "Synthetic",
        "publisher": "bench",
        "kind": "news",
        "tier": "other",
    }
]
PERIODS = [
    {
        "id": "bench-period",
        "title": "Synthetic period",
        "date": "1990/2015",
        "order": 99,
        "summary": "Generated by bench/run.py.",
        "sources": ["bench-source"],
    }
]


def zipf_vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words with Zipf weights (1/rank), as in the search measurements of the data-and-search
    guide: filler words first, the domain words next (so that a query such as "missile" hits
    about a third of the records, a worst case), then made-up words."""
    made_up: set[str] = set()
    while len(made_up) < size - len(FILLER) - len(WORDS):
        made_up.add("".join(rng.choices(SYLLABLES, k=rng.randrange(2, 5))))
    vocabulary = FILLER + WORDS + sorted(made_up)
    return vocabulary, [1 / rank for rank in range(1, len(vocabulary) + 1)]


def synthetic_events(size: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """The same events, in the same order, whatever the format they are written in."""
    rng = random.Random(seed)
    vocabulary, weights = zipf_vocabulary(rng)
    # Summed once: given weights, choices() sums all 30,000 on every call, which made
    # generating 100,000 events take minutes. The draws are the same either way.
    cumulative = list(itertools.accumulate(weights))
    for i in range(size):
        day = rng.randrange(0, 26 * 365)
        date = time.strftime("%Y-%m-%d", time.gmtime(631152000 + day * 86400))
        yield {
            "id": f"bench-event-{i}",
            "title": " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=7)),
            "date": date[: rng.choice((4, 7, 10, 10, 10))],
            "summary": " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=45)),
            "place": "Brussels",
            "period": "bench-period",
            "topics": rng.sample(["missile-defence", "ukraine", "dialogue"], k=1),
            "sources": ["bench-source"],
        }


def make_dataset(directory: Path, size: int, fmt: str) -> None:
    directory.mkdir(parents=True)
    events = list(synthetic_events(size))
    for name, records in (("sources", SOURCES), ("periods", PERIODS), ("events", events)):
        if fmt == "json":
            (directory / f"{name}.json").write_text(json.dumps(records))
        else:
            lines = []
            for record in records:
                first = True
                for key, value in record.items():
                    lines.append(f"{'- ' if first else '  '}{key}: {json.dumps(value)}")
                    first = False
            (directory / f"{name}.yaml").write_text("\n".join(lines) + "\n")


def generate(directory: Path, size: int, fmt: str) -> float:
    """Made in a child process: memory this process held would otherwise be counted in the peak
    RSS of every nrr process it starts afterwards (fork copies the high-water mark)."""
    start = time.perf_counter()
    run_checked([PYTHON, __file__, "--generate", str(directory), str(size), fmt])
    return time.perf_counter() - start


def data_files(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.iterdir() if p.suffix == ".json")


# --- cold load against parsing alone ---------------------------------------------------------

# What a process that only parses the same files costs: the floor a cold load is measured by.
JSON_LOAD = r"""
import json, sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        json.load(f)
"""


def seconds(m: Measure) -> str:
    return f"{m.median_s:.2f} s"


def cold(runs: int, size: int, caches: FreshCaches, work: Path, targets: Targets) -> list[str]:
    """Cold `nrr timeline --to 1991` (read, check, write the cache), each run with a new empty
    cache, alternated with a process that only runs json.load on the same files."""
    directory = work / f"json-{size}"
    if not directory.exists():
        generate(directory, size, "json")
    scratch = caches.new()
    samples: dict[str, list[Sample]] = defaultdict(list)
    for _ in range(runs):
        fresh = caches.new()
        argv = (NRR, "timeline", "--to", "1991", "--data", str(directory))
        samples["cold"].append(run_once(Cmd(argv, base_env(fresh))))
        caches.drop(fresh)
        floor = (PYTHON, "-c", JSON_LOAD, *data_files(directory))
        samples["json.load"].append(run_once(Cmd(floor, base_env(scratch))))
    caches.drop(scratch)
    b, j = Measure.of(samples["cold"]), Measure.of(samples["json.load"])
    targets.set("10k cold", b.median_s / j.median_s, size_note(size, 10_000))
    return [
        "",
        f"### Cold load, {size:,} JSON events (`--data big/`), against parsing alone "
        f"({runs} cold runs per median, each with a new empty cache)",
        "",
        "| measure | median | peak RSS | ratio |",
        "|---|---|---|---|",
        f"| (b) cold `nrr timeline --to 1991 --data big/` | {seconds(b)} | {b.peak_mb:.0f} MB"
        f" | {b.median_s / j.median_s:.2f}x (j) |",
        f"| (j) a process only running `json.load` on the generated files (not the bundled data)"
        f" | {seconds(j)} | {j.peak_mb:.0f} MB | |",
    ]


# --- scale -----------------------------------------------------------------------------------

TARGET_SIZE = 10_000  # the size issue 18's targets are set at
SCALE_COMMANDS = (
    ["timeline", "--to", "1991"],
    ["search", "missile"],
    ["search", "missile defence"],
)

IN_PROCESS = """
import statistics, sys, time
from pathlib import Path
from nato_russia import loader
from nato_russia.querylang import parse_query
from nato_russia.search import search
paths = () if sys.argv[1] == "-" else (Path(sys.argv[1]),)  # "-": the bundled data alone
dataset = loader.load(loader.DataSelection(paths=paths))
for text in sys.argv[2:]:
    query = parse_query(text)
    times = []
    for _ in range(15):
        start = time.perf_counter()
        search(dataset, query, limit=20)
        times.append(time.perf_counter() - start)
    print(f"{text}\t{statistics.median(times) * 1000:.1f}")
"""


def in_process(data: str, queries: Sequence[str], env: Mapping[str, str]) -> list[float]:
    out = run_checked([PYTHON, "-c", IN_PROCESS, data, *queries], env)
    times = [float(line.split("\t")[1]) for line in out.splitlines()]
    if len(times) != len(queries):
        raise BenchError(["in-process search"], f"expected {len(queries)} lines, got:\n{out}")
    return times


def scale(
    runs: int, sizes: Sequence[int], cache_root: Path, work: Path, targets: Targets
) -> list[str]:
    lines = [
        "",
        "### Scale: synthetic events added to the bundled data (`--data big/`)",
        "",
        "| events | format | command | cold (load, validate, cache) | warm median"
        " | warm peak RSS | bundled, same run | warm vs bundled |",
        "|---|---|---|---|---|---|---|---|",
    ]
    bundled_env = base_env(cache_root / "bundled")
    for args in SCALE_COMMANDS:
        measure([NRR, *args], bundled_env, 1)
    cold_times: dict[tuple[str, int], float] = {}
    biggest_json = max(sizes)
    for fmt in ("json", "yaml"):
        for size in sizes:
            directory = work / f"{fmt}-{size}"
            if not directory.exists():
                generate(directory, size, fmt)
            for args in SCALE_COMMANDS:
                env = base_env(cache_root / f"{fmt}-{size}-{'-'.join(args).replace(' ', '_')}")
                argv = (NRR, *args, "--data", str(directory))
                cold = measure(argv, env, 1)
                warm_runs = runs if size <= TARGET_SIZE else max(3, runs // 5)
                warm, bundled = interleaved(
                    [Cmd(argv, env), Cmd((NRR, *args), bundled_env)], warm_runs
                )
                if args[0] == "timeline":
                    cold_times[(fmt, size)] = cold.median_s
                ratio = warm.median_s / bundled.median_s
                lines.append(
                    f"| {size:,} | {fmt} | `nrr {' '.join(args)} --data big/` | "
                    f"{cold.median_s:.2f} s ({cold.peak_mb:.0f} MB) | "
                    f"{warm.median_s * 1000:.0f} ms | {warm.peak_mb:.0f} MB | "
                    f"{bundled.median_s * 1000:.0f} ms | {ratio:.2f}x |"
                )
                if fmt == "json" and size == TARGET_SIZE and args != ["search", "missile defence"]:
                    key = "10k warm timeline" if args[0] == "timeline" else "10k warm search"
                    targets.set(key, ratio)
    directory = work / f"json-{biggest_json}"
    env = base_env(cache_root / f"json-{biggest_json}-search-missile")
    queries = ["missile", "missile defence"]
    lines += ["", "In-process search, top 20, load cache warm (medians of 15):", ""]
    for text, ms in zip(queries, in_process(str(directory), queries, env), strict=True):
        lines.append(f"- `{text}`: {ms:.1f} ms")
    growth = ", ".join(
        f"{fmt} {a:,}->{b:,}: {cold_times[(fmt, b)] / cold_times[(fmt, a)]:.1f}x"
        for fmt in ("json", "yaml")
        for a, b in itertools.pairwise(sizes)
    )
    if growth:
        lines += ["", f"Cold-time growth (timeline): {growth}"]
    return lines


# --- worst-case queries ----------------------------------------------------------------------

PASTED = "lisbon-non-use-of-force"  # the longest bundled quotation: 56 words
# After the one-word baseline and the pasted quotation: one word typed seven times and another;
# five repeated words against fields that repeat the word (a synthetic summary holds "the"
# about four times, a bundled summary up to ten); five of the commonest words, each repeated in
# most fields (every record holds them all).
WORST = ["the the the the the the the nato", "the the the the the", "and the of in to"]


def worst_queries(
    runs: int, size: int, cache_root: Path, work: Path, targets: Targets
) -> list[str]:
    """The queries whose proximity scoring once tried every combination of positions (issue
    10), against a one-word search in the same run: on the bundled data and with `size`
    synthetic events added."""
    env = base_env(cache_root / "worst-bundled")
    pasted = run_checked([NRR, "quotation", PASTED, "--format", "json"], env)
    quotation = str(json.loads(pasted)["text"])
    queries = ["missile", quotation, *WORST]
    directory = work / f"json-{size}"
    if not directory.exists():
        generate(directory, size, "json")
    lines = [
        "",
        "### Worst-case queries: whole `nrr search --limit 1 QUERY`, and `search()` in process",
        "",
        "| data | query | words | whole command | vs one word | `search()`, top 20 | vs one word |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, data, cache, key in (
        ("bundled", [], "worst-bundled", "pasted bundled"),
        (f"{size:,} events", ["--data", str(directory)], f"worst-{size}", "pasted 10k"),
    ):
        env = base_env(cache_root / cache)
        cmds = [Cmd((NRR, "search", "--limit", "1", query, *data), env) for query in queries]
        for cmd in cmds:
            run_once(cmd)  # fills the cache
        whole = interleaved(cmds, runs)
        in_ms = in_process(data[1] if data else "-", queries, env)
        for query, m, ms in zip(queries, whole, in_ms, strict=True):
            shown = f"pasted quotation `{PASTED}`" if query == quotation else f"`{query}`"
            lines.append(
                f"| {label} | {shown} | {len(query.split())} | "
                f"{m.median_s * 1000:.0f} ms | {m.median_s / whole[0].median_s:.2f}x | "
                f"{ms:.1f} ms | {ms / in_ms[0]:.2f}x |"
            )
        note = size_note(size, 10_000) if data else ""
        targets.set(key, whole[1].median_s / whole[0].median_s, note)
    return lines


# --- main ------------------------------------------------------------------------------------


def section(name: str, targets: Targets, produce: Callable[[], list[str]]) -> None:
    """Print a section's lines; a command that failed is reported and the run goes on."""
    started = time.perf_counter()
    try:
        lines = produce()
    except BenchError as exc:
        print(f"\n**{name}: failed**\n")
        for line in exc.report():
            print(f"    {line}")
        targets.fail(name)
        return
    except Exception:  # the package changes under the bench: say where, then go on
        print(f"\n**{name}: failed on an unexpected error**\n")
        for line in traceback.format_exc().splitlines()[-12:]:
            print(f"    {line}")
        targets.fail(name)
        return
    for line in lines:
        print(line)
    print(f"\n({name}: {time.perf_counter() - started:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="runs per median (default 15)")
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="event counts to generate (default 1000,10000; 100000 works, slowly)",
    )
    parser.add_argument("--cold-runs", type=int, default=5, help="cold runs per median (default 5)")
    parser.add_argument(
        "--importtime-runs", type=int, default=5, help="runs per -X importtime median (5)"
    )
    parser.add_argument("--skip-startup", action="store_true", help="skip start-up in a pipe")
    parser.add_argument("--skip-pty", action="store_true", help="skip start-up at a terminal")
    parser.add_argument("--skip-importtime", action="store_true", help="skip import time by module")
    parser.add_argument("--skip-typer", action="store_true", help="skip the Typer 0.29 row")
    parser.add_argument(
        "--skip-scale",
        action="store_true",
        help="skip the scale section, and the cold floors with it",
    )
    parser.add_argument(
        "--skip-cold",
        action="store_true",
        help="skip the cold load against parsing alone (at 10,000 events, if in --sizes)",
    )
    parser.add_argument(
        "--skip-worst", action="store_true", help="skip the worst-case query section"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 3 runs per median, 2 cold runs, no Typer or import-time rows",
    )
    parser.add_argument(
        "--generate", nargs=3, metavar=("DIR", "SIZE", "FORMAT"), help=argparse.SUPPRESS
    )
    options = parser.parse_args()
    if options.generate:
        directory, size, fmt = options.generate
        make_dataset(Path(directory), int(size), fmt)
        return
    if not Path(NRR).exists():
        raise SystemExit(f"bench: {NRR} not found; run as `uv run python bench/run.py`")
    sizes = [int(s) for s in options.sizes.split(",")]
    runs = options.runs
    if options.quick:
        runs, options.cold_runs = 3, 2
        options.skip_typer = options.skip_importtime = True
    measured_at = TARGET_SIZE if TARGET_SIZE in sizes else max(sizes)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    system = f"{platform.system()} {platform.release()}"
    print(f"Machine: {machine}, {system}; {time.strftime('%Y-%m-%d')}; runs={runs}\n")
    targets = Targets()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        startup_cache = root / "cache-startup"
        caches, data = root / "caches", root / "data"
        plan: list[tuple[str, bool, str, Callable[[], list[str]]]] = [
            (
                "startup",
                options.skip_startup,
                "--skip-startup",
                lambda: startup(runs, startup_cache, targets),
            ),
            (
                "pty",
                options.skip_pty,
                "--skip-pty",
                lambda: startup_tty(runs, startup_cache, targets),
            ),
            (
                "importtime",
                options.skip_importtime,
                "--skip-importtime",
                lambda: importtime(options.importtime_runs, startup_cache),
            ),
            ("typer", options.skip_typer, "--skip-typer", lambda: typer_release_row(runs)),
            (
                "scale",
                options.skip_scale,
                "--skip-scale",
                lambda: scale(runs, sizes, caches, data, targets),
            ),
            (
                "cold",
                options.skip_scale or options.skip_cold,
                "--skip-scale" if options.skip_scale else "--skip-cold",
                lambda: cold(
                    options.cold_runs, measured_at, FreshCaches(caches / "cold"), data, targets
                ),
            ),
            (
                "worst",
                options.skip_worst,
                "--skip-worst",
                lambda: worst_queries(runs, measured_at, caches, data, targets),
            ),
        ]
        for name, skipped, why, produce in plan:
            if skipped:
                targets.skip(name, why)
            else:
                section(name, targets, produce)
    for line in targets.table():
        print(line)
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
