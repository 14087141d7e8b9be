"""Every `gitarchive ...` command the README shows runs here, and the tour's output is real.

The quick tour's output in README.md was captured from a real run; the test runs
the same commands in a fresh demo archive and compares (commit ids and the build
time masked). When the output changes on purpose, regenerate the block with::

    python -m tests.test_readme --update

Commands that need real Spotify credentials (`sync`, `login`) run against the fake
Spotify Web API (tests/fakespotify.py).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from typer.testing import CliRunner

from gitarchive.cli import app

if TYPE_CHECKING:
    from tests.support.fakespotify import FakeSpotify

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest"
SETUP_COMMAND = "pip install -e . && gitarchive demo"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"(?<!`)`(gitarchive [^`]+)`")
# What may differ between the captured run and this one.
MASKS = (
    (re.compile(r"\b[0-9a-f]{40}\b"), "<commit>"),
    (re.compile(r"Done in \d+\.\d s"), "Done in <n> s"),
)


@dataclass(frozen=True)
class Block:
    lang: str
    text: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]


def readme_blocks(text: str | None = None) -> list[Block]:
    source = README.read_text(encoding="utf-8") if text is None else text
    return [Block(m.group(1), m.group(2)) for m in BLOCK.finditer(source)]


def shell_commands(line: str) -> list[str]:
    """`a && b  # note` -> ["a", "b"]."""
    code = line.split("  #", 1)[0].strip()
    return [part.strip() for part in code.split("&&")]


def mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def gitarchive(cwd: Path, command: str) -> tuple[int, str]:
    """Run ``gitarchive ... [| head -n N]`` as a shell would, in process, in ``cwd``."""
    command, _, pipe = command.partition(" | ")
    argv = shlex.split(command)
    assert argv[0] == "gitarchive", command
    # As from a shell in ``cwd``: relative paths in arguments are relative to it too.
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, ["-C", str(cwd), *argv[1:]], prog_name="gitarchive")
    finally:
        os.chdir(previous)
    output = result.output
    if pipe:
        head = shlex.split(pipe)
        assert head[0] == "head", pipe
        count = int(head[-1].lstrip("-n").lstrip("-") or 10)
        output = "".join(output.splitlines(keepends=True)[:count])
    return result.exit_code, output


# ---------------------------------------------------------------- the tour


def tour(text: str | None = None) -> list[tuple[str, str]]:
    """The console block: ($ command, the output shown after it)."""
    block = next(b for b in readme_blocks(text) if b.lang == "console")
    steps: list[tuple[str, str]] = []
    for line in block.text.splitlines(keepends=True):
        if line.startswith("$ "):
            steps.append((line[2:].rstrip("\n"), ""))
        else:
            command, output = steps[-1]
            steps[-1] = (command, output + line)
    return steps


def run_tour(workdir: Path, steps: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
    cwd = workdir
    results = []
    for command, _ in steps:
        if command.startswith("cd "):
            cwd = cwd / command[3:]
            results.append((command, 0, ""))
            continue
        code, output = gitarchive(cwd, command)
        results.append((command, code, output))
    return results


def test_tour_shows_real_output(tmp_path: Path) -> None:
    steps = tour()
    # The set-up command's demo, in a new empty folder, is the tour's first step.
    assert steps[0][0] == shell_commands(SETUP_COMMAND)[1] == "gitarchive demo"
    assert any(command.startswith("gitarchive history") for command, _ in steps)
    assert any(command.startswith("gitarchive cumulative") for command, _ in steps)
    assert any("show" in command and "--at" in command for command, _ in steps)
    for (command, shown), (_, code, got) in zip(steps, run_tour(tmp_path, steps), strict=True):
        assert code == 0, f"{command}: {got}"
        assert mask(got).rstrip("\n") == mask(shown).rstrip("\n"), (
            f"README tour output of `{command}` is stale: python -m tests.test_readme --update"
        )


# ------------------------------------------------------ the set-up commands


def test_setup_commands_are_exactly_the_two_promised() -> None:
    lines = [line for block in readme_blocks() if block.lang == "sh" for line in block.lines]
    assert lines[:2] == [SETUP_COMMAND, TEST_COMMAND]
    # .ci/run runs the README's test command; keep them the same.
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install --quiet -e '.[test]'" in ci
    assert "\npython -m pytest\n" in ci


# ---------------------------------------------------- running it for real


def real_use_blocks() -> list[list[str]]:
    """The sh blocks after the tour, as lists of commands."""
    blocks = [b for b in readme_blocks() if b.lang == "sh"][2:]
    return [[c for line in b.lines for c in shell_commands(line)] for b in blocks]


def play_browser(url: str, *args: object, **kwargs: object) -> bool:
    """Consent on the fake's authorize page, as a user's browser would."""
    response = httpx.get(url, follow_redirects=True, timeout=10)
    return response.status_code == 200


def test_every_real_use_command_runs_against_the_fake_api(
    tmp_path: Path, fake_spotify: FakeSpotify, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_spotify.add_seed()
    # Commands marked as needing credentials get the fake's, as if exported.
    fake_spotify.setenv(monkeypatch, secret=False)  # the README's path: login, no secret
    # The bare remote `sync --push` pushes to, as GitHub would be.
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    monkeypatch.setattr(webbrowser, "open", play_browser)
    cwd = tmp_path
    ran: list[str] = []
    for commands in real_use_blocks():
        for command in commands:
            if command.startswith("cd "):
                cwd = cwd / command[3:]
                continue
            if command.startswith("export "):
                names = {a.split("=")[0] for a in shlex.split(command)[1:]}
                assert names <= {"SPOTIFY_CLIENT_ID", "SPOTIFY_REFRESH_TOKEN"}, command
                if "SPOTIFY_REFRESH_TOKEN" in names:  # the token `gitarchive login` printed
                    (token,) = fake_spotify.valid_refresh_tokens()
                    monkeypatch.setenv("SPOTIFY_REFRESH_TOKEN", token)
                continue
            assert command.startswith("gitarchive "), command
            run = command
            if command == "gitarchive sync --push":
                _give_upstream(cwd, remote)
            if command == "gitarchive login":
                run = "gitarchive login --port 0"  # any free port: 8888 may be taken here
            code, output = gitarchive(cwd, run)
            assert code == 0, f"{command}: {output}"
            ran.append(command)
    assert {"gitarchive sync", "gitarchive sync --push", "gitarchive login"} <= set(ran)
    assert "gitarchive add --mine" in ran
    archive = tmp_path / "my-archive"
    assert (archive / "playlists" / "pretty" / "37i9dQZF1DX5LEXW9eXA0n.md").is_file()
    pushed = subprocess.run(
        ["git", "--git-dir", str(remote), "log", "--oneline", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert pushed.count("\n") >= 1


def _give_upstream(archive: Path, remote: Path) -> None:
    """Make the first push by hand, as a user does once after creating the GitHub repo."""
    subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=archive, check=True)
    subprocess.run(["git", "add", "-A"], cwd=archive, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "Set up"], cwd=archive, check=False)
    subprocess.run(["git", "push", "-q", "-u", "origin", "HEAD:main"], cwd=archive, check=True)
    subprocess.run(["git", "branch", "-q", "-u", "origin/main"], cwd=archive, check=False)


def test_every_command_named_in_the_prose_exists(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    named = set(INLINE.findall(text))
    assert named, "the README names commands"
    for command in sorted(named):
        argv = shlex.split(command.split(" > ")[0])
        code, output = gitarchive(tmp_path, shlex.join([*argv, "--help"]))
        assert code == 0, f"`{command}` is not a gitarchive command: {output}"


def test_every_command_in_the_readme_is_run_by_a_test() -> None:
    shown = {
        c
        for block in readme_blocks()
        if block.lang == "sh"
        for line in block.lines
        for c in shell_commands(line)
        if c.startswith("gitarchive ")
    } | {c for c, _ in tour() if c.startswith("gitarchive ")}
    ran = {shell_commands(SETUP_COMMAND)[1]} | {c for c, _ in tour()}
    ran |= {c for commands in real_use_blocks() for c in commands}
    assert shown <= ran


# ------------------------------------------------------------ regenerating


def update_readme() -> None:
    """Rerun the tour in a scratch folder and write its output into README.md."""
    import tempfile

    text = README.read_text(encoding="utf-8")
    steps = tour(text)
    with tempfile.TemporaryDirectory() as scratch:
        results = run_tour(Path(scratch), steps)
    steps_text = []
    for command, code, output in results:
        if code != 0:
            raise SystemExit(f"{command} failed ({code}):\n{output}")
        shown = output.rstrip("\n") + "\n" if output.strip() else ""
        steps_text.append(f"$ {command}\n{shown}")
    block = "\n".join(steps_text).rstrip("\n")  # a blank line between commands
    start = text.index("```console\n") + len("```console\n")
    end = text.index("\n```", start)
    README.write_text(text[:start] + block + text[end:], encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m tests.test_readme --update")
    update_readme()
