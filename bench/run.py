"""Benchmark nrr as whole processes: start-up against import floors, and scale to 100k events.

Run by hand, never as a test:  uv run python bench/run.py [--runs 15] [--sizes 1000,10000,100000]
(--skip-startup, --skip-typer, --skip-scale, --skip-worst leave a section out)

Every figure is a median over repeated runs of a fresh process, and every ratio compares two
medians measured in the same run of this script, so a noisy machine shifts both sides. Output
goes to /dev/null (what a script piping nrr sees). Standard library only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class Measure:
    median_s: float
    peak_mb: float


def run_once(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stderr is not None:
        process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def measure(
    argv: Sequence[str], env: dict[str, str], runs: int, ok: Sequence[int] = (0,)
) -> Measure:
    times, peaks = [], []
    for _ in range(runs):
        elapsed, peak, code = run_once(argv, env)
        if code not in ok:
            raise SystemExit(f"bench: {' '.join(argv)} exited {code}")
        times.append(elapsed)
        peaks.append(peak)
    return Measure(statistics.median(times), max(peaks))


def base_env(cache_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NRR_DATA", "NO_COLOR")}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return env


def completion_env(env: dict[str, str], shell: str) -> dict[str, str]:
    env = dict(env, _NRR_COMPLETE=f"complete_{shell}")
    if shell == "bash":
        env.update(COMP_WORDS="nrr agreement f", COMP_CWORD="2")
    else:
        env["_TYPER_COMPLETE_ARGS"] = "nrr agreement f"
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return env


def row(name: str, m: Measure, *floors: tuple[str, Measure]) -> str:
    """A table row with two ratio cells, each naming what it compares against."""
    ratios = [f"{m.median_s / f.median_s:.2f}x {label}" for label, f in floors]
    cells = " | ".join([*ratios, "", ""][:2])
    return f"| {name} | {m.median_s * 1000:.0f} ms | {m.peak_mb:.0f} MB | {cells} |"


def startup(runs: int, cache_home: Path) -> list[str]:
    env = base_env(cache_home)
    bare = measure([PYTHON, "-c", "pass"], env, runs)
    typer_floor = measure([PYTHON, "-c", "import typer"], env, runs)
    floor = measure([PYTHON, "-c", "import typer, rich.console, rich.table"], env, runs)
    floors = (("import floor", floor), ("bare python", bare))
    lines = [
        "### Start-up, bundled data, warm cache",
        "",
        "| command | median | peak RSS | ratio | ratio |",
        "|---|---|---|---|---|",
        row("`python -c pass`", bare, ("bare python", bare)),
        row("`python -c 'import typer'`", typer_floor, ("bare python", bare)),
        row(
            "`python -c 'import typer, rich.console, rich.table'` (floor)",
            floor,
            ("bare python", bare),
        ),
    ]
    for args in (["agreement", "founding-act"], ["timeline"], ["search", "missile"]):
        measure([NRR, *args], env, 1)  # fills the cache
        lines.append(row(f"`nrr {' '.join(args)}`", measure([NRR, *args], env, runs), *floors))
    for shell in ("bash", "zsh", "fish"):
        m = measure([NRR], completion_env(env, shell), runs)
        lines.append(
            row(f"id completion, {shell}", m, ("import typer", typer_floor), ("bare python", bare))
        )
    return lines


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
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run([uv, "venv", "--python", PYTHON, str(venv)], check=True, **quiet)
        newer = subprocess.run(
            [uv, "pip", "install", "--python", str(venv / "bin" / "python"), "typer>=0.29"],
            check=False,
            **quiet,
        )
        if newer.returncode != 0:
            return [*lines, "could not install typer>=0.29: row skipped."]
        version = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import typer; print(typer.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        current = subprocess.run(
            [PYTHON, "-c", "import typer; print(typer.__version__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env = dict(os.environ)
        ours = measure([PYTHON, str(script)], env, runs)
        theirs = measure([str(venv / "bin" / "python"), str(script)], env, runs)
    return [
        *lines,
        "| Typer | median | ratio |",
        "|---|---|---|",
        f"| {current} (pinned) | {ours.median_s * 1000:.0f} ms | 1.00x |",
        f"| {version} | {theirs.median_s * 1000:.0f} ms | {theirs.median_s / ours.median_s:.2f}x |",
    ]


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


def zipf_vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words with Zipf weights (1/rank), as in the search measurements of the data-and-search
    guide: filler words first, the domain words next (so that a query such as "missile" hits
    about a third of the records, a worst case), then made-up words."""
    made_up: set[str] = set()
    while len(made_up) < size - len(FILLER) - len(WORDS):
        made_up.add("".join(rng.choices(SYLLABLES, k=rng.randrange(2, 5))))
    vocabulary = FILLER + WORDS + sorted(made_up)
    return vocabulary, [1 / rank for rank in range(1, len(vocabulary) + 1)]


