"""Restore benchmark: 10,000 tracks into a playlist, against the same number of sequential
requests, both through the fake Spotify API with a fixed latency per request, same run.

* restore: :func:`gitarchive.restore.restore` (``--into``) of a 10,000-track version into a
  playlist of 10 other tracks: it reads the user, the target and its items, writes (one
  replace, then appends of 100, one after the other: order matters), and reads the playlist
  again to verify;
* baseline: as many requests as the restore sent, one after the other (``GET /me``), the
  time any client needs that does not overlap its reads.

Prints medians over ``--repeat`` runs, the write requests (at most ceil(n/100) + 3) and the
ratio baseline / restore. The fake runs in this process (its handler threads sleep out the
latency; the client waits on sockets).

    python -m bench.restore                      # 10,000 tracks, 50 ms per request, 3 runs
    python -m bench.restore --tracks 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from datetime import date

from gitarchive.restore import RestoreOptions, RestoreSource, restore
from gitarchive.spotify import Auth, SpotifyClient, parse_playlist
from tests.support.api import fake_id, playlist_with_tracks
from tests.support.fake_writes import WRITE_SCOPE
from tests.support.fakespotify import FakeSpotify

SOURCE = fake_id("bench-restore", "archived")
TARGET = fake_id("bench-restore", "target")


def source_of(tracks: int) -> RestoreSource:
    data = playlist_with_tracks(SOURCE, list(range(tracks)))
    meta = {k: v for k, v in data.items() if k != "items"}
    playlist = parse_playlist(meta, data["items"]["items"])
    return RestoreSource(SOURCE, "Bench", playlist.tracks, "0" * 40, date(2026, 11, 20))


def client_for(fake: FakeSpotify, token: str, concurrency: int | None = None) -> SpotifyClient:
    auth = Auth(fake.client_id, fake.client_secret, token)
    extra = {} if concurrency is None else {"concurrency": concurrency}
    return SpotifyClient(auth, api_url=fake.api_url, accounts_url=fake.accounts_url, **extra)


async def one_restore(fake: FakeSpotify, token: str, source: RestoreSource) -> tuple[float, int]:
    fake.add_playlist(playlist_with_tracks(TARGET, list(range(10)), owner_id=fake.default_user))
    async with client_for(fake, token) as client:
        await client.check_token()  # the token request is not the restore's
        before = len(fake.api_requests())
        started = time.perf_counter()
        result = await restore(client, source, RestoreOptions(into=TARGET))
        elapsed = time.perf_counter() - started
    assert result.writes <= math.ceil(len(source.tracks) / 100) + 3, result.writes
    return elapsed, len(fake.api_requests()) - before


async def sequential(fake: FakeSpotify, token: str, count: int) -> float:
    async with client_for(fake, token, concurrency=1) as client:
        await client.check_token()
        started = time.perf_counter()
        for _ in range(count):
            await client.get_json("/me", {}, deadline=client.budget_deadline())
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = source_of(args.tracks)
    with FakeSpotify(latency=args.latency) as fake:
        token = fake.issue_refresh_token(scope=WRITE_SCOPE)
        restores, baselines, requests = [], [], 0
        for _ in range(args.repeat):
            fake.reset_log()
            elapsed, requests = asyncio.run(one_restore(fake, token, source))
            writes = len(fake.writes.requests())
            restores.append(elapsed)
            baselines.append(asyncio.run(sequential(fake, token, requests)))
    restore_median, baseline_median = statistics.median(restores), statistics.median(baselines)
    print(f"{args.tracks:,} tracks, {args.latency * 1000:.0f} ms per request, {args.repeat} runs")
    print(f"restore:  median {restore_median:.2f} s, {requests} requests, {writes} of them writes")
    print(f"baseline: median {baseline_median:.2f} s for {requests} sequential requests")
    print(f"ratio baseline / restore: {baseline_median / restore_median:.2f}")


if __name__ == "__main__":
    main()
