"""``python -m grader.peers.fetch``: the counting server of async_fetcher, by hand."""

import argparse
import threading

from grader.peers.fetch.answers import __doc__ as PATHS
from grader.peers.fetch.answers import HOLD
from grader.peers.fetch.server import CountingServer
from grader.peers.fetch.timeline import chart

QUIET = 1.0  # seconds with nothing in flight after which the timeline of the burst is printed


def parser():
    p = argparse.ArgumentParser(
        prog="python -m grader.peers.fetch",
        description="The counting server the async_fetcher checks use: it prints every request as it starts "
                    "and ends, with the number in flight, and a chart of each burst of requests.",
        epilog="Paths:\n" + PATHS.split("\n\n")[2] + "\nA closed port (connection refused): http://127.0.0.1:1/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=9000, help="the port on 127.0.0.1 (default 9000)")
    p.add_argument("--limit", type=int, default=5,
                   help=f"/paced/ requests are answered, newest first, while this many are in flight (or after "
                        f"{HOLD:g} s of waiting for them); default 5, fetch_all's default limit")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    changed = threading.Event()

    def tell(line):
        print(line, flush=True)
        changed.set()

    server = CountingServer(limit=args.limit, port=args.port, rearm=True, on_event=tell)
    try:
        server.__enter__()
    except OSError as problem:
        p.exit(1, f"cannot listen on 127.0.0.1:{args.port}: {problem.strerror} (try another --port)\n")
    origin = server.origin
    print(f"Serving on {origin} (Ctrl-C stops). Try, with the file of the exercise:\n"
          f"  python async_fetcher.py --limit {args.limit} {origin}/paced/{{0..8}}"
          f"\n  python async_fetcher.py {origin}/ok/a {origin}/status/404/b {origin}/stall/c {origin}/reset/d "
          "http://127.0.0.1:1/refused --timeout 1", flush=True)
    try:
        shown = 0
        while True:  # after each burst of requests, its timeline
            changed.wait()
            changed.clear()
            while changed.wait(QUIET):
                changed.clear()
            burst = server.requests[shown:]
            if burst and all(r.end is not None for r in burst):
                print(chart(burst), flush=True)
                shown += len(burst)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
