"""Every validate rule: one failing and one passing case each, on real rendered files."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from gitarchive import formats
from gitarchive.validate import RULES, Finding, check_secrets, classify, validate_files
from tests.support.archive_files import (
    SEED_ID,
    archive_files,
    client_secret,
    github_token,
    make_playlist,
    playlist_id,
    seed_playlist,
    spotify_access_token,
    spotify_refresh_token,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

PID = playlist_id(1)
PLAIN = formats.plain_path(PID)
PRETTY = formats.pretty_path(PID)
JSON = formats.json_path(PID)
REGISTRY = formats.registry_path(PID)
INDEX = formats.INDEX_PATH


@pytest.fixture
def archive() -> dict[str, bytes]:
    return archive_files([make_playlist(1), make_playlist(2, tracks=3), seed_playlist()])


def rules(findings: list[Finding]) -> set[str]:
    return {finding.rule for finding in findings}


def check(files: Mapping[str, bytes], paths: list[str] | None = None) -> list[Finding]:
    return validate_files(files, paths)


def edit(files: dict[str, bytes], path: str, old: str, new: str, count: int = 1) -> None:
    text = files[path].decode()
    assert old in text, old
    files[path] = text.replace(old, new, count).encode()


def test_a_rendered_archive_is_clean(archive: dict[str, bytes]) -> None:
    assert check(archive) == []


def test_every_rule_has_an_id_and_a_description() -> None:
    assert all(re.fullmatch(r"GA\d{3}", rule) for rule in RULES)
    assert all(RULES.values())


def test_findings_name_rule_file_and_line() -> None:
    finding = Finding("GA011", PLAIN, 7, "not sorted", commit="a" * 40)
    assert str(finding) == f"aaaaaaaaaaaa:{PLAIN}:7: GA011 not sorted"
    assert finding.to_dict()["rule"] == "GA011"


def test_all_findings_are_collected_not_just_the_first(archive: dict[str, bytes]) -> None:
    archive["playlists/registry/bad"] = b""
    archive[REGISTRY] = b"one\ntwo\n"
    edit(archive, PLAIN, "\n\n", "\nextra\n")
    archive[JSON] = b"{"
    found = check(archive)
    assert {"GA001", "GA002", "GA010", "GA030"} <= rules(found)


# ----------------------------------------------------------------------- registry


def test_ga001_registry_name_must_be_a_playlist_id(archive: dict[str, bytes]) -> None:
    archive["playlists/registry/not-a-playlist"] = b""
    found = check(archive)
    assert [(f.rule, f.path) for f in found] == [("GA001", "playlists/registry/not-a-playlist")]


def test_ga001_passes_for_a_new_registered_id_without_files(archive: dict[str, bytes]) -> None:
    archive[formats.registry_path("0123456789abcdefABCDEF")] = b""
    assert check(archive) == []


def test_ga002_registry_holds_at_most_one_line(archive: dict[str, bytes]) -> None:
    archive[REGISTRY] = b"Alias\nSecond line\n"
    found = check(archive)
    assert [(f.rule, f.path, f.line) for f in found] == [("GA002", REGISTRY, 2)]


@pytest.mark.parametrize("content", [b"", b"My Alias\n", b"My Alias", "Ünïcode ☃".encode()])
def test_ga002_ga003_pass_for_empty_or_one_clean_alias(
    archive: dict[str, bytes], content: bytes
) -> None:
    archive[REGISTRY] = content
    assert check(archive) == []


@pytest.mark.parametrize("content", [b" Alias\n", b"Alias \n", b"Al\tias\n", b"Alias\r\n", b"  \n"])
def test_ga003_alias_has_no_control_characters_or_surrounding_spaces(
    archive: dict[str, bytes], content: bytes
) -> None:
    archive[REGISTRY] = content
    assert [(f.rule, f.path, f.line) for f in check(archive)] == [("GA003", REGISTRY, 1)]


@pytest.mark.parametrize(
    "path",
    [
        "playlists/notes.md",
        f"playlists/plain/{PID}.txt",
        "playlists/plain/short",
        f"playlists/pretty/{PID}.html",
        f"playlists/pretty/sub/{PID}.md",
        "playlists/other/file",
        f"playlists/cumulative/{PID}",
    ],
)
def test_ga004_no_stray_files_in_playlists(archive: dict[str, bytes], path: str) -> None:
    archive[path] = b"x\n"
    assert [(f.rule, f.path) for f in check(archive)] == [("GA004", path)]


def test_ga004_passes_for_keep_files_and_files_outside_playlists(
    archive: dict[str, bytes],
) -> None:
    archive["playlists/registry/.gitkeep"] = b""
    archive["README.md"] = b"# my archive\n"
    assert check(archive, list(archive)) == []
    assert classify("playlists/registry/.gitkeep").kind == "keep"


def test_ga005_archive_files_are_utf8(archive: dict[str, bytes]) -> None:
    archive[PLAIN] = archive[PLAIN].replace(b"Playlist 1", b"Playlist \xff")
    assert ("GA005", PLAIN, 1) in [(f.rule, f.path, f.line) for f in check(archive)]


# -------------------------------------------------------------------------- plain


def test_ga010_plain_header_needs_a_blank_third_line(archive: dict[str, bytes]) -> None:
    lines = archive[PLAIN].decode().split("\n")
    del lines[2]
    archive[PLAIN] = "\n".join(lines).encode()
    assert ("GA010", PLAIN, 3) in [(f.rule, f.path, f.line) for f in check(archive)]


def test_ga010_track_lines_have_title_artists_album(archive: dict[str, bytes]) -> None:
    archive[PLAIN] = archive[PLAIN] + b""
    text = archive[PLAIN].decode()
    archive[PLAIN] = text.replace(" -- Album 0", " Album 0").encode()
    found = [(f.rule, f.path) for f in check(archive)]
    assert ("GA010", PLAIN) in found


def test_ga010_passes_for_an_empty_playlist() -> None:
    files = archive_files([make_playlist(5, tracks=0)])
    assert check(files) == []


def test_ga011_plain_tracks_sorted_case_insensitively(archive: dict[str, bytes]) -> None:
    text = archive[PLAIN].decode()
    header, tracks = text.split("\n\n", 1)
    lines = tracks.rstrip("\n").split("\n")
    lines[0], lines[1] = lines[1], lines[0]
    archive[PLAIN] = (header + "\n\n" + "\n".join(lines) + "\n").encode()
    found = check(archive)
    assert ("GA011", PLAIN, 5) in [(f.rule, f.path, f.line) for f in found]


def test_ga011_case_sensitive_order_is_not_the_sync_order() -> None:
    files = {PLAIN: b"Name\n\n\nb -- x -- y\nA -- x -- y\n"}
    assert "GA011" in rules(check(files, [PLAIN]))
    files = {PLAIN: b"Name\n\n\nA -- x -- y\nb -- x -- y\n"}
    assert "GA011" not in rules(check(files, [PLAIN]))


def test_ga012_plain_may_end_without_a_newline_but_not_with_a_blank_line(
    archive: dict[str, bytes],
) -> None:
    text = archive[PLAIN]
    archive[PLAIN] = text.rstrip(b"\n")  # as spotify-playlist-archive wrote it
    assert "GA012" not in rules(check(archive))
    archive[PLAIN] = text + b"\n"
    found = check(archive)
    assert "GA012" in rules(found)
    assert all(f.path == PLAIN for f in found)


# ------------------------------------------------------------------------- pretty


def test_ga020_pretty_title_must_link_the_playlist(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, f"(https://open.spotify.com/playlist/{PID})", "(https://example.com)")
    assert ("GA020", PRETTY, 3) in [(f.rule, f.path, f.line) for f in check(archive)]


def test_ga020_pretty_needs_the_links_line(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, "pretty - ", "")
    assert ("GA020", PRETTY) in [(f.rule, f.path) for f in check(archive)]


def test_ga021_unescaped_pipe_breaks_the_table(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, "zeta \\| pipe", "zeta | pipe")
    found = check(archive)
    assert "GA021" in rules(found)
    line = next(f.line for f in found if f.rule == "GA021")
    assert line is not None
    assert "zeta | pipe" in archive[PRETTY].decode().split("\n")[line - 1]


def test_ga021_columns(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, "| Length |", "| Duration |")
    assert ("GA021", PRETTY) in [(f.rule, f.path) for f in check(archive)]


def test_ga022_rows_numbered_from_one(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, "\n| 2 |", "\n| 7 |")
    assert ("GA022", PRETTY, 12) in [(f.rule, f.path, f.line) for f in check(archive)]


def test_ga023_lengths_are_durations(archive: dict[str, bytes]) -> None:
    text = archive[PRETTY].decode()
    archive[PRETTY] = re.sub(r"\| (\d+):(\d\d) \|\n", r"| \1m\2s |\n", text, count=1).encode()
    assert "GA023" in rules(check(archive))


def test_ga024_song_count_matches_rows(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, " - 6 songs - ", " - 7 songs - ")
    assert ("GA024", PRETTY, 7) in [(f.rule, f.path, f.line) for f in check(archive)]


def test_ga024_total_length_matches_rows(archive: dict[str, bytes]) -> None:
    text = archive[PRETTY].decode()
    archive[PRETTY] = re.sub(r" songs - [^\n]+\n", " songs - 9 hr 1 min\n", text, count=1).encode()
    assert "GA024" in rules(check(archive))


def test_ga024_passes_for_long_totals_of_the_seed() -> None:
    seed = seed_playlist()
    assert "3 hr 13 min" in formats.render_pretty(seed, github=None)
    assert check(archive_files([seed])) == []


def test_ga025_snapshot_line(archive: dict[str, bytes]) -> None:
    text = archive[PRETTY].decode()
    archive[PRETTY] = re.sub(r"\nSnapshot ID: [^\n]+\n", "\n", text).encode()
    assert ("GA025", PRETTY) in [(f.rule, f.path) for f in check(archive)]


def test_ga026_cumulative_parses(archive: dict[str, bytes]) -> None:
    path = formats.cumulative_path(PID)
    archive[path] = b"not a cumulative page\n"
    assert ("GA026", path) in [(f.rule, f.path) for f in check(archive)]


# --------------------------------------------------------------------------- json


def test_ga030_json_is_valid(archive: dict[str, bytes]) -> None:
    archive[JSON] = archive[JSON].replace(b'"tracks": [', b'"tracks": [,', 1)
    found = check(archive)
    assert [(f.rule, f.path) for f in found] == [("GA030", JSON)]
    assert found[0].line is not None


def test_ga031_required_keys_and_types(archive: dict[str, bytes]) -> None:
    document = json.loads(archive[JSON])
    del document["snapshot_id"]
    document["num_followers"] = "many"
    document["tracks"][2]["album"]["url"] = 5
    archive[JSON] = json.dumps(document, indent=2, sort_keys=True).encode()
    found = [f for f in check(archive) if f.rule == "GA031"]
    messages = " / ".join(f.message for f in found)
    assert "missing snapshot_id" in messages
    assert "num_followers is str" in messages
    assert "tracks[2].album.url is int" in messages


def test_ga031_url_is_this_playlists(archive: dict[str, bytes]) -> None:
    edit(archive, JSON, f"playlist/{PID}", f"playlist/{playlist_id(2)}")
    assert ("GA031", JSON) in [(f.rule, f.path) for f in check(archive)]


# -------------------------------------------------------------------- consistency


def test_ga040_plain_and_json_list_the_same_tracks(archive: dict[str, bytes]) -> None:
    header, tracks = archive[PLAIN].decode().split("\n\n", 1)
    lines = sorted([*tracks.splitlines(), "extra -- Someone -- Somewhere"], key=str.lower)
    archive[PLAIN] = (header + "\n\n" + "\n".join(lines) + "\n").encode()
    assert [(f.rule, f.path) for f in check(archive)] == [("GA040", PLAIN)]


def test_ga040_pretty_rows_match_the_json(archive: dict[str, bytes]) -> None:
    edit(archive, PRETTY, "[Album 1]", "[Album One]")
    assert [(f.rule, f.path) for f in check(archive)] == [("GA040", PRETTY)]


def test_ga041_names_agree(archive: dict[str, bytes]) -> None:
    edit(archive, PLAIN, "Playlist 1\n", "Playlist One\n")
    assert [(f.rule, f.path, f.line) for f in check(archive)] == [("GA041", PLAIN, 1)]


def test_ga042_generated_files_need_a_registry_entry_or_a_plain_file(
    archive: dict[str, bytes],
) -> None:
    orphan = make_playlist(9)
    archive[formats.json_path(orphan.id)] = formats.render_json(orphan).encode()
    found = check(archive)
    assert [(f.rule, f.path) for f in found] == [("GA042", formats.json_path(orphan.id))]


def test_ga042_removed_playlist_with_retained_files_passes() -> None:
    kept = make_playlist(3)
    files = archive_files([make_playlist(1)], unregistered=[kept])
    assert check(files) == []


def test_ga043_index_lists_registered_playlists_with_pages(archive: dict[str, bytes]) -> None:
    archive[INDEX] = formats.render_index([(PID, "Playlist 1")]).encode()
    found = check(archive)
    assert {f.rule for f in found} == {"GA043"}
    assert any(SEED_ID in f.message for f in found)


def test_ga043_index_lists_nothing_without_a_page(archive: dict[str, bytes]) -> None:
    ghost = playlist_id(42)
    entries = [(PID, "Playlist 1"), (playlist_id(2), "Playlist 2"), (SEED_ID, "K-Pop Ballad Hits")]
    archive[INDEX] = formats.render_index([*entries, (ghost, "Ghost")]).encode()
    found = check(archive)
    assert [(f.rule, f.path) for f in found] == [("GA043", INDEX)]
    assert ghost in found[0].message and found[0].line is not None


def test_ga044_index_parses(archive: dict[str, bytes]) -> None:
    archive[INDEX] = f"See [x](/playlists/pretty/{PID}.md)\n".encode()
    assert "GA044" in rules(check(archive))


def test_ga044_index_heading_counts_the_entries(archive: dict[str, bytes]) -> None:
    edit(archive, INDEX, "## Playlists (3)", "## Playlists (4)")
    assert [(f.rule, f.path, f.line) for f in check(archive)] == [("GA044", INDEX, 1)]


def test_ga043_index_names_match_the_json(archive: dict[str, bytes]) -> None:
    edit(archive, INDEX, "[Playlist 1]", "[Playlist \\[one\\]]")
    found = check(archive)
    assert [(f.rule, f.path) for f in found] == [("GA043", INDEX)]
    assert "Playlist [one]" in found[0].message or "\\[one" in found[0].message


def test_a_page_rendered_from_its_json_takes_the_fast_path(archive: dict[str, bytes]) -> None:
    from gitarchive.validate import MappingSource, Validator

    validator = Validator(MappingSource(archive))
    assert validator.run(list(archive)) == []
    assert PRETTY in validator._rendered
    edit(archive, PRETTY, "[Album 1]", "[Album One]")
    validator = Validator(MappingSource(archive))
    assert rules(validator.run(list(archive))) == {"GA040"}
    assert PRETTY not in validator._rendered


# ------------------------------------------------------------------------ secrets


@pytest.mark.parametrize(
    ("rule", "secret"),
    [
        ("GA050", client_secret()),
        ("GA051", spotify_access_token()),
        ("GA052", spotify_refresh_token()),
        ("GA053", github_token()),
        ("GA053", "github_pat_" + "11ABCDEFG0" * 6),
    ],
)
def test_ga05x_secrets_pasted_into_any_file(
    archive: dict[str, bytes], rule: str, secret: str
) -> None:
    archive[PRETTY] = archive[PRETTY].replace(b"Description of", f"{secret} of".encode(), 1)
    archive["notes.txt"] = f"token={secret}\n".encode()
    found = check(archive, [PRETTY, "notes.txt"])
    hits = [(f.rule, f.path, f.line) for f in found if f.rule.startswith("GA05")]
    assert (rule, PRETTY, 5) in hits
    assert (rule, "notes.txt", 1) in hits
    assert all(secret not in str(f) for f in found)  # never echoed


def test_secrets_in_a_registry_alias(archive: dict[str, bytes]) -> None:
    archive[REGISTRY] = f"{github_token()}\n".encode()
    assert [(f.rule, f.path, f.line) for f in check(archive)] == [("GA053", REGISTRY, 1)]


def test_secrets_no_false_positives_on_ids_snapshots_and_hashes() -> None:
    seed_md = formats.render_pretty(seed_playlist(), github="mackorone/spotify-playlist-archive")
    text = "\n".join(
        [
            seed_md,
            "Snapshot ID: `AAAAB3NzaC1yc2EAAAADAQABAAABAQC7kMTY1MzcwMDAyMCwwMDAwMDAwMDRlYWVkNmZm`",
            "commit 3f2a1b4c5d6e7f8091a2b3c4d5e6f708192a3b4c",  # a 40-hex git id
            "https://open.spotify.com/track/4Z7DIzXHsoJceD9fDVwnWz",
            "0" * 32,  # no letters: not a secret
            "BQ-short",
        ]
    )
    assert check_secrets("x.md", text) == []
