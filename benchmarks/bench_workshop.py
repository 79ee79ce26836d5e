"""A workshop on this machine: N participant pages in one headless Chromium, all playing.

Starts ``wingsim dashboard --workshop`` on a free local port, opens N pages (each its own
browser context, so its own session), joins them, presses Play on every page (default
speed, 10 days per second) and measures:

- days per second on each page: the day counter the participant sees, read twice
  ``--play`` s apart (each page's rate over the time between its own two readings);
- the CPU the server, its workers and the browser used while playing (in cores);
- how long a click takes to be answered (Pause/Play, until the button's label changes),
  while the others keep playing; median and 95th percentile;
- the memory of the server and every process it started (the forkserver and the worker
  processes that host the sessions' models): the sum of their proportional set sizes (PSS,
  from ``/proc/PID/smaps_rollup``: a page shared by the forkserver and its workers counts
  once in all), before, with the sessions, and after they close, polled until it is back
  (within ``BACK_SHARE`` of the growth) or ``--settle`` s pass. The server's own resident
  set (RSS, what the "before" column measured) is printed beside it, and in the table.
  PSS divides a shared page among every process that maps it, so the tree's PSS falls when
  another process maps the same files (another server from the same venv starting): run
  nothing else from this venv while the memory is followed, or read the server's RSS.
- with the supervisor (``wingsim dashboard`` recycles its server process once the room
  has been empty for ``--recycle-after`` s): the tree is the supervisor and everything
  below it, its RSS summed is printed beside its PSS, "server RSS" is the supervisor's
  child (after a recycle, the new one's), and after the sessions close the memory is
  followed until the tree's PSS *and* RSS are both back against the post-warm-up baseline
  (the start without ``--warm-up``), judged once a recycled server's new forkserver has
  finished its imports. ``--recycle-after 0`` measures the server never recycled.

With ``--browser-cpus 1`` the browser (every Chromium process, and Playwright's driver)
is confined to that CPU (``sched_setaffinity``, what ``taskset`` does), so the server and
its workers have the other core to themselves, as when each participant's browser runs on
their own laptop. The figures of such a run are the server's capacity with one core drawn
away, not the target's measurement (one Chromium on the whole machine): report both.

Each click is also timed inside the page: from the press (the mousedown event's own time
stamp) to the animation frame after the button's new label appeared. Playwright's
``click()`` first checks the button is visible, stable over two animation frames and hit
by the pointer, in a renderer shared with 19 other playing pages: the in-page time is what
the participant waits, the Playwright time is what the target was first measured with.
Both are printed.

``--warm-up S``: before the measured rounds, one page joins, plays 5 s and closes, and the
benchmark waits S s; the memory after each round is then also compared with that
post-warm-up baseline (what the server keeps once it has served any page: imports,
compiled templates, caches), beside the comparison with the start. ``--rounds N`` opens and
closes the N sessions that many times, to tell a one-time cost from a per-session one.

Bounded: every wait has a timeout and the run ends by itself (about 2 min plus the settle,
a round).

    .venv/bin/python benchmarks/bench_workshop.py [--sessions 20] [--play 20] [--settle 300]
        [--rounds 1] [--click-rounds 1] [--warm-up 75] [--browser-cpus 1] [--recycle-after S]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
import urllib.request

import psutil
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from wingsim.dashboard.drive import CHROMIUM, CHROMIUM_ARGS, Server, day, join

#: Memory is "back" when the growth left over is at most this share of the peak growth.
BACK_SHARE = 0.2
#: Clicks timed per session (Pause then Play counts two).
CLICK_ROUNDS = 1
#: How long one click may take before the benchmark gives up on it (ms); a click that
#: times out is counted at this time (a lower bound) and the run goes on.
CLICK_TIMEOUT_MS = 10_000
MB = 1e6


def rss(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / MB


def anon(pid: int) -> float:
    """The anonymous part of a process's RSS (MB): its heap, not the files it maps."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024 / MB
    return 0.0


def pss(pid: int) -> float:
    """Proportional set size of one process (MB); 0 if it has gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        pass
    return 0.0


def tree(pid: int) -> list[int]:
    """The supervisor and every process below it (the server process, its forkserver,
    workers and resource tracker)."""
    try:
        return [pid] + [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def memory(pid: int) -> tuple[float, int]:
    """Total PSS of the server's process tree (MB), and how many processes it has."""
    pids = tree(pid)
    return sum(pss(p) for p in pids), len(pids)


def tree_rss(pid: int) -> float:
    """Total RSS of the server's process tree (MB): a page shared by the forkserver and its
    workers counts in each, but unlike PSS it does not fall when another process maps the
    same files."""
    total = 0.0
    for p in tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += rss(p)
    return total


