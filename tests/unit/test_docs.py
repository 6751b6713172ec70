"""The project's documents are the repository's own: every .md file that a Python file or a
Markdown file points to is in the repository, the exercise READMEs state their contracts as
numbered clauses, the URL rules' examples agree with the grader's oracle, and every option of
the command line is in docs/command-line.md."""

import argparse
import re
from pathlib import Path

import pytest

from grader.cli.readme import title_and_sections
from grader.katas.url_validator.rules import RULES, find_violation
from grader.track import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
NAMES = [e.name for e in EXERCISES]
COMMAND_LINE = ROOT / "docs" / "command-line.md"
URL_RULES = ROOT / "docs" / "url-rules.md"

# Folders that are not the repository's own text: version control, virtual environments, build
# output, caches (an installed checkout has netkata.egg-info/ with a copy of README.md).
SKIPPED_FOLDERS = {"__pycache__", "build", "dist", "node_modules"}

# Placeholders a reference may hold, each standing for every exercise of the track.
PLACEHOLDERS = ("<exercise>", "<name>", "EXERCISE")

# References that point outside the repository on purpose: the outside law, which this test
# reads where CI puts it beside the checkout (docs/url-rules.md restates it here).
OUTSIDE = {("tests/unit/test_url_rules.py", "URL_RULES.md")}

