"""python -m grader.peers.udp: the lossy UDP ping server by hand (udp_pinger)."""

import argparse
import threading

from grader.peers.udp.script import Lossy, Responder, parse_tokens
from grader.peers.udp.server import PingServer


def _rate(text):
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a rate is between 0 and 1, not {text}")
    return value


def _script(text):
    try:
        return parse_tokens(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv=None):
    """Answer pings (PING <i> <t>\\n -> PONG <i> <t>\\n) on 127.0.0.1 until Ctrl-C, losing, delaying
    and duplicating replies as asked, and printing every datagram in and out."""
    parser = argparse.ArgumentParser(prog="python -m grader.peers.udp", description=main.__doc__)
    parser.add_argument("--port", type=int, default=9000, help="UDP port on 127.0.0.1 (default 9000)")
    parser.add_argument("--loss", type=_rate, default=0.0, help="share of pings that get no reply (0 to 1)")
    parser.add_argument("--late", type=_rate, default=0.0,
                        help="share answered only when the next ping arrives (too late)")
    parser.add_argument("--duplicate", type=_rate, default=0.0, help="share answered twice")
    parser.add_argument("--stray", type=_rate, default=0.0,
                        help="share preceded by the same reply from another socket")
    parser.add_argument("--wrong", type=_rate, default=0.0, help="share preceded by a reply with the number of the ping before")
    parser.add_argument("--garbage", type=_rate, default=0.0, help="share preceded by a garbled datagram")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS",
                        help="answer after a random delay of up to SECONDS")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random choices (default 0)")
    parser.add_argument("--script", type=_script, default=[], metavar="FATES",
                        help="what happens to pings 1, 2, ... of each client, as the grader's messages write "
                             "it: answer@0.05,drop,late,twice,stray+answer,garbage+wrong+drop (the rest as the "
                             "rates say)")
    parser.add_argument("--decoy-gap", type=float, default=0.01, metavar="SECONDS",
                        help="seconds between the decoys of one ping in --script (default 0.01)")
    args = parser.parse_args(argv)
    fates = [fate.__class__(fate.reply, fate.hold, fate.decoys, args.decoy_gap) for fate in args.script]
    draw = Lossy(loss=args.loss, late=args.late, duplicate=args.duplicate, stray=args.stray, wrong=args.wrong,
                 garbage=args.garbage, delay=args.delay, seed=args.seed)
    server = PingServer(port=args.port, log=lambda text: print(text, flush=True),
                        responder=Responder(fates, draw=draw))
    try:
        server.start()
    except OSError as exc:
        parser.exit(1, f"Cannot bind 127.0.0.1:{args.port}: {exc.strerror}. Try another --port.\n")
    try:
        host, port = server.address
        print(f"UDP ping server on {host}:{port}; Ctrl-C stops it.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
