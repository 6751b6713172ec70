"""Commands a learner can paste to repeat a probe by hand.

A failure is easier to believe, and to fix, when you can see it happen yourself. The commands
target the port a learner uses when running their own file (``python echo_server.py 9000``),
not the random port the grader used.
"""

HAND_PORT = 9000
MAX_SHOWN = 80  # bytes; longer probes are not worth pasting


def python_probe(data, *, half_close=False, port=HAND_PORT):
    """A `python -c` line that sends ``data`` to a server on ``port`` and prints the reply.

    Returns None when the payload is too long to paste usefully.
    """
    if len(data) > MAX_SHOWN:
        return None
    steps = ["import socket", f'c = socket.create_connection(("127.0.0.1", {port}))', f"c.sendall({bytes_literal(data)})"]
    if half_close:
        steps.append("c.shutdown(socket.SHUT_WR)")
    steps.append("print(c.recv(65536))")
    return "python -c '" + "; ".join(steps) + "'"


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("\\"): "\\\\"}


def bytes_literal(data):
    """A bytes literal in double quotes with no single quote in it, to sit inside '...' in a shell."""
    body = "".join(_ESCAPES.get(b, chr(b) if 32 <= b < 127 and b != 39 else f"\\x{b:02x}") for b in data)
    return f'b"{body}"'