def make_dataset(directory: Path, size: int, fmt: str, seed: int = 1) -> None:
    rng = random.Random(seed)
    vocabulary, weights = zipf_vocabulary(rng)
    # Summed once: given weights, choices() sums all 30,000 on every call, which made
    # generating 100,000 events take minutes. The draws are the same either way.
    cumulative = list(itertools.accumulate(weights))
    directory.mkdir(parents=True)
    source = [{"id": "bench-source", "title": "Synthetic", "publisher": "bench", "kind": "news"}]
    period = [
        {
            "id": "bench-period",
            "title": "Synthetic period",
            "date": "1990/2015",
            "order": 99,
            "summary": "Generated by bench/run.py.",
            "sources": ["bench-source"],
        }
    ]
    events = []
    for i in range(size):
        day = rng.randrange(0, 26 * 365)
        date = time.strftime("%Y-%m-%d", time.gmtime(631152000 + day * 86400))
        events.append(
            {
                "id": f"bench-event-{i}",
                "title": " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=7)),
                "date": date[: rng.choice((4, 7, 10, 10, 10))],
                "summary": " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=45)),
                "place": "Brussels",
                "period": "bench-period",
                "topics": rng.sample(["missile-defence", "ukraine", "dialogue"], k=1),
                "sources": ["bench-source"],
            }
        )
    for name, records in (("sources", source), ("periods", period), ("events", events)):
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


IN_PROCESS = """
import statistics, sys, time
from pathlib import Path
from nato_russia import loader
from nato_russia.querylang import parse_query
from nato_russia.search import open_index, search
paths = () if sys.argv[1] == "-" else (Path(sys.argv[1]),)  # "-": the bundled data alone
dataset = loader.load(loader.DataSelection(paths=paths))
index, _ = open_index(dataset)
for text in sys.argv[2:]:
    query = parse_query(text)
    times = []
    for _ in range(15):
        start = time.perf_counter()
        search(dataset, query, limit=20, index=index)
        times.append(time.perf_counter() - start)
    print(f"{text}\t{statistics.median(times) * 1000:.1f}")
"""


def in_process_search(directory: Path, cache_home: Path) -> list[str]:
    """Median time of search() itself, index warm, for a one-word and a two-word query."""
    argv = [PYTHON, "-c", IN_PROCESS, str(directory), "missile", "missile defence"]
    out = subprocess.run(argv, env=base_env(cache_home), capture_output=True, text=True, check=True)
    lines = ["", "In-process search, top 20, index warm (medians of 15):", ""]
    for line in out.stdout.splitlines():
        text, ms = line.split("\t")
        lines.append(f"- `{text}`: {ms} ms")
    return lines