# A path-like reference: a run of path characters ending in ".md", not glued to more of a path,
# a URL (https://...) or a template (f"{folder}/README.md": made at run time, not written here).
REFERENCE = re.compile(r"(?<![\w./<>{}:-])([\w./<>-]*[\w>]\.md)(?![\w-])")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+?\.md)(#[^)\s]*)?\)")


def repository_files(suffix):
    found = []
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        parts = path.relative_to(ROOT).parts[:-1]
        if any(part.startswith(".") or part in SKIPPED_FOLDERS or part.endswith(".egg-info") for part in parts):
            continue
        if any((ROOT.joinpath(*parts[:i + 1]) / "pyvenv.cfg").exists() for i in range(len(parts))):
            continue
        found.append(path)
    return found


def shown(path):
    return path.relative_to(ROOT).as_posix()


def expansions(reference):
    """The reference with each placeholder replaced by every exercise's name."""
    if not any(p in reference for p in PLACEHOLDERS):
        return [reference]
    results = []
    for name in NAMES:
        expanded = reference
        for placeholder in PLACEHOLDERS:
            expanded = expanded.replace(placeholder, name)
        results.append(expanded)
    return results


def prose_references(path):
    """(line number, reference) of every path-like .md reference in a file's text. In Python a
    string literal that is a file name and nothing else ("summary.md") is a name the code
    makes or reads, not a reference to a document."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in REFERENCE.finditer(text):
        before, after = text[match.start() - 1:match.start()], text[match.end():match.end() + 1]
        if path.suffix == ".py" and before and before in "\"'" and after == before and "/" not in match.group(1):
            continue
        found.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def resolves(path, reference, *, strict):
    """Whether ``reference`` names a file: beside ``path`` (a Markdown link, ``strict``, is read
    that way by GitHub), or else from the repository's top (prose such as "see CONTRIBUTING.md")."""
    bases = [path.parent] if strict else [path.parent, ROOT]
    return any((base / reference).resolve().is_file() for base in bases if not reference.startswith("/"))


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    return {slug(line.lstrip("#")) for line in path.read_text(encoding="utf-8").splitlines()
            if re.match(r"#{1,6} ", line)}


def broken_references():
    broken = []
    for path in repository_files(".py") + repository_files(".md"):
        for line, reference in prose_references(path):
            if (shown(path), reference) in OUTSIDE:
                continue
            if "<" in reference or ">" in reference:
                if not any(p in reference for p in PLACEHOLDERS):
                    broken.append(f"{shown(path)}:{line}: {reference} (an unknown placeholder)")
                    continue
            for expanded in expansions(reference):
                if not resolves(path, expanded, strict=False):
                    broken.append(f"{shown(path)}:{line}: {expanded}")
    return broken


def test_every_md_file_the_python_and_markdown_files_name_is_in_the_repository():
    assert broken_references() == [], (
        "these .md references name no file of the repository (from the file's folder or the top): "
        "write the repository's own document instead (docs/command-line.md, docs/url-rules.md, "
        "exercises/<exercise>/README.md)")


def test_every_markdown_link_to_an_md_file_resolves_from_its_own_folder_with_its_anchor():
    broken = []
    for path in repository_files(".md"):
        for match in MARKDOWN_LINK.finditer(path.read_text(encoding="utf-8")):
            target, anchor = match.group(1), match.group(2)
            if "://" in target:
                continue
            if not resolves(path, target, strict=True):
                broken.append(f"{shown(path)}: ({target}) is not a file beside it")
            elif anchor and anchor[1:] not in anchors((path.parent / target).resolve()):
                broken.append(f"{shown(path)}: ({target}{anchor}) has no such heading")
    assert broken == []


def test_the_reference_finder_skips_urls_templates_and_file_names_in_code(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""See docs/command-line.md and exercises/<exercise>/README.md."""\n'
                      'url = "https://example.com/x/README.md"\n'
                      'made = f"{folder}/README.md"\n'
                      'name = tmp / "summary.md"  # see CONTRIBUTING.md\n', encoding="utf-8")
    assert [ref for _, ref in prose_references(sample)] == [
        "docs/command-line.md", "exercises/<exercise>/README.md", "CONTRIBUTING.md"]
    assert expansions("exercises/<exercise>/README.md") == [f"exercises/{n}/README.md" for n in NAMES]
    assert slug(" `grader batch`: grade a class") == "grader-batch-grade-a-class"


# -- the exercise READMEs' contracts -------------------------------------------------------------

CLAUSE = re.compile(r"^- \*\*C(\d+)\.\*\* \S", re.MULTILINE)


def contract(name):
    _, sections = title_and_sections((ROOT / "exercises" / name / "README.md").read_text(encoding="utf-8"))
    return dict(sections)["The contract"]


@pytest.mark.parametrize("name", NAMES)
def test_every_contract_is_numbered_clauses_from_c1_without_gaps(name):
    numbers = [int(n) for n in CLAUSE.findall(contract(name))]
    assert numbers, f"exercises/{name}/README.md: the contract has no clauses written '- **C1.** ...'"
    assert numbers == list(range(1, len(numbers) + 1)), numbers


@pytest.mark.parametrize("name", NAMES)
def test_every_contract_says_the_exercise_is_one_file(name):
    text = contract(name)
    assert "one file" in text and "no helper modules" in re.sub(r"\s+", " ", text) and f"`{name}/{name}.py`" in text


# -- the URL rules -------------------------------------------------------------------------------

def example_rows(path):
    """(url, valid, rule or None) of each row of the example tables in ``path``."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\| `(.*)`(.*?) \| (yes|no)\b(.*)\|", line)
        if match:
            url = match.group(1)
            if "ends in a newline" in match.group(2):
                url = url.replace("\\n", "\n")
            rule = re.match(r" \(rule (\d)", match.group(4))
            rows.append((url, match.group(3) == "yes", int(rule.group(1)) if rule else None))
    return rows


@pytest.mark.parametrize("path", [URL_RULES, ROOT / "exercises" / "url_validator" / "README.md"],
                         ids=["docs/url-rules.md", "exercises/url_validator/README.md"])
def test_the_url_examples_of_the_documents_agree_with_the_oracle(path):
    rows = example_rows(path)
    assert len(rows) >= 30
    wrong = []
    for url, valid, rule in rows:
        violation = find_violation(url)
        if (violation is None) != valid or (rule is not None and violation.rule != rule):
            wrong.append((url, valid, rule, str(violation)))
    assert wrong == []


def test_url_rules_md_states_the_rules_in_the_oracles_numbering():
    numbers = [int(n) for n in re.findall(r"^\*\*Rule (\d): ", URL_RULES.read_text(encoding="utf-8"), re.MULTILINE)]
    assert numbers == sorted(RULES)


# -- the command line ----------------------------------------------------------------------------

def parsers():
    from grader.cli import autograder, batch, hint, main, progress, reset, watch

    return {"grader": main.parser(), "grader report": main.report_parser(), "grader batch": batch.parser(),
            "grader watch": watch.parser(), "grader list": progress.parser(), "grader hint": hint.parser(),
            "grader reset": reset.parser(), "python -m grader.cli.autograder": autograder.parser()}


def test_every_command_and_option_is_in_command_line_md():
    text = COMMAND_LINE.read_text(encoding="utf-8")
    missing = []
    for command, parser in parsers().items():
        if command not in text:
            missing.append(command)
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for option in action.option_strings:
                if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text):
                    missing.append(f"{command} {option}")
    assert missing == []


def test_command_line_md_names_every_exit_status_of_the_grader():
    from grader.cli.common import ExitStatus

    text = COMMAND_LINE.read_text(encoding="utf-8")
    for status in ExitStatus:
        assert f"| {int(status)} |" in text, status
