"""The grader's house: the layer rule holds, the top folder stays small, and an untouched stub
is answered without the heavy libraries."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_imports_keep_to_the_layers():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "import-linter is part of the test extra: pip install -e '.[test]'"
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_grader_folder_holds_at_most_eight_modules():
    modules = sorted(p.name for p in (ROOT / "grader").glob("*.py"))
    assert len(modules) <= 8, modules


def test_an_untouched_stub_is_answered_without_pytest_or_hypothesis(tmp_path):
    probe = (
        "import json, sys\n"
        "from grader.cli.main import main\n"
        "try:\n"
        "    main(['echo_server', '--format', 'json', '--output', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', 'hypothesis'))\n"
        "print(json.dumps(heavy))\n"
    )
    report = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "-c", probe, str(report)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []
    assert json.loads(report.read_text())["exercises"][0]["status"] == "not_started"


def test_the_dependency_list_is_pyproject_s():
    import re
    import tomllib

    from grader import DEPENDENCIES

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert sorted(re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in declared) == sorted(DEPENDENCIES)
