"""Benchmark: how fast the playground answers, and how it holds up under a classroom.

Run:  .venv/bin/python bench/app.py [--sessions 30] [--reps 20] [--json bench/results/app.json]
Prints its figures and the command that made them; not part of the test suite.

1. Answer time of a one-year national what-if (Illinois HB 2553 in every state, 2023) at
   --reps replications, through the page's own `Service` (the same call the page makes):
   cold (baseline and variant both run) and warm (the baseline cached, the usual case
   once a class has run the base once); medians of 3.
2. A classroom on one laptop: `ringsim app` on loopback, --sessions headless Chromium
   pages opened at once, each waiting for its numbers, twice: every page opening the
   same link (a teacher's link: it runs once, the rest share it), and every page its
   own what-if (a different seed, so no cache helps: the worst case). Reports each
   session's time from opening the link to numbers on screen (median, 90th
   percentile, slowest), how many saw the queue, and errors (any page without
   numbers, or an error line). The browsers run on the same two cores as the server,
   so the times are an upper bound for a class whose pages run on their own laptops.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sim.web.service import Job, Service
from sim.web.whatif import WhatIf, to_query

WHATIF = dict(variants=("laws/illinois-hb2553-national",), horizon="2023")


def answer_times(reps: int) -> dict:
    service = Service()
    service.warm()
    cold, warm = [], []
    try:
        for k in range(3):
            spec = WhatIf(**WHATIF, reps=reps, seed=1000 + k)
            start = time.perf_counter()
            service.compare(spec, Job())
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            service.compare(WhatIf(**{**WHATIF, "variants": ("platform/e2ee-default",)}, reps=reps, seed=1000 + k),
                            Job())
            warm.append(time.perf_counter() - start)
    finally:
        service.close()
    return {"cold_s": round(statistics.median(cold), 2), "warm_s": round(statistics.median(warm), 2),
            "reps": reps}


async def classroom(url: str, sessions: int, reps: int, same_link: bool) -> dict:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])

        async def one(k: int) -> dict:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            link = url + "?" + to_query(WhatIf(**WHATIF, reps=reps, seed=3000 if same_link else 2000 + k))
            start = time.perf_counter()
            queued = False
            await page.goto(link)
            waiting = asyncio.ensure_future(page.wait_for_selector("#headline, #run-error", timeout=900_000))
            try:
                while not waiting.done():  # a light look every 2 s: did this session see the queue?
                    queued = queued or bool(await page.locator("#run-queue").count())
                    await asyncio.wait({waiting}, timeout=2)
                await waiting
            except Exception as err:  # noqa: BLE001 - any failure to show numbers is the figure
                return {"error": f"no numbers: {type(err).__name__}"}
            try:
                if await page.locator("#run-error").count():
                    return {"error": await page.locator("#run-error").inner_text()}
                return {"seconds": time.perf_counter() - start, "queued": queued}
            finally:
                await page.close()

        results = await asyncio.gather(*(one(k) for k in range(sessions)))
        await browser.close()
    times = sorted(r["seconds"] for r in results if "seconds" in r)
    errors = [r["error"] for r in results if "error" in r]
    return {"sessions": sessions, "reps": reps, "answered": len(times), "errors": len(errors),
            "error_lines": errors[:3], "saw_the_queue": sum(r.get("queued", False) for r in results),
            "median_s": round(statistics.median(times), 1) if times else None,
            "p90_s": round(times[int(0.9 * (len(times) - 1))], 1) if times else None,
            "slowest_s": round(times[-1], 1) if times else None}


def serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("ringsim app did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--class-reps", type=int, default=20, help="replications per classroom session")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    command = "python bench/app.py " + shlex.join(sys.argv[1:])
    figures = {"command": command, "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                              f"Python {platform.python_version()}"}
    figures["answer"] = answer_times(args.reps)
    print(f"one-year national what-if at {args.reps} replications: {figures['answer']['cold_s']} s cold, "
          f"{figures['answer']['warm_s']} s with the baseline cached (medians of 3)")
    for name, same in (("classroom_same_link", True), ("classroom_every_page_its_own", False)):
        server, url = serve()  # a fresh server each time: nothing cached
        try:
            figures[name] = c = asyncio.run(classroom(url, args.sessions, args.class_reps, same))
        finally:
            server.terminate()
            server.wait(10)
        print(f"{name.replace('_', ' ')}: {c['sessions']} sessions at once, {c['reps']} replications each: "
              f"{c['answered']} answered, {c['errors']} errors, {c['saw_the_queue']} saw the queue; time to numbers: "
              f"median {c['median_s']} s, 90th percentile {c['p90_s']} s, slowest {c['slowest_s']} s")
    print(f"({figures['machine']}; made by: {command})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
