#!/bin/sh
# gitarchive-managed-hook: @HOOK@ (format 1)
# Installed by `gitarchive hooks install`. `gitarchive hooks uninstall` removes it and
# restores the hook it chained (@HOOK@.gitarchive-chained), if any. Reinstalling rewrites
# this file, so do not edit it: put your own checks in @HOOK@.gitarchive-chained.
# Skip the checks once with `git @GITCMD@ --no-verify`.

# The interpreter that ran `gitarchive hooks install`; if it is gone (venv removed, Python
# upgraded), fall back to `gitarchive` on PATH, then to `python3 -m gitarchive`.
GITARCHIVE_PYTHON=@PYTHON@

hook_dir=$(dirname -- "$0")
chained="$hook_dir/@HOOK@.gitarchive-chained"

# git feeds pre-push its ref list on stdin: keep a copy so the chained hook and
# gitarchive both read all of it.
input_file=
if [ "@STDIN@" = yes ]; then
	input_file=$(mktemp "${TMPDIR:-/tmp}/gitarchive-@HOOK@.XXXXXX") || exit 1
	trap 'rm -f -- "$input_file"' EXIT
	trap 'exit 130' INT TERM
	cat >"$input_file"
fi

run() {
	if [ -n "$input_file" ]; then
		"$@" <"$input_file"
	else
		"$@"
	fi
}

if [ -f "$chained" ] && [ -x "$chained" ]; then
	run "$chained" "$@" || exit $?
fi

if [ -x "$GITARCHIVE_PYTHON" ] && "$GITARCHIVE_PYTHON" -c 'import gitarchive' >/dev/null 2>&1; then
	run "$GITARCHIVE_PYTHON" -m gitarchive hook @HOOK@ "$@"
elif command -v gitarchive >/dev/null 2>&1; then
	run gitarchive hook @HOOK@ "$@"
elif command -v python3 >/dev/null 2>&1 && python3 -c 'import gitarchive' >/dev/null 2>&1; then
	run python3 -m gitarchive hook @HOOK@ "$@"
else
	echo "gitarchive @HOOK@ hook: cannot find gitarchive (tried $GITARCHIVE_PYTHON, gitarchive on PATH, python3 -m gitarchive)." >&2
	echo "Install gitarchive and run 'gitarchive hooks install' again, or skip once with 'git @GITCMD@ --no-verify'." >&2
	exit 1
fi
