"""``grader merge DIR... --out DIR``: the partial gradebooks of ``grader batch --shard K/N`` joined
into the gradebook one unsharded run writes.

    grader merge DIR... --out DIR

Each DIR is one shard's output. Merging refuses (exit status 2, saying which folders and why)
anything that would not give the unsharded gradebook: a folder that is not a shard's, shards
graded by another grader (version or code), of other exercises or checks, of another class (the
names of every submission, as each shard saw them), split another way (N), the same shard twice
or submissions in two shards (overlapping), a shard absent (missing), or a shard whose files do
not match its own gradebook.json.

It writes ``grades.csv`` (every shard's rows, sorted by submission as ``grader batch`` sorts
them), each submission's ``.json``, ``.log`` and ``.html`` copied as they are, ``gradebook.json``
(as an unsharded run writes it: no shard) and the class report ``index.html``, written from
those files as ``grader batch`` writes it. Exit status 0 when every submission was graded, 1 when
some could not be, 2 for a refusal or a usage error.
"""

import argparse
import csv
import json
import shutil
from pathlib import Path

from grader.cli.batch import (CLASS_REPORT, GRADEBOOK, MANIFEST, class_identity, shard_of, write_class_report,
                              write_manifest)
from grader.cli.common import ExitStatus, UsageError, run_guarded
from grader.quoting import inline


class Refused(UsageError):
    """Shards that cannot be merged into the unsharded gradebook."""


def parser():
    p = argparse.ArgumentParser(
        prog="grader merge",
        description="Merge the partial gradebooks of `grader batch --shard K/N` (one folder per shard) "
                    "into the gradebook, reports and class report one unsharded run writes.",
        epilog="Exit status: 0 every submission was graded, 1 some could not be, 2 the shards cannot be "
               "merged (overlapping, missing, another grader, exercise set, checks or class) or a usage error.")
    p.add_argument("parts", metavar="DIR", nargs="+", type=Path, help="the output folder of each shard")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="where the merged gradebook goes (created if needed)")
    return p


def main(argv):
    args = parser().parse_args(argv)
    return run_guarded("grader merge", lambda: merge(args.parts, args.out))


