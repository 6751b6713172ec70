"""An ``async def`` contract function (async_fetcher's) in the learner's child: run with
asyncio.run, the moment its coroutine returned reported, and exceptions returned as values
known by their classes."""

import textwrap
import time

from grader.learner.process import LearnerFunction, Opaque

MODULE = textwrap.dedent('''
    import asyncio

    async def fetch_all(urls, fail=False):
        await asyncio.sleep(0)
        if fail:
            raise KeyError("boom")
        asyncio.get_running_loop().create_task(asyncio.sleep(30))  # left running: asyncio.run cancels it
        return [url.encode() for url in urls] + [TimeoutError("late"), ValueError("bad")]
''')


def test_a_coroutine_function_is_run_and_its_return_time_reported(tmp_path):
    path = tmp_path / "fetcher.py"
    path.write_text(MODULE)
    learner = LearnerFunction(path, "fetch_all")
    try:
        before = time.monotonic()
        outcome = learner.call(["a"], limit=10)
        after = time.monotonic()
        raised = learner.call([], fail=True, limit=10)
    finally:
        learner.close()
    assert outcome.returned and before < outcome.returned_at < after
    data, late, bad = outcome.value
    assert data == b"a"
    assert isinstance(late, Opaque) and late.is_a("TimeoutError") and late.is_a("OSError")
    assert not late.is_a("ValueError")
    assert bad.is_a("builtins.ValueError") and bad.repr == "ValueError('bad')"
    assert raised.raised.is_a("KeyError") and raised.returned_at is None
