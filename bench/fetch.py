"""Fetch benchmark: the Spotify client against a strictly sequential baseline, same run.

Serves N generated playlists of M tracks from the fake Spotify Web API (tests/fakespotify.py,
in a subprocess so that the server never competes with the client for the GIL) with a fixed
added latency per request, then measures:

* baseline: the same client with concurrency=1, one request at a time, playlist after
  playlist, on the first ``--baseline-playlists`` playlists; its time per request is
  extrapolated to the full run's request count (measured in this run, not remembered);
* client: ``get_playlists`` on all N playlists at each ``--concurrency`` value.

Prints the time, requests/s and the ratio baseline/client for each concurrency.

    python -m bench.fetch                      # 1,000 x 100 tracks, 50 ms, default concurrency
    python -m bench.fetch --concurrency 8,16,32,64
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from gitarchive.model import Playlist  # noqa: E402
from gitarchive.settings import DEFAULT_CONCURRENCY  # noqa: E402
from gitarchive.spotify import Auth, SpotifyClient  # noqa: E402
from tests.support.api import generated_id  # noqa: E402


def start_fake(
    playlists: int, tracks: int, latency: float
) -> tuple[subprocess.Popen[str], str, str, Auth]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.fakespotify",
            "--playlists",
            str(playlists),
            "--tracks",
            str(tracks),
            "--latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,  # `-m tests.support.fakespotify` is found from the project root
    )
    assert process.stdout is not None
    line = process.stdout.readline().split()
    if not line or line[0] != "READY":
        process.kill()
        raise SystemExit("the fake Spotify API did not start")
    _, accounts_url, api_url, client_id, client_secret = line
    return process, accounts_url, api_url, Auth(client_id, client_secret)


async def sequential(auth: Auth, api: str, accounts: str, ids: list[str]) -> tuple[float, int]:
    async with SpotifyClient(auth, api_url=api, accounts_url=accounts, concurrency=1) as client:
        await client.get_playlist(ids[0])  # warm up: token and connection
        requests_before = client.stats.requests
        started = time.perf_counter()
        for playlist_id in ids:
            await client.get_playlist(playlist_id)
        return time.perf_counter() - started, client.stats.requests - requests_before


async def concurrent(
    auth: Auth, api: str, accounts: str, ids: list[str], concurrency: int, tracks: int
) -> tuple[float, int]:
    async with SpotifyClient(
        auth, api_url=api, accounts_url=accounts, concurrency=concurrency
    ) as client:
        await client.get_playlist(ids[0])  # warm up: token
        requests_before = client.stats.requests
        started = time.perf_counter()
        results = await client.get_playlists(ids)
        elapsed = time.perf_counter() - started
        bad = [
            i
            for i, r in results.items()
            if not (isinstance(r, Playlist) and len(r.tracks) == tracks)
        ]
        if bad:
            raise SystemExit(f"{len(bad)} playlists came back wrong, e.g. {results[bad[0]]}")
        return elapsed, client.stats.requests - requests_before


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playlists", type=int, default=1000)
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--baseline-playlists", type=int, default=40)
    parser.add_argument("--concurrency", default=str(DEFAULT_CONCURRENCY))
    parser.add_argument("--repeat", type=int, default=1, help="client runs per concurrency")
    args = parser.parse_args()
    levels = [int(value) for value in args.concurrency.split(",")]

    process, accounts, api, auth = start_fake(args.playlists, args.tracks, args.latency)
    try:
        ids = [generated_id(i) for i in range(args.playlists)]
        base_time, base_requests = asyncio.run(
            sequential(auth, api, accounts, ids[: args.baseline_playlists])
        )
        per_request = base_time / base_requests
        print(
            f"baseline (one request at a time): {base_requests} requests in {base_time:.2f} s "
            f"= {per_request * 1000:.1f} ms/request, {1 / per_request:.1f} requests/s "
            f"({args.baseline_playlists} playlists, extrapolated per request below)"
        )
        print(
            f"{args.playlists} playlists x {args.tracks} tracks, "
            f"{args.latency * 1000:.0f} ms added latency per request"
        )
        for level in levels:
            times = []
            for _ in range(args.repeat):
                client_cpu, server_cpu = time.process_time(), process_cpu(process.pid)
                elapsed, requests = asyncio.run(
                    concurrent(auth, api, accounts, ids, level, args.tracks)
                )
                client_cpu = time.process_time() - client_cpu
                server_cpu = process_cpu(process.pid) - server_cpu
                times.append(elapsed)
            elapsed = statistics.median(times)
            baseline_full = per_request * requests
            print(
                f"concurrency {level:>3}: {requests} requests in {elapsed:.2f} s, "
                f"{requests / elapsed:.0f} requests/s; baseline would take {baseline_full:.1f} s; "
                f"ratio {baseline_full / elapsed:.1f}x "
                f"(CPU per request: client {client_cpu / requests * 1000:.2f} ms, "
                f"fake server {server_cpu / requests * 1000:.2f} ms)"
            )
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    main()
