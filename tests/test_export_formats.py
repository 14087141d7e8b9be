"""`gitarchive export csv|m3u8|xspf|json`: each read back by a reader that is not ours."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
from lxml import etree

from gitarchive.model import Album, Artist, Track
from tests.support.builder import RepoBuilder
from tests.support.cli import run_cli_captured
from tests.support.models import PID, model_playlist, model_track

if TYPE_CHECKING:
    from tests.support.demo import DemoArchive

# Exportify's header as its README ("Export Format") and its tests list it, in its order
EXPORTIFY_HEADER = [
    "Track URI", "Track Name", "Artist URI(s)", "Artist Name(s)", "Album URI", "Album Name",
    "Album Artist URI(s)", "Album Artist Name(s)", "Album Release Date", "Album Image URL",
    "Disc Number", "Track Number", "Track Duration (ms)", "Track Preview URL", "Explicit",
    "Popularity", "ISRC", "Is Playable", "Added By", "Added At",
]  # fmt: skip
# xspf.org's Relax NG schema for XSPF version 1 (xspf-1_0.7.rng), shipped unchanged
XSPF_SCHEMA = Path(__file__).parent / "data" / "xspf" / "xspf-1_0.7.rng"
EXPORT_SCHEMA = Path(__file__).parent.parent / "gitarchive" / "schemas" / "export.json"
EXTINF = re.compile(r"#EXTINF:(-1|\d+),(.+)")
KPOP = "37i9dQZF1DX5LEXW9eXA0n"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, demo_archive: DemoArchive) -> Path:
    root = tmp_path_factory.mktemp("export-formats") / "demo"
    shutil.copytree(demo_archive.path, root, symlinks=True)
    return root


def export(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    code, out, err = run_cli_captured(capsys, "-C", str(root), "export", *args)
    assert code == 0, err
    return out


def show_tracks(capsys: pytest.CaptureFixture[str], root: Path, *at: str) -> list[dict[str, Any]]:
    code, out, err = run_cli_captured(capsys, "-C", str(root), "show", KPOP, *at, "--format=json")
    assert code == 0, err
    tracks: list[dict[str, Any]] = json.loads(out)["tracks"]
    return tracks


def uri(url: str) -> str:
    kind, spotify_id = url.removeprefix("https://open.spotify.com/").split("/")
    return f"spotify:{kind}:{spotify_id}"


def test_csv_reads_back_with_exportifys_header_and_shows_tracks(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kpop.csv"
    export(capsys, archive, "csv", str(out), "--playlist", KPOP)
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        assert reader.fieldnames == EXPORTIFY_HEADER
    assert out.read_text("utf-8").startswith('"Track URI","Track Name","Artist URI(s)"')
    tracks = show_tracks(capsys, archive)
    assert len(rows) == len(tracks)
    for row, track in zip(rows, tracks, strict=True):
        assert row["Track URI"] == uri(track["url"])
        assert row["Track Name"] == track["name"]
        names = [artist["name"].replace(",", "\\,") for artist in track["artists"]]
        assert row["Artist Name(s)"] == ", ".join(names)
        assert row["Artist URI(s)"] == ", ".join(uri(a["url"]) for a in track["artists"])
        assert row["Album URI"] == uri(track["album"]["url"])
        assert row["Album Name"] == track["album"]["name"]
        assert row["Track Duration (ms)"] == str(track["duration_ms"])
        assert row["Added At"][:19] == (track["added_at"] or "").replace(" ", "T")[:19]
        assert row["ISRC"] == row["Popularity"] == row["Added By"] == ""  # not archived


def test_m3u8_follows_the_extended_m3u_line_grammar(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "kpop.m3u8"
    export(capsys, archive, "m3u8", str(out), "--playlist", KPOP, "--at", "2026-10-15")
    lines = out.read_text("utf-8").split("\n")
    assert lines[0] == "#EXTM3U" and lines[-1] == ""
    body = lines[1:-1]
    assert len(body) % 2 == 0
    tracks = show_tracks(capsys, archive, "--at", "2026-10-15")
    assert len(body) == 2 * len(tracks)
    for info, location, track in zip(body[::2], body[1::2], tracks, strict=True):
        match = EXTINF.fullmatch(info)
        assert match, info
        assert int(match.group(1)) == round(track["duration_ms"] / 1000)
        artists = ", ".join(artist["name"] for artist in track["artists"])
        assert match.group(2) == f"{artists} - {track['name']}"
        assert location == track["url"]


def test_xspf_is_valid_against_the_xspf_version_1_schema(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = etree.RelaxNG(etree.parse(str(XSPF_SCHEMA)))
    namespace = {"x": "http://xspf.org/ns/0/"}
    export(capsys, archive, "xspf", str(tmp_path / "now"))
    export(capsys, archive, "xspf", str(tmp_path / "all"), "--cumulative")
    files = sorted((tmp_path / "now").glob("*.xspf")) + sorted((tmp_path / "all").glob("*.xspf"))
    assert len(files) == 8
    for path in files:
        document = etree.parse(str(path))
        assert schema.validate(document), (path, schema.error_log)
    kpop = etree.parse(str(tmp_path / "now" / f"{KPOP}.xspf"))
    locations = kpop.xpath("//x:track/x:location/text()", namespaces=namespace)
    assert locations == [track["url"] for track in show_tracks(capsys, archive)]


def test_json_validates_against_its_shipped_schema(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = json.loads(EXPORT_SCHEMA.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    out = export(capsys, archive, "json", str(tmp_path / "versions"))
    assert out.startswith(f"wrote {tmp_path / 'versions'}: 4 playlists")
    export(capsys, archive, "json", str(tmp_path / "cumulative"), "--cumulative")
    for folder, kind in (("versions", "version"), ("cumulative", "cumulative")):
        for path in sorted((tmp_path / folder).iterdir()):
            document = json.loads(path.read_text("utf-8"))
            validator.validate(document)
            assert document["kind"] == kind and path.name == f"{document['id']}.json"
    version = json.loads((tmp_path / "versions" / f"{KPOP}.json").read_text("utf-8"))
    assert [t["url"] for t in version["tracks"]] == [t["url"] for t in show_tracks(capsys, archive)]
    cumulative = export(capsys, archive, "json", str(tmp_path / "k.json"), "--playlist", KPOP,
                        "--cumulative")  # fmt: skip
    assert cumulative.startswith(f"wrote {tmp_path / 'k.json'}: 1 playlists")
    code, out, _ = run_cli_captured(capsys, "-C", str(archive), "cumulative", KPOP,
                                    "--format", "json")  # fmt: skip
    assert code == 0
    view = json.loads(out)
    exported = json.loads((tmp_path / "k.json").read_text("utf-8"))
    assert [(t["url"], t["first_seen"], t["removed"]) for t in exported["tracks"]] == [
        (t["url"], t["added"], t["removed"]) for t in view["tracks"]
    ]


def test_tracks_without_links_or_durations_stay_readable_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A local file (no URL, no duration) beside a linked track; names XML and CSV must quote."""
    linked = model_track(1, name='Rock & "Roll" <live>')
    tricky = Track(
        name="Tabs\tand, commas",
        artists=(Artist("Crosby, Stills & Nash"),),
        album=Album("Déjà <vu>"),
        url=None,
        duration_ms=None,
    )
    root = tmp_path / "archive"
    RepoBuilder(root).commit_playlists(
        [model_playlist(linked, tricky, name="Odd & <Ends>")], date="2026-02-01T12:00:00Z"
    )
    out = export(capsys, root, "m3u8", str(tmp_path / "odd.m3u8"), "--playlist", PID)
    assert "(1 without a Spotify link left out)" in out
    lines = (tmp_path / "odd.m3u8").read_text("utf-8").splitlines()
    assert lines == ["#EXTM3U", '#EXTINF:180,Artist 1 - Rock & "Roll" <live>', linked.url]
    export(capsys, root, "xspf", str(tmp_path / "odd.xspf"), "--playlist", PID)
    document = etree.parse(str(tmp_path / "odd.xspf"))
    assert etree.RelaxNG(etree.parse(str(XSPF_SCHEMA))).validate(document)
    namespace = {"x": "http://xspf.org/ns/0/"}
    assert document.xpath("//x:track/x:title/text()", namespaces=namespace) == [
        linked.name, tricky.name,
    ]  # fmt: skip
    export(capsys, root, "csv", str(tmp_path / "odd.csv"), "--playlist", PID)
    with (tmp_path / "odd.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[1]["Track URI"] == rows[1]["Artist URI(s)"] == rows[1]["Track Duration (ms)"] == ""
    assert rows[1]["Artist Name(s)"] == "Crosby\\, Stills & Nash"
    assert rows[1]["Track Name"] == tricky.name
    export(capsys, root, "json", str(tmp_path / "odd.json"), "--playlist", PID)
    schema = json.loads(EXPORT_SCHEMA.read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(
        json.loads((tmp_path / "odd.json").read_text("utf-8"))
    )


def test_several_playlists_make_a_folder_of_their_id_files(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jazz = "E9BB2lmffMF5IBqS5Ub4EE"
    out = export(capsys, archive, "csv", str(tmp_path / "two"), "--playlist", KPOP,
                 "--playlist", "Night Train Jazz", "--at", "2026-10-20")  # fmt: skip
    assert out.startswith(f"wrote {tmp_path / 'two'}: 2 playlists")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == [f"{KPOP}.csv", f"{jazz}.csv"]


@pytest.mark.parametrize(
    "args",
    [["csv", "x.csv", "--at", "2026-10-20", "--cumulative"], ["sqlite", "x.db", "--cumulative"],
     ["sqlite", "x.db", "--at", "2026-10-20"]],
)  # fmt: skip
def test_options_that_exclude_each_other_are_one_line(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    args[1] = str(tmp_path / args[1])
    code, _, err = run_cli_captured(capsys, "-C", str(archive), "export", *args)
    assert code == 1 and err.count("\n") == 1 and "--" in err, err
    assert not Path(args[1]).exists()
