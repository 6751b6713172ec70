"""`grader batch --shard K/N` and `grader merge`: shards of a class graded apart and merged give the
gradebook one unsharded run writes; shards that would not are refused (exit 2); `--shard auto`
reads the schedulers' variables; progress on a terminal and in a pipe.

The class of scripts/batch_throughput.py, smaller, graded on one cheap check of url_validator (a
function: no port, so nothing another program on the machine does changes its grade): the shards
and the merge are what is tested, not the grading.
`scripts/batch_throughput.py --shards 3 --compare` runs the 50-submission class the same way, in
full, and compares the gradebooks.
"""

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_grader
from html_reading import parse
from test_html import assert_class_report_matches
from grader.cli import batch, merge
from grader.cli import main as cli

sys.path.insert(0, str(ROOT / "scripts"))
import batch_throughput  # noqa: E402

CHEAP = ["url_validator", "--check", "returns True or False for any string"]  # no port: no other user's port


def normalised(path):
    """A file of a gradebook as two runs of the same grading agree on it: timings and the ports
    the operating system picked aside (a server that listens on a port of its own says which)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        text = re.sub(r'"duration": [0-9.e-]+', '"duration": 0', text)
    if path.suffix in (".json", ".html", ".log"):
        text = re.sub(r"port \d+", "port N", text)
    if path.suffix == ".log":
        text = re.sub(r"\d+\.\d+ s", "T s", text)
    return text


def files_of(folder):
    return sorted(p.name for p in folder.iterdir())


def batch_process(*args):
    return subprocess.Popen([sys.executable, "-m", "grader", "batch", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_three_shards_and_a_merge_equal_the_unsharded_gradebook(tmp_path):
    submissions = tmp_path / "class"
    batch_throughput.build_class(submissions, 10, 7)
    whole = tmp_path / "whole"
    result = run_grader("batch", submissions, *CHEAP, "--out", whole, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    shards = [batch_process(submissions, *CHEAP, "--out", tmp_path / f"shard{k}", "--jobs", "1", "--shard", f"{k}/3")
              for k in (1, 2, 3)]
    for process in shards:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, out + err
        assert "of shard" in out and "grader merge" in out
    parts = [tmp_path / f"shard{k}" for k in (1, 2, 3)]
    names = [set(json.loads((p / batch.MANIFEST).read_text())["submissions"][i]["name"]
                 for i in range(len(json.loads((p / batch.MANIFEST).read_text())["submissions"]))) for p in parts]
    assert sum(len(n) for n in names) == 10 and set.union(*names) == {f"learner{i:03d}" for i in range(1, 11)}
    assert not any((p / batch.CLASS_REPORT).exists() for p in parts)  # a class report is of a whole class
    merged = tmp_path / "merged"
    result = run_grader("merge", *parts, "--out", merged)
    assert result.returncode == 0, result.stdout + result.stderr
    assert files_of(merged) == files_of(whole)
    for name in ("grades.csv", batch.MANIFEST):  # byte for byte
        assert (merged / name).read_bytes() == (whole / name).read_bytes(), name
    for name in files_of(whole):
        assert normalised(merged / name) == normalised(whole / name), name
    manifest = json.loads((merged / batch.MANIFEST).read_text())
    assert manifest["grader"]["version"] and len(manifest["grader"]["digest"]) == 64
    assert manifest["exercises"] == ["url_validator"] and manifest["check"] == CHEAP[-1]
    assert manifest["shard"] is None and manifest["class"]["submissions"] == 10

    # the class report of the merge: every number is the JSON reports'
    entries = [{"name": s["name"], "problem": s["problem"], "notes": s["notes"],
                "report": json.loads((merged / f"{s['name']}.json").read_text())} for s in manifest["submissions"]]
    with open(merged / "grades.csv", newline="") as file:
        assert [e["notes"] for e in entries] == [row[-1] for row in list(csv.reader(file))[1:]]
    assert_class_report_matches((merged / "index.html").read_text(), entries, ["url_validator"])
    for e in entries:
        parse((merged / f"{e['name']}.html").read_text())


def test_a_shard_is_a_stable_hash_of_the_name_alone():
    names = [f"learner{i:03d}" for i in range(200)]
    shards = {n: batch.shard_of(n, 3) for n in names}
    assert set(shards.values()) == {1, 2, 3}
    assert all(40 < list(shards.values()).count(k) < 95 for k in (1, 2, 3))
    assert {n: batch.shard_of(n, 3) for n in names + ["a newcomer"]} == {**shards, "a newcomer": batch.shard_of(
        "a newcomer", 3)}
    assert [batch.shard_of("alice", n) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]  # the same on every machine


@pytest.mark.parametrize("environment, shard", [
    ({"NETKATA_SHARD": "2/5"}, "2/5"),
    ({"JOB_COMPLETION_INDEX": "0", "NETKATA_SHARDS": "4"}, "1/4"),
    ({"JOB_COMPLETION_INDEX": "3", "NETKATA_SHARDS": "4"}, "4/4"),
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "2",
      "SLURM_ARRAY_TASK_COUNT": "3"}, "1/3"),
    ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "3",
      "SLURM_ARRAY_TASK_COUNT": "3"}, "3/3"),
    ({"NETKATA_SHARD": "1/2", "JOB_COMPLETION_INDEX": "1", "NETKATA_SHARDS": "2"}, "1/2"),
])
def test_shard_auto_reads_the_schedulers_variables(environment, shard):
    assert str(batch.parse_shard("auto", environment)) == shard


@pytest.mark.parametrize("text, environment, message", [
    ("0/3", {}, "1 <= K <= N"), ("4/3", {}, "1 <= K <= N"), ("three", {}, "1 <= K <= N"),
    ("auto", {}, "no shard in the environment"),
    ("auto", {"JOB_COMPLETION_INDEX": "1"}, "NETKATA_SHARDS is not"),
    ("auto", {"JOB_COMPLETION_INDEX": "4", "NETKATA_SHARDS": "4"}, "give shard 5 of 4"),
    ("auto", {"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "8",
              "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "4"}, "without a step"),
    ("auto", {"SLURM_ARRAY_TASK_ID": "1"}, "not SLURM_ARRAY_TASK_MIN"),
    ("auto", {"NETKATA_SHARD": "2"}, "NETKATA_SHARD: --shard takes K/N"),
    ("auto", {"NETKATA_SHARD": "auto"}, "NETKATA_SHARD must be K/N itself"),
])
def test_a_shard_that_cannot_be_read_is_a_usage_error(text, environment, message):
    with pytest.raises(batch.UsageError, match=re.escape(message)):
        batch.parse_shard(text, environment)


@pytest.fixture
def two_shards(tmp_path):
    """A class of empty submissions (settled by reading, no learner process) in shards 1/2 and 2/2."""
    submissions = tmp_path / "class"
    for name in ("ann", "ben", "cat", "dan", "eve", "fay"):
        (submissions / name).mkdir(parents=True)
    parts = []
    for k in (1, 2):
        out = tmp_path / f"part{k}"
        assert batch.main([str(submissions), "echo_server", "--out", str(out), "--shard", f"{k}/2"]) == 0
        parts.append(out)
    assert all(json.loads((p / batch.MANIFEST).read_text())["submissions"] for p in parts)
    return submissions, parts


def refused(capsys, *arguments):
    assert cli.main(["merge", *map(str, arguments)]) == 2
    return capsys.readouterr().err


def test_merge_refuses_missing_overlapping_and_mismatched_shards(two_shards, tmp_path, capsys):
    submissions, (one, two) = two_shards
    out = tmp_path / "merged"
    assert "missing shard: 2/2 (given: 1/2)" in refused(capsys, one, "--out", out)
    again = tmp_path / "again"
    shutil.copytree(one, again)
    assert "overlapping shards" in refused(capsys, one, again, two, "--out", out)
    assert "both shard 1/2" in refused(capsys, one, again, two, "--out", out)

    def edited(change):
        copy = tmp_path / f"edited{time.monotonic_ns()}"
        shutil.copytree(two, copy)
        data = json.loads((copy / batch.MANIFEST).read_text())
        change(data)
        (copy / batch.MANIFEST).write_text(json.dumps(data))
        return copy

    newer = edited(lambda d: d["grader"].update(version="9.9.9"))
    assert "another grader (version and code)" in refused(capsys, one, newer, "--out", out)
    other_code = edited(lambda d: d["grader"].update(digest="f" * 64))
    assert "another grader" in refused(capsys, one, other_code, "--out", out)
    other_set = edited(lambda d: d.update(exercises=["echo_server", "paginator"]))
    assert "another exercises" in refused(capsys, one, other_set, "--out", out)
    other_checks = edited(lambda d: d.update(check="starts"))
    assert "another checks (--check)" in refused(capsys, one, other_checks, "--out", out)
    other_class = edited(lambda d: d["class"].update(submissions=7, digest="0" * 64))
    assert "another class" in refused(capsys, one, other_class, "--out", out)
    three = edited(lambda d: d["shard"].update(count=3))
    assert "different numbers of shards" in refused(capsys, one, three, "--out", out)
    lost = tmp_path / "lost"
    shutil.copytree(two, lost)
    graded = json.loads((lost / batch.MANIFEST).read_text())["submissions"][0]["name"]
    (lost / f"{graded}.json").unlink()
    assert f"{graded} was graded but its report" in refused(capsys, one, lost, "--out", out)
    stripped = edited(lambda d: d.pop("class"))
    assert "lacks what grader batch writes there: class" in refused(capsys, one, stripped, "--out", out)
    whole = tmp_path / "whole"
    assert batch.main([str(submissions), "echo_server", "--out", str(whole)]) == 0
    assert "not a shard's" in refused(capsys, one, whole, "--out", out)
    assert "is not the output of grader batch --shard" in refused(capsys, one, submissions, "--out", out)
    assert "is one of the shards" in refused(capsys, one, two, "--out", two)
    assert not out.exists()

    assert cli.main(["merge", str(one), str(two), "--out", str(out)]) == 0
    assert (out / "grades.csv").read_bytes() == (whole / "grades.csv").read_bytes()
    assert (out / "index.html").read_bytes() == (whole / "index.html").read_bytes()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def graded(name, problem=None):
    report = None if problem else {"score": 7.5, "max_score": 12.0, "exercises": []}
    return batch.Graded(name, report, problem, 1.25)


def test_progress_on_a_terminal_is_one_status_line_with_rate_and_time_left():
    terminal = _Terminal()
    progress = batch.Progress(3, terminal)
    progress.update(graded("ann"))
    progress.update(graded("ben", "not graded: the grader exited with status 3 (boom)"))
    shown = terminal.getvalue()
    assert shown.startswith("\r\033[K0/3 graded, 0 not graded")
    last = shown.rsplit("\r\033[K", 1)[-1]
    assert re.fullmatch(r"2/3 graded, 1 not graded, [0-9.]+ per minute, about \d+ s left", last), last
    assert "\r\033[Kben: not graded: the grader exited with status 3 (boom)\n" in shown
    assert "ann" not in shown  # a submission graded is counted, not listed
    progress.finish()
    assert terminal.getvalue().endswith("\r\033[K")


def test_progress_in_a_pipe_is_one_plain_line_per_submission():
    pipe = io.StringIO()
    progress = batch.Progress(2, pipe)
    progress.update(graded("ann"))
    progress.update(graded("b\x1bn", "not graded: batch was interrupted"))
    progress.finish()
    assert pipe.getvalue() == ("[1/2] ann: 7.5/12  (1.2 s)\n"
                               "[2/2] b\\x1bn: not graded: batch was interrupted  (1.2 s)\n")


def test_merge_is_a_subcommand(capsys):
    assert "merge" not in {e for e in cli.SUBCOMMANDS if e != "merge"}
    assert cli.main(["echo_server", "merge"]) == 2
    assert "unknown exercise 'merge'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        merge.main(["--help"])
    assert "--out" in capsys.readouterr().out
