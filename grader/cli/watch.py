"""``grader watch [EXERCISE]``: grade the exercise you are on each time you save it.

    grader watch [EXERCISE] [--path TREE] [--verbose]

The learner's loop, as rustlings' watch mode has it: the screen shows the current exercise's
results and ``Progress: [#>---] 1/5``; saving a file of the exercise grades it again; when it
passes, the screen congratulates, names the next exercise and watches that one. Keys: ``h`` the
next hint, ``n`` the next exercise, ``r`` grade again, ``q`` quit. Where the input is not a
terminal there are no keys, and Ctrl-C quits (grader/cli/terminal.py).

How it is built, and why:
- One loop does everything: wait up to ``POLL`` seconds for a key, then compare the exercise
  folder's ``*.py`` files (name, modification time, size) with what was last graded. Polling
  is portable and needs nothing beyond the standard library; five stat calls every 0.2 s cost
  nothing. A change is graded once the files have stopped changing for ``SETTLE`` seconds, so
  an editor that truncates and then writes is graded once, on the whole file.
- Grading runs in this process (``grader.engine.run.grade``, the same call as ``grader EXERCISE``):
  the learner's code still runs in a fresh child process each time, but pytest, Hypothesis and
  the checks are imported once, which makes echo_server's feedback about 0.9 s instead of the
  1.4 s a new ``python -m grader`` takes. Repeated runs share no state that matters: every run
  builds a new plugin, and stops every learner process it started before returning.
- An exercise's checks stop at its first failure (``--every-check`` runs them all): that failure
  is what to fix next, and a failing check costs its waits (a second or more for an echo that
  never comes), so a broken echo_server answers in about 2 s instead of 10.
- Progress at the start comes from grading every exercise (grader/cli/progress.py), with the memo
  for the unchanged ones; the current exercise is then always graded afresh.
"""

import argparse
import sys
import time
import traceback
from pathlib import Path

from grader.track import EXERCISES
from grader.reports.common import shown_path
from grader.reports.text import BOLD, DIM, GREEN, Painter, exercise_lines, terminal_width
from grader.results import MISSING, NOT_STARTED, PASSED

POLL = 0.1  # seconds between two looks at the files (and the longest a key waits)
SETTLE = 0.05  # seconds the files must stay unchanged before a change is graded
SETTLE_MAX = 1.0  # ... but a file that keeps changing is graded after this long anyway

QUIT = "quit"