def settled(pid: int, timeout: float = 60.0) -> float:
    """The tree's memory once it stops growing (the forkserver imports wingsim at start)."""
    last, _n = memory(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(2)
        now, _n = memory(pid)
        if abs(now - last) < 2:
            return now
        last = now
    return last


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user + system, s) of each process still running."""
    out = {}
    for p in pids:
        try:
            t = psutil.Process(p).cpu_times()
            out[p] = t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return out


def cpu_groups(top: int) -> dict[str, list[int]]:
    """The processes that share the cores: the server (the supervisor and its child), its
    workers (and forkserver), and the browser (every process under this benchmark that is
    not the server's)."""
    ours = tree(top)
    server = [top] + [c.pid for c in psutil.Process(top).children()]
    below = [c.pid for c in psutil.Process().children(recursive=True)]
    return {
        "server": server,
        "workers": [p for p in ours if p not in server],
        "browser": [p for p in below if p not in ours],
    }


def cpu_shares(before: dict, after: dict, seconds: float) -> str:
    """Each group's CPU over the interval, in cores (1.0 = one core busy all the time)."""
    parts = []
    for name, t1 in after.items():
        t0 = before.get(name, {})
        used = sum(t - t0.get(p, 0.0) for p, t in t1.items())
        parts.append(f"{name} {used / seconds:.2f}")
    return ", ".join(parts) + " cores"


def confine(pids: list[int], cpus: list[int]) -> int:
    """Pin ``pids`` to ``cpus`` (children forked later inherit it); how many were pinned."""
    done = 0
    for p in pids:
        try:
            psutil.Process(p).cpu_affinity(cpus)
            done += 1
        except psutil.NoSuchProcess:
            pass
    return done


def load() -> str:
    return " ".join(f"{x:.2f}" for x in psutil.getloadavg())


def kernels(url: str) -> int:
    """Sessions Solara holds (its diagnostics page, which answers this machine only)."""
    with urllib.request.urlopen(url + "resourcez", timeout=30) as r:
        return json.load(r)["kernels"]["total"]


def shown(page) -> tuple[int, float]:
    """The day counter a page shows, and when it was read."""
    d = day(page)
    return d, time.perf_counter()


#: In the page: the time of the press (the mousedown event's own time stamp, taken when
#: the browser received the input) until the play button shows its new label, and until
#: the next animation frame after that (the label drawn).
WATCH_CLICK = """(expect) => {
  const rec = {t0: null, seen: null, drawn: null};
  window.__wingsimClick = rec;
  const wall = (t) => performance.timeOrigin + t;  // ms since the epoch, as Python's clock
  document.addEventListener('mousedown', (e) => { rec.t0 = wall(e.timeStamp); },
                            {capture: true, once: true});
  const obs = new MutationObserver(() => {
    const b = document.querySelector('.wingsim-play');
    if (rec.t0 !== null && b && b.textContent.trim() === expect) {
      rec.seen = wall(performance.now());
      obs.disconnect();
      requestAnimationFrame(() => { rec.drawn = wall(performance.now()); });
    }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def click_time(page, press: str, expect: str) -> tuple[float, tuple[float, float, float] | None]:
    """Seconds from Playwright's click on ``press`` until the page shows ``expect``, and
    that time in three parts (None if the page did not see it): Playwright before the
    press reached the page (its checks, the dispatch), the page from the press to the new
    label drawn (what a participant waits), and Playwright after that until it saw the label.
    """
    page.evaluate(WATCH_CLICK, expect)
    t0 = time.time()
    try:
        page.get_by_role("button", name=press, exact=True).click(timeout=CLICK_TIMEOUT_MS)
        page.get_by_role("button", name=expect, exact=True).wait_for(timeout=CLICK_TIMEOUT_MS)
    except PlaywrightTimeout:
        return max(time.time() - t0, CLICK_TIMEOUT_MS / 1000), None
    t1 = time.time()
    try:
        page.wait_for_function("() => window.__wingsimClick.drawn !== null", timeout=5_000)
        rec = page.evaluate("() => window.__wingsimClick")
    except PlaywrightTimeout:
        return t1 - t0, None
    press_at, drawn_at = rec["t0"] / 1000, rec["drawn"] / 1000
    return t1 - t0, (press_at - t0, drawn_at - press_at, max(0.0, t1 - drawn_at))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def follow(srv, ref: tuple[float, float], peak: tuple[float, float], settle: float) -> dict:
    """After the pages closed: the tree's PSS and RSS polled every 5 s until both are back
    (within ``BACK_SHARE`` of their growth from ``ref``, the baseline's (PSS, RSS)) or
    ``settle`` s pass; the last figures, when they were read, and when the server process
    was recycled (None: it was not)."""
    top = srv.proc.pid
    first = srv.server_pid()
    t_close = time.perf_counter()
    left, left_rss, recycled = peak[0], peak[1], None
    while time.perf_counter() - t_close < settle:
        time.sleep(5)
        left, procs = memory(top)
        left_rss = tree_rss(top)
        now = srv.server_pid()
        if now != first and recycled is None:
            recycled = time.perf_counter() - t_close
            print(f"server process recycled ({first} -> {now}) by {recycled:.0f} s", flush=True)
            settled(top)  # the new forkserver's imports: judge the tree once they are done
            left, procs = memory(top)
            left_rss = tree_rss(top)
        print(
            f"{time.perf_counter() - t_close:.0f} s after closing: PSS {left:.0f} MB, RSS "
            f"{left_rss:.0f} MB in {procs} processes (server process {now}: RSS "
            f"{rss(now):.0f} MB), {kernels(srv.url)} sessions held",
            flush=True,
        )
        if back(left, ref[0], peak[0]) == "back" and back(left_rss, ref[1], peak[1]) == "back":
            break
    back_after, server = time.perf_counter() - t_close, srv.server_pid()
    return {
        "left": left,
        "left_tree_rss": left_rss,
        "back_after": back_after,
        "recycled": recycled,
        "left_rss": rss(server),
        "left_anon": anon(server),
    }


def warm_up(browser, srv, wait: float) -> None:
    """One participant joins, plays 5 s, pauses and leaves; then wait ``wait`` s (the
    server's reclaimer collects and trims at most 60 s after a close)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    join(page, srv.url, "W00")
    page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(5)
    click_time(page, "Pause", "Play")
    ctx.close()
    time.sleep(wait)
    settled(srv.proc.pid)  # a recycled server's new forkserver has finished its imports


def one_round(browser, srv, args, pinned: list[int], ref: tuple[float, float]) -> dict:
    """N pages join, all play, are measured, and close; the memory is followed against
    ``ref`` (the tree's PSS and RSS the round is compared with)."""
    pid = srv.proc.pid
    server = srv.server_pid()
    start_rss, start_anon = rss(server), anon(server)
    contexts, pages = [], []
    t_join = time.perf_counter()
    for i in range(args.sessions):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        page = ctx.new_page()
        join(page, srv.url, f"P{i + 1:02d}")
        contexts.append(ctx)
        pages.append(page)
    print(f"{args.sessions} sessions joined in {time.perf_counter() - t_join:.0f} s")
    if pinned:  # and any process the browser started since
        confine(cpu_groups(pid)["browser"], pinned)
    for page in pages:
        page.get_by_role("button", name="Play", exact=True).click()
    time.sleep(3)  # every page under way
    groups = cpu_groups(pid)
    c0 = {name: cpu_seconds(pids) for name, pids in groups.items()}
    t0 = time.perf_counter()
    d0 = [shown(p) for p in pages]
    time.sleep(args.play)
    d1 = [shown(p) for p in pages]
    dt = time.perf_counter() - t0
    c1 = {name: cpu_seconds(pids) for name, pids in groups.items()}
    cpu_play = cpu_shares(c0, c1, dt)
    # Each page's rate over its own interval between its two readings.
    rates = sorted((b[0] - a[0]) / (b[1] - a[1]) for a, b in zip(d0, d1, strict=True))
    print(f"days per second per session: {[round(r, 1) for r in rates]}", flush=True)
    print(f"CPU while playing: {cpu_play}", flush=True)
    load_play = load()
    print(f"load average while playing: {load_play}", flush=True)
    clicks, inside = [], []
    for _ in range(args.click_rounds):
        for page in pages:
            for press, expect in (("Pause", "Play"), ("Play", "Pause")):
                took, parts = click_time(page, press, expect)
                clicks.append(took)
                if parts is not None:
                    inside.append(parts)
    print(f"clicks (s): {[round(c, 2) for c in sorted(clicks)]}", flush=True)
    print(
        f"clicks timed in the page (s): {sorted(round(p[1], 2) for p in inside)}",
        flush=True,
    )
    print(
        "each click's parts (s, before the press / in the page / after): "
        f"{[tuple(round(x, 3) for x in p) for p in inside]}",
        flush=True,
    )
    peak, procs = memory(pid)
    peak_tree_rss = tree_rss(pid)
    peak_rss, peak_anon = rss(server), anon(server)
    print(
        f"memory {ref[0]:.0f} MB before, {peak:.0f} MB with the sessions in {procs} "
        f"processes (tree RSS {ref[1]:.0f} -> {peak_tree_rss:.0f} MB; server RSS "
        f"{start_rss:.0f} -> {peak_rss:.0f} MB); load {load()}",
        flush=True,
    )
    for ctx in contexts:
        ctx.close()
    after = follow(srv, ref, (peak, peak_tree_rss), args.settle)
    return {
        "rates": rates,
        "clicks": clicks,
        "inside": inside,
        "peak": peak,
        "peak_tree_rss": peak_tree_rss,
        "start_rss": start_rss,
        "peak_rss": peak_rss,
        "anon": (start_anon, peak_anon, after["left_anon"]),
        "load": load_play,
        "cpu": cpu_play,
        **after,
    }


def slowest(parts: list[tuple[float, float, float]]) -> str:
    """Where the slowest 5% of the clicks (by their whole time) spent it, on average."""
    if not parts:
        return "-"
    whole = sorted(parts, key=sum)
    tail = whole[int(0.95 * len(whole)) :] or whole[-1:]
    means = [statistics.fmean(p[i] for p in tail) for i in range(3)]
    return " / ".join(f"{m:.2f}" for m in means) + f" s ({len(tail)} clicks)"


def back(left: float, base: float, peak: float) -> str:
    return "back" if left - base <= BACK_SHARE * (peak - base) else "not back"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--play", type=float, default=20.0, help="seconds all play (measured)")
    ap.add_argument("--settle", type=float, default=300.0, help="seconds to wait for memory")
    ap.add_argument("--rounds", type=int, default=1, help="sessions opened and closed N times")
    ap.add_argument("--click-rounds", type=int, default=CLICK_ROUNDS, help="Pause+Play per page")
    ap.add_argument(
        "--warm-up",
        type=float,
        default=0.0,
        metavar="S",
        help="first one page joins, plays and closes, then wait S s: the post-warm-up "
        "baseline the memory is also compared with (default 0: no warm-up)",
    )
    ap.add_argument(
        "--browser-cpus",
        default="",
        help="confine the browser to these CPUs (comma-separated, e.g. 1); default: all",
    )
    ap.add_argument(
        "--recycle-after",
        default="",
        metavar="S",
        help="the server's --recycle-after (default: the server's own; 0: never recycled)",
    )
    args = ap.parse_args()
    pinned = [int(c) for c in args.browser_cpus.split(",") if c.strip()]
    options = ["--workshop", "--drop-after", "60"]
    options += ["--recycle-after", args.recycle_after] if args.recycle_after else []

    with Server(*options) as srv, sync_playwright() as pw:
        pid = srv.proc.pid
        base = settled(pid)
        base_tree_rss = tree_rss(pid)
        server = srv.server_pid()
        base_rss, base_anon = rss(server), anon(server)
        print(
            f"at start: {base:.0f} MB in {memory(pid)[1]} processes (tree RSS "
            f"{base_tree_rss:.0f} MB, supervisor RSS {rss(pid):.0f} MB, server RSS "
            f"{base_rss:.0f} MB); load average {load()}",
            flush=True,
        )
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if pinned:  # before any page opens: its renderer inherits the zygote's CPUs
            n = confine(cpu_groups(pid)["browser"], pinned)
            print(f"browser confined to CPU {args.browser_cpus} ({n} processes)", flush=True)
        warm = warm_rss = warm_tree_rss = None
        ref = (base, base_tree_rss)
        if args.warm_up:
            warm_up(browser, srv, args.warm_up)
            warm, warm_tree_rss = memory(pid)[0], tree_rss(pid)
            server = srv.server_pid()
            warm_rss = rss(server)
            ref = (warm, warm_tree_rss)
            print(
                f"after the warm-up: {warm:.0f} MB (tree RSS {warm_tree_rss:.0f} MB, server "
                f"process {server}: RSS {warm_rss:.0f} MB); load average {load()}",
                flush=True,
            )
        rounds = [one_round(browser, srv, args, pinned, ref) for _ in range(args.rounds)]
        browser.close()

    def row(name: str, cells: list[str], target: str = "") -> str:
        return f"| {name} | " + " | ".join(cells) + f" | {target} |"

    where = f" (browser confined to CPU {args.browser_cpus})" if pinned else ""
    lines = [
        f"\n| {args.sessions} sessions, one headless Chromium{where} | "
        + " | ".join(f"round {i + 1}" for i in range(len(rounds)))
        + " | target |",
        "|---" * (len(rounds) + 2) + "|",
        row(
            "days per second per session (min / median / max)",
            [
                f"{r['rates'][0]:.1f} / {statistics.median(r['rates']):.1f} / {r['rates'][-1]:.1f}"
                for r in rounds
            ],
            "at least 5",
        ),
        row(
            "click answered, Playwright's click() to the new label (median / 95th percentile)",
            [
                f"{statistics.median(r['clicks']):.2f} s / {p95(r['clicks']):.2f} s "
                f"({len(r['clicks'])} clicks)"
                for r in rounds
            ],
            "under 0.5 s at the 95th",
        ),
        row(
            "the same clicks timed in the page: press to new label drawn (median / 95th)",
            [
                f"{statistics.median(p[1] for p in r['inside']):.2f} s / "
                f"{p95([p[1] for p in r['inside']]):.2f} s ({len(r['inside'])} seen)"
                if r["inside"]
                else "-"
                for r in rounds
            ],
        ),
        row(
            "Playwright's time in parts, median / 95th: before the press reached the page "
            "(its checks, the dispatch); after the label was drawn until it saw it",
            [
                f"{statistics.median(p[0] for p in r['inside']):.2f} / "
                f"{p95([p[0] for p in r['inside']]):.2f} s; "
                f"{statistics.median(p[2] for p in r['inside']):.2f} / "
                f"{p95([p[2] for p in r['inside']]):.2f} s"
                if r["inside"]
                else "-"
                for r in rounds
            ],
        ),
        row(
            "the slowest 5% of clicks (Playwright's time): mean of before / in the page / after",
            [slowest(r["inside"]) for r in rounds],
        ),
        row(
            "memory, server and workers (PSS): start / with sessions / per session",
            [
                f"{base:.0f} MB / {r['peak']:.0f} MB / {(r['peak'] - base) / args.sessions:.1f} MB"
                for r in rounds
            ],
            "under 30 MB per session",
        ),
        row(
            "memory after the sessions closed, against the start",
            [
                f"{r['left']:.0f} MB after {r['back_after']:.0f} s ({r['left'] - base:+.0f} MB; "
                f"{back(r['left'], base, r['peak'])})"
                for r in rounds
            ],
            "back within 5 min",
        ),
        row(
            "the tree's RSS (supervisor, server, forkserver, workers): start / with sessions "
            "/ after the sessions closed",
            [
                f"{base_tree_rss:.0f} / {r['peak_tree_rss']:.0f} / {r['left_tree_rss']:.0f} MB "
                f"({r['left_tree_rss'] - base_tree_rss:+.0f} MB against the start)"
                for r in rounds
            ],
        ),
        row(
            "server process recycled (s after the sessions closed)",
            [f"{r['recycled']:.0f} s" if r["recycled"] is not None else "no" for r in rounds],
        ),
        row(
            "the server process's RSS: start / before the round / with sessions / after "
            "(after a recycle: the new process's)",
            [
                f"{base_rss:.0f} / {r['start_rss']:.0f} / {r['peak_rss']:.0f} / "
                f"{r['left_rss']:.0f} MB ({r['left_rss'] - base_rss:+.0f} MB against the start;"
                f" {back(r['left_rss'], base_rss, r['peak_rss'])})"
                for r in rounds
            ],
        ),
    ]
    lines.append(
        row(
            "of which anonymous (RssAnon: heap, not mapped files): start / before / with / after",
            [
                f"{base_anon:.0f} / {r['anon'][0]:.0f} / {r['anon'][1]:.0f} / {r['anon'][2]:.0f}"
                f" MB ({r['anon'][2] - base_anon:+.0f} MB)"
                for r in rounds
            ],
        )
    )
    if warm is not None:
        lines += [
            row(
                "against the post-warm-up baseline (one page joined, played, closed): "
                f"tree PSS {warm:.0f} MB, tree RSS {warm_tree_rss:.0f} MB, server RSS "
                f"{warm_rss:.0f} MB",
                [
                    f"tree PSS {r['left'] - warm:+.0f} MB ({back(r['left'], warm, r['peak'])}); "
                    f"tree RSS {r['left_tree_rss'] - warm_tree_rss:+.0f} MB "
                    f"({back(r['left_tree_rss'], warm_tree_rss, r['peak_tree_rss'])}) "
                    f"after {r['back_after']:.0f} s; "
                    f"server RSS {r['left_rss'] - warm_rss:+.0f} MB "
                    f"({back(r['left_rss'], warm_rss, r['peak_rss'])})"
                    for r in rounds
                ],
            )
        ]
    lines += [
        row("load average (1, 5, 15 min) while playing", [r["load"] for r in rounds]),
        row("CPU while playing (of 2 cores)", [r["cpu"] for r in rounds]),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