def read_part(folder):
    if not folder.is_dir():
        raise UsageError(f"no such folder: {folder}")
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        with open(folder / GRADEBOOK, newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file))
    except OSError:
        raise Refused(f"{folder} is not the output of grader batch --shard K/N "
                      f"(no readable {MANIFEST} and {GRADEBOOK})") from None
    except ValueError as exc:
        raise Refused(f"{folder}/{MANIFEST} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("gradebook") != "netkata grader batch" or not rows:
        raise Refused(f"{folder} is not the output of grader batch --shard K/N")
    keys = {"grader", "exercises", "check", "class", "shard", "submissions"}
    if not keys <= set(data):
        raise Refused(f"{folder}/{MANIFEST} lacks what grader batch writes there: {', '.join(sorted(keys - set(data)))}")
    if not isinstance(data["submissions"], list) or not all(
            isinstance(s, dict) and {"name", "graded", "problem", "notes"} <= set(s) for s in data["submissions"]):
        raise Refused(f"{folder}/{MANIFEST}: its submissions are not as grader batch writes them")
    shard = data["shard"]
    if shard is not None and not (isinstance(shard, dict) and isinstance(shard.get("index"), int)
                                  and isinstance(shard.get("count"), int)):
        raise Refused(f"{folder}/{MANIFEST}: its shard is not {{\"index\": K, \"count\": N}}")
    if data.get("shard") is None:
        raise Refused(f"{folder} holds a whole gradebook, not a shard's (graded without --shard)")
    return {"folder": folder, "manifest": data, "header": rows[0], "rows": rows[1:]}


SAME = (("grader", "grader (version and code)"), ("exercises", "exercises"), ("check", "checks (--check)"),
        ("class", "class (the submissions each shard saw)"))


def merge(folders, out):
    parts = [read_part(folder) for folder in folders]
    first = parts[0]
    for key, what in SAME:
        for part in parts[1:]:
            if part["manifest"][key] != first["manifest"][key]:
                raise Refused(f"{first['folder']} and {part['folder']} were graded with another {what}: "
                              f"{_shown(first['manifest'][key])} and {_shown(part['manifest'][key])}")
    counts = {part["manifest"]["shard"]["count"] for part in parts}
    if len(counts) > 1:
        raise Refused("the shards split the class in different numbers of shards: "
                      + ", ".join(f"{p['folder']} is {_shard(p)}" for p in parts))
    count = counts.pop()
    seen = {}
    for part in parts:
        index = part["manifest"]["shard"]["index"]
        if index in seen:
            raise Refused(f"overlapping shards: {seen[index]['folder']} and {part['folder']} are both shard "
                          f"{index}/{count}")
        seen[index] = part
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise Refused(f"missing shard{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
                      f"(given: {', '.join(_shard(p) for p in parts)})")
    owner = {}
    for part in parts:
        check_part(part, count, owner)
    names = sorted(owner)
    if class_identity(names) != first["manifest"]["class"]:
        raise Refused(f"the shards hold {len(names)} submissions, but the class they were graded from has "
                      f"{first['manifest']['class']['submissions']}: a shard is incomplete")
    if any(header != first["header"] for header in (p["header"] for p in parts)):
        raise Refused("the shards' grades.csv have different header rows")
    inputs = {folder.resolve() for folder in folders}
    if out.resolve() in inputs:
        raise UsageError(f"--out {out} is one of the shards: write the merged gradebook elsewhere")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {out}: {exc.strerror}") from None

    submissions = sorted((s for p in parts for s in p["manifest"]["submissions"]), key=lambda s: s["name"])
    for submission in submissions:
        folder = owner[submission["name"]]["folder"]
        for suffix in (".json", ".log", ".html"):
            source = folder / f"{submission['name']}{suffix}"
            target = out / source.name
            if source.is_file():
                shutil.copyfile(source, target)
            else:
                target.unlink(missing_ok=True)
    rows = sorted((row for p in parts for row in p["rows"]), key=lambda row: row[0])
    with open(out / GRADEBOOK, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(first["header"])
        writer.writerows(rows)
    whole = {**first["manifest"], "shard": None, "submissions": submissions}
    write_manifest(out / MANIFEST, whole)
    write_class_report(out)
    not_graded = [s["name"] for s in submissions if not s["graded"]]
    print(f"Merged {count} shard{'s' if count != 1 else ''}: {len(submissions)} submissions, "
          f"{len(submissions) - len(not_graded)} graded. Gradebook: {out / GRADEBOOK}")
    print(f"Class report: {out / CLASS_REPORT}")
    if not_graded:
        print("Not graded (see their .log files): " + ", ".join(inline(n) for n in not_graded))
    return ExitStatus.NOT_PASSED if not_graded else ExitStatus.PASSED


def check_part(part, count, owner):
    """A shard's files agree with its manifest, and its submissions are its own and nobody else's."""
    folder, index = part["folder"], part["manifest"]["shard"]["index"]
    listed = [s["name"] for s in part["manifest"]["submissions"]]
    if sorted(row[0] for row in part["rows"]) != sorted(listed):
        raise Refused(f"{folder}: {GRADEBOOK} and {MANIFEST} list different submissions")
    for submission in part["manifest"]["submissions"]:
        name = submission["name"]
        if name in owner:
            raise Refused(f"overlapping shards: {owner[name]['folder']} and {folder} both hold {inline(name)}")
        if shard_of(name, count) != index:
            raise Refused(f"{folder} (shard {index}/{count}) holds {inline(name)}, which belongs to shard "
                          f"{shard_of(name, count)}/{count}: it was not made by grader batch --shard")
        if submission["graded"] and not (folder / f"{name}.json").is_file():
            raise Refused(f"{folder}: {inline(name)} was graded but its report {name}.json is not there")
        owner[name] = part


def _shard(part):
    shard = part["manifest"]["shard"]
    return f"{shard['index']}/{shard['count']}"


def _shown(value):
    if isinstance(value, dict) and "digest" in value and "version" in value:
        return f"{value['version']} ({value['digest'][:12]})"
    if isinstance(value, dict) and "submissions" in value:
        return f"{value['submissions']} submissions ({value['digest'][:12]})"
    return json.dumps(value)
