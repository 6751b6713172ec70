"""The README's worked examples of sharded grading, run here as far as they can be: each
scheduler's grading commands run with its variables set as that scheduler sets them, then the
merge, and the merged gradebook is the unsharded one. The class is of empty submissions (settled
by reading: no learner process), so this tests the examples, not the grading.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader.cli import batch

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## A class of thousands"):README.index("## Trusted grading")]
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", SECTION, re.DOTALL)
NAMES = ("ann", "ben", "cat", "dan", "eve", "fay", "gus")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix", reason="needs bash")


def block(language, containing):
    (found,) = [text for kind, text in BLOCKS if kind == language and containing in text]
    return found


@pytest.fixture
def course(tmp_path):
    """A folder as the examples expect: submissions/ of empty submissions, and `grader` on PATH."""
    for name in NAMES:
        (tmp_path / "submissions" / name).mkdir(parents=True)
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "grader").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader "$@"\n')
    (bin_folder / "grader").chmod(0o755)
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "activate").write_text(f'PATH="{bin_folder}:$PATH"\n')
    env = {**os.environ, "PATH": f"{bin_folder}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "NETKATA_VENV": str(tmp_path / "venv")}
    for name in ("NETKATA_SHARD", "NETKATA_SHARDS", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"):
        env.pop(name, None)
    whole = tmp_path / "whole"
    assert batch.main([str(tmp_path / "submissions"), "--out", str(whole)]) == 0
    return tmp_path, env, whole


def sh(script, cwd, env):
    result = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def assert_same_gradebook(merged, whole):
    for name in ("grades.csv", batch.MANIFEST, batch.CLASS_REPORT):
        assert (merged / name).read_bytes() == (whole / name).read_bytes(), name


def test_the_github_actions_matrix_and_its_merge_job(course):
    folder, env, whole = course
    workflow = block("yaml", "strategy:")
    shards = [int(n) for n in re.search(r"shard: \[([\d, ]+)\]", workflow).group(1).split(",")]
    assert shards == list(range(1, len(shards) + 1))
    assert "NETKATA_SHARD: ${{ matrix.shard }}/${{ strategy.job-total }}" in workflow
    runs = re.findall(r"- run: (grader .*)", workflow)
    grade, merge = runs
    assert "pattern: shard-*" in workflow and "path: parts/" in workflow and "name: shard-${{ matrix.shard }}" in workflow
    for shard in shards:  # each job in a checkout of its own; its part/ uploaded as shard-K
        job = folder / f"job{shard}"
        job.mkdir()
        (job / "submissions").symlink_to(folder / "submissions")
        sh(grade, job, {**env, "NETKATA_SHARD": f"{shard}/{len(shards)}"})
        (folder / "parts").mkdir(exist_ok=True)
        shutil.move(job / "part", folder / "parts" / f"shard-{shard}")  # download-artifact's layout
    sh(merge, folder, env)
    assert_same_gradebook(folder / "grades", whole)


def test_the_kubernetes_indexed_job(course):
    folder, env, whole = course
    manifest = block("yaml", "kind: Job")
    completions = int(re.search(r"completions: (\d+)", manifest).group(1))
    assert "completionMode: Indexed" in manifest
    assert re.search(r"- name: NETKATA_SHARDS\n\s+value: \"(\d+)\"", manifest).group(1) == str(completions)
    assert 'command: ["sh", "-c"]' in manifest
    command = re.search(r"args:\n\s+- (.*)", manifest).group(1).replace("/class/", f"{folder}/")
    for index in range(completions):  # one pod per completion index
        sh(command, folder, {**env, "JOB_COMPLETION_INDEX": str(index), "NETKATA_SHARDS": str(completions)})
    merge = re.search(r"`(grader merge /class/parts/shard-\* --out /class/grades)`", SECTION).group(1)
    sh(merge.replace("/class/", f"{folder}/"), folder, env)
    assert_same_gradebook(folder / "grades", whole)


def test_the_slurm_array_script_and_its_merge(course):
    folder, env, whole = course
    script = block("bash", "#SBATCH --array")
    first, last = map(int, re.search(r"#SBATCH --array=(\d+)-(\d+)", script).group(1, 2))
    (folder / "grade-class.sbatch").write_text(script)
    for task in range(first, last + 1):  # the variables Slurm gives each task of the array
        sh("bash grade-class.sbatch", folder, {
            **env, "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first),
            "SLURM_ARRAY_TASK_MAX": str(last), "SLURM_ARRAY_TASK_COUNT": str(last - first + 1),
            "SLURM_CPUS_PER_TASK": "1"})
    merge = re.search(r"--wrap '(.*)'", SECTION).group(1)
    sh(merge.replace("$HOME/netkata-venv", str(folder / "venv")), folder, env)
    assert_same_gradebook(folder / "grades", whole)
    assert len(list((folder / "parts").iterdir())) == last - first + 1
