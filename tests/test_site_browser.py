"""The site in a real browser: Debian's Chromium, driven by Playwright, pages opened from file://.

A missing browser or Playwright fails these tests (never a skip): .ci/run
installs both. Playwright's own browser download is not used; it drives the
system Chromium (``GITARCHIVE_CHROMIUM``, else ``chromium`` on PATH).

``GITARCHIVE_SCREENSHOT=docs/site-playlist.png`` also copies the screenshot the
run takes to that path (how docs/site-playlist.png is made).
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from typer.testing import CliRunner

from gitarchive import cli
from tests.support.browser import BROWSER_NEEDED, system_chromium
from tests.support.builder import RepoBuilder, playlist_files
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.support.demo import DemoArchive

runner = CliRunner()


def chromium_path() -> str:
    found = system_chromium()
    if not found:
        pytest.fail(BROWSER_NEEDED)
    return found


def cli_json(*args: str) -> Any:
    result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def browser(demo_site: tuple[Path, Path, list[str]]) -> Iterator[Browser]:
    # after demo_site: the demo's sync runs asyncio.run, which cannot start inside the
    # event loop that Playwright's sync API keeps running while the browser is open
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu"],  # root in a container: no user namespaces
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_site(
    demo_archive: DemoArchive, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, list[str]]:
    archive = demo_archive.path
    out = tmp_path_factory.mktemp("site") / "out"
    done = runner.invoke(cli.app, ["-C", str(archive), "site", str(out)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return archive, out, [playlist_id for playlist_id, _ in demo_archive.result.playlists]


def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1000, "height": 1300})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text))
    page.on("request", lambda request: _check_local(request.url, errors))
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    return page, errors


def _check_local(url: str, errors: list[str]) -> None:
    if not url.startswith(("file://", "data:")):
        errors.append(f"network request: {url}")


def rows(page: Page, kind: str) -> list[tuple[str, str, str]]:
    found = page.eval_on_selector_all(
        f"#tracks li.track.{kind} .now",
        "nodes => nodes.map(n => [n.querySelector('.t').textContent, "
        "n.querySelector('.ar').textContent, n.querySelector('.al').textContent])",
    )
    return [tuple(row) for row in found]


def updates(page: Page) -> list[tuple[str, str]]:
    found = page.eval_on_selector_all(
        "#tracks li.track.updated",
        "nodes => nodes.map(n => [n.querySelector('.before .t').textContent, "
        "n.querySelector('.now .t').textContent])",
    )
    return [tuple(row) for row in found]


def expected(tracks: list[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    return Counter((t["name"], ", ".join(t["artists"]), t["album"]) for t in tracks)


def test_demo_pages_step_through_historys_versions(
    browser: Browser, demo_site: tuple[Path, Path, list[str]]
) -> None:
    archive, out, ids = demo_site
    for playlist_id in ids:
        history = cli_json(
            "-C", str(archive), "history", playlist_id, "--format", "json", "--reverse"
        )
        wanted = history["versions"]
        page, errors = open_page(browser, (out / "p" / f"{playlist_id}.html").as_uri())
        assert page.eval_on_selector("#slider", "s => Number(s.max)") == len(wanted) - 1
        # the newest version first; then back one by one with the button, ← and the slider
        for index in range(len(wanted) - 1, -1, -1):
            if index < len(wanted) - 1:
                how = index % 3
                if how == 0:
                    page.click("#prev")
                elif how == 1:
                    page.click("h1")  # focus off the slider and buttons: ← goes to the page
                    page.keyboard.press("ArrowLeft")
                else:
                    page.fill("#slider", str(index))
            version = wanted[index]
            assert page.text_content("#vcommit") == version["commit"][:12]
            assert page.evaluate("location.hash") == f"#{version['commit'][:12]}" or (
                index == len(wanted) - 1
            )
            assert Counter(rows(page, "added")) == expected(version["added"]), (playlist_id, index)
            assert Counter(rows(page, "removed")) == expected(version["removed"])
            assert sorted(updates(page)) == sorted(
                (u["before"]["name"], u["after"]["name"]) for u in version["updated"]
            )
            assert page.text_content("#vname") == version["name"]
        assert page.is_disabled("#prev")
        page.keyboard.press("ArrowRight")
        assert page.text_content("#vcommit") == wanted[1]["commit"][:12]
        assert errors == []
        page.close()


def test_a_link_with_a_version_opens_that_version(
    browser: Browser, demo_site: tuple[Path, Path, list[str]]
) -> None:
    archive, out, ids = demo_site
    wanted = cli_json("-C", str(archive), "history", ids[0], "--format", "json", "--reverse")[
        "versions"
    ]
    middle = wanted[len(wanted) // 2]
    url = (out / "p" / f"{ids[0]}.html").as_uri() + f"#{middle['commit'][:12]}"
    page, errors = open_page(browser, url)
    assert page.text_content("#vcommit") == middle["commit"][:12]
    assert Counter(rows(page, "added")) == expected(middle["added"])
    assert errors == []
    page.close()


def test_likes_chart_has_one_point_per_likes_version(
    browser: Browser, demo_site: tuple[Path, Path, list[str]]
) -> None:
    archive, out, ids = demo_site
    for playlist_id in ids:
        history = cli_json(
            "-C", str(archive), "history", playlist_id, "--likes", "--format", "json", "--reverse"
        )
        likes: list[int] = []
        for version in history["versions"]:
            if version["likes"] is not None and (not likes or likes[-1] != version["likes"]):
                likes.append(version["likes"])
        page, errors = open_page(browser, (out / "p" / f"{playlist_id}.html").as_uri())
        plotted = page.eval_on_selector_all(
            "svg.likes circle.pt", "points => points.map(p => Number(p.dataset.likes))"
        )
        assert plotted == likes and len(likes) > 1
        box = page.locator("svg.likes").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        labels = page.eval_on_selector_all(
            "svg.likes .axis.x text", "t => t.map(x => x.textContent)"
        )
        assert labels[0] == history["versions"][0]["date"][:10]
        assert errors == []
        page.close()


def test_index_lists_and_filters_playlists(
    browser: Browser, demo_site: tuple[Path, Path, list[str]]
) -> None:
    archive, out, ids = demo_site
    names = {cli_json("-C", str(archive), "history", i, "--format", "json")["name"] for i in ids}
    page, errors = open_page(browser, (out / "index.html").as_uri())
    visible = "items => items.filter(i => !i.hidden).map(i => i.querySelector('.name').textContent)"
    assert set(page.eval_on_selector_all("#playlists > li", visible)) == names
    assert page.locator("#playlists svg.spark").count() == len(ids)
    some = sorted(names)[0]
    word = some.split()[0].upper()  # case-insensitive
    page.fill("#filter", word)
    shown = page.eval_on_selector_all("#playlists > li", visible)
    assert shown == sorted(n for n in names if word.lower() in n.lower()) or set(shown) == {
        n for n in names if word.lower() in n.lower()
    }
    assert 0 < len(shown) < len(names)
    page.fill("#filter", "no playlist is called this")
    assert page.eval_on_selector_all("#playlists > li", visible) == []
    page.fill("#filter", "")
    assert len(page.eval_on_selector_all("#playlists > li", visible)) == len(names)
    page.click(f"#playlists a:has-text('{some}')")
    page.wait_for_selector("body[data-ready='1']")
    assert page.text_content("h1") == some
    assert errors == []
    page.close()


def test_cumulative_table_sorts_by_column(
    browser: Browser, demo_site: tuple[Path, Path, list[str]]
) -> None:
    _archive, out, ids = demo_site
    page, errors = open_page(browser, (out / "p" / f"{ids[0]}.html").as_uri())
    column = "rows => rows.map(r => r.cells[3].dataset.sort)"
    page.click("#cumulative th:nth-child(4) button")
    added = page.eval_on_selector_all("#cumulative tbody tr", column)
    assert added == sorted(added)
    page.click("#cumulative th:nth-child(4) button")
    assert page.eval_on_selector_all("#cumulative tbody tr", column) == sorted(added, reverse=True)
    titles = "rows => rows.map(r => r.cells[0].textContent.toLocaleLowerCase())"
    page.click("#cumulative th:nth-child(1) button")
    assert page.eval_on_selector_all("#cumulative tbody tr", titles) == sorted(
        page.eval_on_selector_all("#cumulative tbody tr", titles)
    )
    assert errors == []
    page.close()


HOSTILE_NAME = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> \u202eRTL'
HOSTILE_TRACK = "</script><script>window.__pwned=3</script><!--"


def test_injected_script_in_names_does_not_run(browser: Browser, tmp_path: Path) -> None:
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    evil = model_track(2, name=HOSTILE_TRACK)
    builder.commit(
        playlist_files(
            model_playlist(model_track(1), name=HOSTILE_NAME, description=HOSTILE_TRACK)
        ),
        date="2026-01-01T06:00:00Z",
    )
    builder.commit(
        playlist_files(model_playlist(model_track(1), evil, name=HOSTILE_NAME, likes=7)),
        date="2026-01-02T06:00:00Z",
    )
    (repo / "gitarchive.toml").write_text('github = "some-owner/some-repo"\n')
    out = tmp_path / "out"
    done = runner.invoke(cli.app, ["-C", str(repo), "site", str(out)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    head = str(builder.repo.head.target)
    page, _ = open_page(browser, (out / "p" / f"{PID}.html").as_uri())
    assert page.get_attribute("#vcommit", "href") == (
        f"https://github.com/some-owner/some-repo/commit/{head}"
    )
    page.close()
    for url in ((out / "index.html").as_uri(), (out / "p" / f"{PID}.html").as_uri()):
        page, errors = open_page(browser, url)
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("img").count() == 0
        if "index" in url:
            assert page.text_content("#playlists .name") == HOSTILE_NAME
        else:
            assert page.text_content("h1") == HOSTILE_NAME
            assert rows(page, "added") == [(HOSTILE_TRACK, "Artist 2", "Album")]
        assert [e for e in errors if "Content Security Policy" not in e] == []
        page.close()


def test_a_version_page_marks_the_tracks_that_moved(browser: Browser, tmp_path: Path) -> None:
    repo = tmp_path / "archive"
    builder = RepoBuilder(repo)
    tracks = [model_track(n) for n in range(1, 11)]
    builder.commit(playlist_files(model_playlist(*tracks)), date="2026-01-01T06:00:00Z")
    # the 9th to the top (8 places), one added at the end: its neighbours move by 1 only
    moved = [tracks[8], *tracks[:8], tracks[9], model_track(11)]
    builder.commit(playlist_files(model_playlist(*moved)), date="2026-01-02T06:00:00Z")
    out = tmp_path / "out"
    done = runner.invoke(cli.app, ["-C", str(repo), "site", str(out)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    page, errors = open_page(browser, (out / "p" / f"{PID}.html").as_uri())
    assert rows(page, "moved") == [("Song 9", "Artist 9", "Album")]
    assert page.text_content("#tracks li.track.moved .tag") == "moved 9 → 1"
    assert rows(page, "added") == [("Song 11", "Artist 11", "Album")]
    assert page.text_content("#vsummary") == "11 tracks · +1 −0 ↕1"
    assert errors == []
    page.close()


def test_screenshot_of_a_playlist_page(
    browser: Browser, demo_site: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    archive, out, ids = demo_site
    wanted = cli_json("-C", str(archive), "history", ids[0], "--format", "json", "--reverse")[
        "versions"
    ]
    busiest = max(wanted[1:], key=lambda v: min(len(v["added"]), len(v["removed"])))
    page, errors = open_page(browser, (out / "p" / f"{ids[0]}.html").as_uri())
    page.fill("#slider", str(wanted.index(busiest)))
    page.evaluate(
        "document.querySelector('#tracks li.removed, #tracks li.added')"
        ".scrollIntoView({block: 'center'})"
    )
    shot = tmp_path / "site-playlist.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    target = os.environ.get("GITARCHIVE_SCREENSHOT")
    if target:
        shutil.copyfile(shot, target)
    assert errors == []
    page.close()


def test_a_long_cumulative_table_is_folded_and_built_when_opened(
    browser: Browser, tmp_path: Path
) -> None:
    from gitarchive.site.pages import OPEN_TABLE_ROWS

    half = OPEN_TABLE_ROWS // 2 + 1
    builder = RepoBuilder(tmp_path / "archive")
    builder.commit(
        playlist_files(model_playlist(*(model_track(n) for n in range(half)))), date="2026-01-01"
    )
    builder.commit(
        playlist_files(model_playlist(*(model_track(n) for n in range(half, 2 * half)))),
        date="2026-01-02",
    )
    out = tmp_path / "out"
    done = runner.invoke(
        cli.app, ["-C", str(tmp_path / "archive"), "site", str(out)], catch_exceptions=False
    )
    assert done.exit_code == 0, done.output
    page, errors = open_page(browser, (out / "p" / f"{PID}.html").as_uri())
    assert page.locator("#cumulative tbody tr").count() == 0
    assert not page.is_visible("#cumulative")
    page.click("#everything summary")
    # the rows are built on the details' toggle event, which fires after the click returns
    expect(page.locator("#cumulative tbody tr")).to_have_count(2 * half)
    assert page.locator("#cumulative tr.gone").count() == half
    assert errors == []
    page.close()


def test_changes_page_filters_by_playlist_name_and_opens_each_version(
    browser: Browser, demo_site: tuple[Path, Path, list[str]]
) -> None:
    _archive, out, _ids = demo_site
    page, errors = open_page(browser, (out / "changes.html").as_uri())
    shown = "items => items.filter(i => !i.hidden).map(i => i.getAttribute('data-name'))"
    days = "days => days.filter(d => !d.hidden).length"
    every = page.eval_on_selector_all("#changes li[data-name]", shown)
    all_days = page.eval_on_selector_all("#changes section.day", days)
    word = sorted(set(every))[0].split()[0].upper()  # case-insensitive
    page.fill("#filter", word)
    matching = page.eval_on_selector_all("#changes li[data-name]", shown)
    assert matching == [name for name in every if word.lower() in name.lower()]
    assert 0 < len(matching) < len(every)
    page.fill("#filter", "no playlist is called this")
    assert page.eval_on_selector_all("#changes li[data-name]", shown) == []
    assert page.eval_on_selector_all("#changes section.day", days) == 0
    page.fill("#filter", "")
    assert page.eval_on_selector_all("#changes li[data-name]", shown) == every
    assert page.eval_on_selector_all("#changes section.day", days) == all_days
    link = page.locator("#changes a.name").nth(1)
    commit = (link.get_attribute("href") or "").rsplit("#", 1)[1]
    link.click()
    page.wait_for_selector("body[data-ready='1']")
    assert page.text_content("#vcommit") == commit
    assert errors == []
    page.close()