def parser():
    p = argparse.ArgumentParser(
        prog="grader watch",
        description="Grade the exercise you are on each time you save it, and move on when it passes. "
                    "Keys: h hint, n next exercise, r grade again, q quit (Ctrl-C also quits).",
        epilog="Exit status: 0 quit with q, 2 usage error, 130 Ctrl-C.")
    p.add_argument("exercise", nargs="?", metavar="EXERCISE",
                   help="start with this exercise (default: the first one that does not pass yet)")
    p.add_argument("--path", metavar="TREE", type=Path,
                   help="watch this implementation tree (default: the project's exercises/ folder)")
    p.add_argument("--every-check", action="store_true",
                   help="run every check on each save (by default an exercise's checks stop at its first "
                        "failure: that one is what to fix next, and you hear back sooner)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="show every byte each check sent and received, passing checks too")
    return p


def signature(exercise, tree):
    """What changes when a file of the exercise is saved: its .py files' names, times and sizes."""
    found = []
    for path in (Path(tree) / exercise.name).glob("*.py"):
        try:
            stat = path.stat()
        except OSError:  # removed between the listing and the stat (an editor's rename)
            continue
        found.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


class Watch:
    """The state of one watch session and the screen drawn from it."""

    def __init__(self, tree, out, keys, *, memo=True, verbose=False, every_check=False):
        self.tree = Path(tree)
        self.every_check = every_check
        self.out = out
        self.keys = keys
        self.memo = memo  # the learner's own exercises/ tree: use and feed grader/engine/memo.py
        self.verbose = verbose
        self.paint = Painter(out)
        self.results = {}  # exercise name -> its latest ExerciseResult
        self.current = EXERCISES[0]
        self.shown = None  # the ExerciseResult on screen (the passed one, just after moving on)
        self.graded = None  # signature of the current exercise's files when last graded
        self.graded_at = None
        self.notices = []  # lines under the results: congratulations, what happened
        self.hint_level = 0
        self._hints = {}

    # -- grading ------------------------------------------------------------------------------

    def start(self, name=None):
        from grader.engine.memo import grade_track

        self._say("grader watch: grading your exercises to see where you are ...")
        report, recalled = grade_track(self.tree, list(EXERCISES), recall=self.memo, remember=self.memo,
                                       stop_early=True)  # passed or not is all progress needs
        for result in report.exercises:
            self.results[result.name] = result
        if name is not None:
            self.current = next(e for e in EXERCISES if e.name == name)
        else:
            unfinished = report.next_unfinished()
            self.current = next(e for e in EXERCISES if e.name == unfinished.name) if unfinished else EXERCISES[-1]
        if self.current.name in recalled:
            self.grade(congratulate=False)
        else:
            self.graded = signature(self.current, self.tree)
            self.graded_at = (time.strftime("%H:%M:%S"), report.duration)
            self.shown = self.results[self.current.name]
        if report.next_unfinished() is None:
            self.notices = [self.paint("Every exercise passes. Well done!", GREEN)]
        self.draw()

    def grade(self, *, congratulate=True):
        """Grade the current exercise now; when it passes for the first time, move on."""
        from grader.engine.memo import grade_track

        exercise = self.current
        self._say(f"Grading {exercise.name} ...")
        self.graded = signature(exercise, self.tree)
        started = time.monotonic()
        try:
            report, _ = grade_track(self.tree, [exercise], remember=self.memo, verbose=self.verbose,
                                    stop_early=not self.every_check)
        except KeyboardInterrupt:
            raise
        except Exception:
            self.notices = ["The grader itself failed (a bug in the grader, not in your code; please report it):",
                            *traceback.format_exc().splitlines()]
            self.shown = None
            return
        (result,) = report.exercises
        self.graded_at = (time.strftime("%H:%M:%S"), time.monotonic() - started)
        before = self.results.get(exercise.name)
        self.results[exercise.name] = result
        self.shown = result
        self.notices = []
        if result.status == PASSED and congratulate and (before is None or before.status != PASSED):
            self.move_on()

    def move_on(self):
        """Congratulate on the current exercise and make the next unfinished one current."""
        done = self.current
        following = [e for e in EXERCISES[EXERCISES.index(done) + 1:] + EXERCISES[:EXERCISES.index(done)]
                     if self.results.get(e.name) is None or self.results[e.name].status != PASSED]
        green = GREEN
        self.notices = [self.paint(f"Well done! {done.name} passes every check.", green)]
        if not following:
            self.notices.append(self.paint("Every exercise passes. You have finished the track!", green))
            return
        upcoming = following[0]
        folder = shown_path(self.tree / upcoming.name)
        self.notices += [f"Next: {upcoming.name}: {upcoming.summary}",
                         f"Read {folder}/README.md, then write your code in "
                         f"{shown_path(upcoming.file_in(self.tree))}."]
        self.current = upcoming
        self.graded = signature(upcoming, self.tree)
        self.hint_level = 0

    # -- keys -----------------------------------------------------------------------------------

    def on_key(self, key):
        key = key.lower()
        if key == "q":
            return QUIT
        if key == "r":
            self.grade()
        elif key == "n":
            index = EXERCISES.index(self.current)
            if index + 1 == len(EXERCISES):
                self.notices = [f"{self.current.name} is the last exercise."]
            else:
                self.current = EXERCISES[index + 1]
                self.hint_level = 0
                self.grade(congratulate=False)
        elif key == "h":
            hints = self.hints()
            if hints:
                self.hint_level = min(self.hint_level + 1, len(hints))
        else:
            return None
        self.draw()
        return None

    def hints(self):
        from grader.cli.common import UsageError
        from grader.cli.hint import hints_of

        if self.current.name not in self._hints:
            try:
                self._hints[self.current.name] = hints_of(self.current)
            except UsageError as exc:
                self.notices = [str(exc)]
                self._hints[self.current.name] = []
        return self._hints[self.current.name]

    # -- the screen -----------------------------------------------------------------------------

    def _say(self, line):
        self.out.write("\n" + line + "\n")
        self.out.flush()

    def screen(self):
        from grader.cli.hint import format_hint
        from grader.reports.text import progress_bar

        lines = []
        shown = self.shown
        if shown is not None:
            lines += exercise_lines(shown, self.paint)
            if shown.name == self.current.name and shown.status in (NOT_STARTED, MISSING):
                lines += self._getting_started(shown)
            elif shown.name == self.current.name and shown.status != PASSED:
                left = sum(1 for c in shown.checks if c.status != PASSED)
                lines.append(f"{left} check{'s' if left != 1 else ''} to go. Fix the failure above, then save.")
        lines += self.notices
        if self.hint_level:
            hints = self.hints()
            lines += [""] + [self.paint(line, BOLD) if n == 0 else line
                             for n, line in enumerate(format_hint(self.current.name, hints, self.hint_level))]
            if self.hint_level < len(hints):
                lines.append(self.paint(f"(h again for hint {self.hint_level + 1})", DIM))
        passed = sum(1 for r in self.results.values() if r.status == PASSED)
        lines += ["", progress_bar(passed, len(EXERCISES))]
        when = f"  (graded at {self.graded_at[0]} in {self.graded_at[1]:.1f} s)" if self.graded_at else ""
        lines.append(f"Watching {shown_path(self.current.file_in(self.tree))}: save it to grade it.{when}")
        if self.keys.can_read_keys:
            lines.append(self.paint("h hint   n next exercise   r grade again   q quit", DIM))
        else:
            lines.append(self.paint("Ctrl-C quits (keys need a terminal)", DIM))
        return lines

    def _getting_started(self, result):
        path = shown_path(self.current.file_in(self.tree))
        if result.status == MISSING:
            return [f"{path} is missing. `grader reset {result.name}` puts the stub back."]
        summary = next(e.summary for e in EXERCISES if e.name == result.name)
        folder = shown_path(self.tree / result.name)
        return [f"  {summary}", f"  Read {folder}/README.md, then write your code in {path}."]

    def draw(self):
        from grader.cli.terminal import CLEAR

        self.paint.width = terminal_width(self.out)  # the terminal may have been resized since
        head = CLEAR if self.out.isatty() else "\n" + "=" * 72 + "\n"
        self.out.write(head + "\n".join(self.screen()) + "\n")
        self.out.flush()

    # -- the loop -------------------------------------------------------------------------------

    def changed(self):
        """Whether the current exercise's files differ from what was graded, once they settle."""
        now = signature(self.current, self.tree)
        if now == self.graded:
            return False
        deadline = time.monotonic() + SETTLE_MAX
        while time.monotonic() < deadline:
            time.sleep(SETTLE)
            later = signature(self.current, self.tree)
            if later == now:
                break
            now = later
        return True

    def run(self):
        """Until q (returns 0) or Ctrl-C (raises KeyboardInterrupt)."""
        while True:
            for key in self.keys.read(POLL):
                if self.on_key(key) == QUIT:
                    return 0
            if self.changed():
                self.grade()
                self.draw()
            elif terminal_width(self.out) != self.paint.width:  # resized: fold again to the new width
                self.draw()


def main(argv):
    from grader.cli.common import run_guarded, select_exercises, select_tree, use_lenient_stdout
    from grader.cli.terminal import keypresses

    args = parser().parse_args(argv)
    args.solutions = False

    def work():
        from grader.cli.main import isolate

        isolate(None)  # NETKATA_ISOLATION: the learner's program runs isolated here too
        if args.exercise is not None:
            select_exercises([args.exercise])
        tree = select_tree(args)
        use_lenient_stdout()
        with keypresses() as keys:
            watch = Watch(tree, sys.stdout, keys, memo=args.path is None, verbose=args.verbose,
                          every_check=args.every_check)
            watch.start(args.exercise)
            return watch.run()

    return run_guarded("grader watch", work, interrupted="stopped")