def scale(runs: int, sizes: Sequence[int], cache_root: Path, work: Path) -> list[str]:
    lines = [
        "",
        "### Scale: synthetic events added to the bundled data (`--data big/`)",
        "",
        "| events | format | command | cold (load, validate, cache) | warm median"
        " | warm peak RSS | warm vs bundled |",
        "|---|---|---|---|---|---|---|",
    ]
    bundled_env = base_env(cache_root / "bundled")
    baselines = {}
    for args in (
        ["timeline", "--to", "1991"],
        ["search", "missile"],
        ["search", "missile defence"],
    ):
        measure([NRR, *args], bundled_env, 1)
        baselines[" ".join(args)] = measure([NRR, *args], bundled_env, runs)
    cold_times: dict[tuple[str, int], float] = {}
    for fmt in ("json", "yaml"):
        for size in sizes:
            directory = work / f"{fmt}-{size}"
            # Generated in a child process: memory this process holds would otherwise be counted
            # in the peak RSS of every nrr process it starts afterwards (fork copies the high-water
            # mark).
            generate = [PYTHON, __file__, "--generate", str(directory), str(size), fmt]
            subprocess.run(generate, check=True)
            for args in (
                ["timeline", "--to", "1991"],
                ["search", "missile"],
                ["search", "missile defence"],
            ):
                env = base_env(cache_root / f"{fmt}-{size}-{'-'.join(args).replace(' ', '_')}")
                argv = [NRR, *args, "--data", str(directory)]
                cold = measure(argv, env, 1)
                warm_runs = runs if size <= 10_000 or fmt == "json" else max(3, runs // 5)
                warm = measure(argv, env, warm_runs)
                if args[0] == "timeline":
                    cold_times[(fmt, size)] = cold.median_s
                ratio = warm.median_s / baselines[" ".join(args)].median_s
                lines.append(
                    f"| {size:,} | {fmt} | `nrr {' '.join(args)} --data big/` | "
                    f"{cold.median_s:.2f} s ({cold.peak_mb:.0f} MB) | "
                    f"{warm.median_s * 1000:.0f} ms | {warm.peak_mb:.0f} MB | {ratio:.2f}x |"
                )
    biggest = max(sizes)
    lines += in_process_search(
        work / f"json-{biggest}", cache_root / f"json-{biggest}-search-missile"
    )
    growth = ", ".join(
        f"{fmt} {a:,}->{b:,}: {cold_times[(fmt, b)] / cold_times[(fmt, a)]:.1f}x"
        for fmt in ("json", "yaml")
        for a, b in itertools.pairwise(sizes)
    )
    lines += ["", f"Cold-time growth (timeline): {growth}"]
    return lines


PASTED = "lisbon-non-use-of-force"  # the longest bundled quotation: 56 words
# After the one-word baseline and the pasted quotation: one word typed seven times and another;
# five repeated words against fields that repeat the word (a synthetic summary holds "the"
# about four times, a bundled summary up to ten); five of the commonest words, each repeated in
# most fields (the slowest for the index: every record holds them all).
WORST = ["the the the the the the the nato", "the the the the the", "and the of in to"]


def worst_queries(runs: int, size: int, cache_root: Path, work: Path) -> list[str]:
    """The queries whose proximity scoring once tried every combination of positions (issue
    10), against a one-word search in the same run: on the bundled data (scanned) and with
    `size` synthetic events added (through the FTS5 index)."""
    env = base_env(cache_root / "worst-bundled")
    pasted = subprocess.run(
        [NRR, "quotation", PASTED, "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    quotation = str(json.loads(pasted.stdout)["text"])
    queries = ["missile", quotation, *WORST]
    directory = work / f"json-{size}"
    if not directory.exists():
        generate = [PYTHON, __file__, "--generate", str(directory), str(size), "json"]
        subprocess.run(generate, check=True)
    lines = [
        "",
        "### Worst-case queries: whole `nrr search --limit 1 QUERY`, and `search()` in process",
        "",
        "| data | query | words | whole command | vs one word | `search()`, top 20 | vs one word |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, data, cache in (
        ("bundled", [], "worst-bundled"),
        (f"{size:,} events", ["--data", str(directory)], f"worst-{size}"),
    ):
        env = base_env(cache_root / cache)
        whole = []
        for query in queries:
            argv = [NRR, "search", "--limit", "1", query, *data]
            measure(argv, env, 1)  # fills the cache and, for the big data, builds the index
            whole.append(measure(argv, env, runs))
        inside = subprocess.run(
            [PYTHON, "-c", IN_PROCESS, data[1] if data else "-", *queries],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        in_ms = [float(line.split("\t")[1]) for line in inside.stdout.splitlines()]
        for query, m, ms in zip(queries, whole, in_ms, strict=True):
            shown = f"pasted quotation `{PASTED}`" if query == quotation else f"`{query}`"
            lines.append(
                f"| {label} | {shown} | {len(query.split())} | "
                f"{m.median_s * 1000:.0f} ms | {m.median_s / whole[0].median_s:.2f}x | "
                f"{ms:.1f} ms | {ms / in_ms[0]:.2f}x |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs per median (default 15)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="event counts to generate")
    parser.add_argument("--skip-typer", action="store_true", help="skip the Typer 0.29 row")
    parser.add_argument("--skip-scale", action="store_true", help="skip the scale section")
    parser.add_argument("--skip-startup", action="store_true", help="skip the start-up section")
    parser.add_argument(
        "--skip-worst", action="store_true", help="skip the worst-case query section"
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
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    system = f"{platform.system()} {platform.release()}"
    print(f"Machine: {machine}, {system}; {time.strftime('%Y-%m-%d')}; runs={options.runs}\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not options.skip_startup:
            for line in startup(options.runs, root / "cache-startup"):
                print(line, flush=True)
        if not options.skip_typer:
            for line in typer_release_row(options.runs):
                print(line, flush=True)
        if not options.skip_scale:
            for line in scale(options.runs, sizes, root / "caches", root / "data"):
                print(line, flush=True)
        if not options.skip_worst:
            worst = worst_queries(options.runs, max(sizes), root / "caches", root / "data")
            for line in worst:
                print(line, flush=True)


if __name__ == "__main__":
    main()
