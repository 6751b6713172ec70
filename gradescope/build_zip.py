"""Build the Gradescope autograder zip: dist/netkata-autograder.zip.

    python gradescope/build_zip.py [EXERCISE ...] [--output FILE]

The zip holds, at its root, Gradescope's two entry points (setup.sh and run_autograder, from this
folder) and the project's source needed to install the grader (pyproject.toml, README.md,
LICENSE when present, and the grader/ package). setup.sh installs the grader from that copy, so
the grader that grades a submission is the one in the zip, never anything in the submission.
Its dependencies are installed at the versions pinned in constraints.txt (kept in step with
pyproject.toml by tests/test_gradescope.py), so the image built today is the image built next
term. With EXERCISE names (a weekly assignment), the zip's assignment.txt lists them and every
upload is graded on those alone, scored out of them.
Standard library only; the same on every platform (scripts get LF line ends and mode 755).
"""

import argparse
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
SCRIPTS = ("setup.sh", "run_autograder")
PINNED = "constraints.txt"
ASSIGNMENT = "assignment.txt"  # the exercises graded, one per line; absent: every exercise
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".hypothesis"}
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same zip for the same source


def track_names():
    """The exercise names, in learning order, read from grader/track.py without importing it."""
    import re
    text = (ROOT / "grader" / "track.py").read_text(encoding="utf-8")
    return re.findall(r'^    Exercise\("(\w+)"', text, flags=re.MULTILINE)


def entries():
    """(name in the zip, path on disk, executable) for every file the zip holds."""
    for name in SCRIPTS:
        yield name, HERE / name, True
    yield PINNED, HERE / PINNED, False
    for name in PROJECT_FILES:
        if (ROOT / name).is_file():
            yield name, ROOT / name, False
    for path in sorted((ROOT / "grader").rglob("*")):
        relative = path.relative_to(ROOT)
        if path.is_file() and not SKIPPED_PARTS.intersection(relative.parts) and path.suffix != ".pyc":
            yield relative.as_posix(), path, False


def build(output, exercises=()):
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if exercises:
            info = zipfile.ZipInfo(ASSIGNMENT, date_time=FIXED_TIME)
            info.external_attr = 0o100644 << 16
            archive.writestr(info, "".join(f"{name}\n" for name in exercises))
        for name, path, executable in entries():
            data = path.read_bytes()
            if executable:
                data = data.replace(b"\r\n", b"\n")  # a Windows checkout must not break bash
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", metavar="EXERCISE", nargs="*",
                        help="the assignment's exercises (default: every exercise)")
    parser.add_argument("--output", type=Path, default=ROOT / "dist" / "netkata-autograder.zip")
    args = parser.parse_args(argv)
    known = track_names()
    unknown = [name for name in args.exercises if name not in known]
    if unknown:
        parser.error(f"unknown exercise {unknown[0]!r}; the exercises are: {', '.join(known)}")
    output = build(args.output, [name for name in known if name in args.exercises])
    with zipfile.ZipFile(output) as archive:
        count = len(archive.namelist())
    print(f"wrote {output} ({count} files, {output.stat().st_size:,} bytes); upload it as the "
          "assignment's autograder zip in Gradescope")


if __name__ == "__main__":
    sys.exit(main())
