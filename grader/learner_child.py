"""The bootstrap that runs a learner's module in a child process.

Learner code never runs in the grader's process: a learner bug (an infinite loop, os._exit,
a megabyte print, a segfault) must cost only this child. The grader starts this file as a
script (``python -u learner_child.py FILE FUNCTION``) and talks to it over a control channel:

* requests arrive on the child's original standard input, one JSON object per line:
  ``{"args": [...], "kwargs": {...}}``;
* events go back on the child's original standard output, one JSON object per line:
  ``loaded``, ``load_error``, ``no_function``, ``returned``, ``raised``.

Before the learner's module is imported, file descriptors 0 and 1 are moved out of the way, so
the learner's ``print`` (fd 1) goes to fd 2, which the grader captures with a size cap, and the
learner's ``input()`` sees end of file. Closing or redirecting ``sys.stdout`` in learner code
cannot touch the control channel.

This file imports only the standard library and nothing from the grader package, so that a
child starts in a few tens of milliseconds and the learner's imports are resolved exactly as
they would be when the learner runs their own file.
"""

import base64
import importlib.util
import json
import os
import sys
import traceback

MAX_TEXT = 4000  # characters of a message or traceback sent back; the rest is cut


def _take_control_channel():
    """Keep the original stdin/stdout for the grader, give the learner harmless ones."""
    control_in = os.fdopen(os.dup(0), "rb", buffering=0)
    control_out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # the learner's stdout joins their stderr in the captured stream
    return control_in, control_out_fd


def _send(fd, event):
    data = (json.dumps(event) + "\n").encode("ascii")
    while data:
        written = os.write(fd, data)
        data = data[written:]


def encode_value(value, depth=0):
    """Turn a learner's return value into JSON without losing what a check must see.

    JSON alone would turn bytes, tuples and str into lookalikes; the tags keep them apart, so
    the grader can say "returned bytes instead of str". Anything else is sent as its repr.
    """
    if depth > 20:
        return {"repr": "<nested too deeply>", "type": type(value).__name__}
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return {"repr": repr(value)[:MAX_TEXT], "type": "int"}
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii"), "type": type(value).__name__}
    if isinstance(value, list):
        return [encode_value(item, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [encode_value(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[encode_value(k, depth + 1), encode_value(v, depth + 1)] for k, v in value.items()]}
    try:
        text = repr(value)
    except BaseException:  # a learner's __repr__ may raise anything
        text = "<unprintable>"
    return {"repr": text[:MAX_TEXT], "type": type(value).__name__}


def _learner_traceback(exc, learner_file):
    """The traceback lines that a learner can act on: their own frames, not this bootstrap's."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-MAX_TEXT:]


def _describe_exception(exc, learner_file):
    frames = traceback.extract_tb(exc.__traceback__)
    in_learner = [f for f in frames if os.path.abspath(f.filename) == learner_file]
    line = in_learner[-1].lineno if in_learner else None
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == learner_file:
        line = exc.lineno
    return {
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "mro": [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__],
        "message": str(exc)[:MAX_TEXT],
        "line": line,
        "traceback": _learner_traceback(exc, learner_file),
        "not_implemented": isinstance(exc, NotImplementedError),
        "exit_code": exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else None,
    }


def _load(learner_file, module_name):
    spec = importlib.util.spec_from_file_location(module_name, learner_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def main():
    learner_file = os.path.abspath(sys.argv[1])
    function_name = sys.argv[2]
    control_in, control_out = _take_control_channel()
    # The learner's folder comes first on sys.path, as when they run their own file; the
    # grader's folder (this script's) must not be there to shadow their imports.
    sys.path[0] = os.path.dirname(learner_file)
    module_name = os.path.splitext(os.path.basename(learner_file))[0]
    try:
        module = _load(learner_file, module_name)
    except BaseException as exc:
        _send(control_out, {"event": "load_error", **_describe_exception(exc, learner_file)})
        return 3
    function = getattr(module, function_name, None)
    if not callable(function):
        names = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        _send(control_out, {"event": "no_function", "defined": names[:20]})
        return 4
    _send(control_out, {"event": "loaded"})
    for line in control_in:
        request = json.loads(line)
        try:
            value = function(*request["args"], **request["kwargs"])
        except BaseException as exc:
            _send(control_out, {"event": "raised", **_describe_exception(exc, learner_file)})
            if isinstance(exc, (SystemExit, KeyboardInterrupt)):
                return 5
            continue
        try:
            encoded = encode_value(value)
        except RecursionError:
            encoded = {"repr": "<nested too deeply>", "type": type(value).__name__}
        _send(control_out, {"event": "returned", "value": encoded})
    return 0


if __name__ == "__main__":
    sys.exit(main())
