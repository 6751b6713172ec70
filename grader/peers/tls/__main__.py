"""python -m grader.peers.tls: the grader's TLS server by hand (tls_client)."""

import argparse
import shutil
import threading

from grader.peers.tls.behaviour import VERSIONS, Behaviour, answer_for
from grader.peers.tls.certificates import CASES, CertificateSet
from grader.peers.tls.server import TLSServer


def main(argv=None):
    """Serve one certificate case in the foreground until Ctrl-C, printing what happens."""
    parser = argparse.ArgumentParser(prog="python -m grader.peers.tls", description=main.__doc__)
    parser.add_argument("--port", type=int, default=9000, help="port on 127.0.0.1 (default 9000; 0: any free one)")
    parser.add_argument("--cafile", metavar="PATH",
                        help="write the trusted CA's certificate (PEM) here, for your cafile argument "
                             "(default: a temporary file, whose path is printed)")
    parser.add_argument("--certificate", choices=list(CASES), default="good",
                        help="the certificate the server presents: " + "; ".join(
                            f"{case.name}: {case.what}" for case in CASES.values()))
    parser.add_argument("--versions", choices=list(VERSIONS), default="1.2+",
                        help="the TLS versions offered (default 1.2+: TLS 1.2 and 1.3; 1.0-1.1 needs OpenSSL "
                             "security level 0, which the server sets)")
    parser.add_argument("--answer-size", type=int, metavar="BYTES",
                        help="answer with this many bytes (default: a 53-byte answer)")
    parser.add_argument("--small-records", type=int, default=0, metavar="N",
                        help="send the answer's first N bytes one byte per TLS record")
    parser.add_argument("--pause", type=float, default=0.0, metavar="SECONDS",
                        help="with --small-records, seconds between two of those records")
    parser.add_argument("--no-close-notify", action="store_true",
                        help="end the answer by closing TCP, without the TLS close_notify alert")
    parser.add_argument("--stall", choices=["handshake", "answer"],
                        help="go silent: never answer the ClientHello, or read the request and never answer")
    parser.add_argument("--not-tls", action="store_true", help="speak plain text, not TLS (an HTTP 400 to anything)")
    args = parser.parse_args(argv)
    behaviour = Behaviour(certificate=args.certificate, versions=args.versions, small_records=args.small_records,
                          pause=args.pause, ending="tcp_close" if args.no_close_notify else "close_notify",
                          stall=args.stall, plain=args.not_tls,
                          **({"answer": answer_for(args.answer_size)} if args.answer_size is not None else {}))
    certificates = CertificateSet()
    cafile = certificates.cafile
    if args.cafile:
        shutil.copyfile(certificates.cafile, args.cafile)
        cafile = args.cafile
    introduced = threading.Event()  # the server's log waits for the lines that say what it is

    def log(text):
        introduced.wait()
        print(text, flush=True)

    server = TLSServer(behaviour, certificates, port=args.port, log=log)
    try:
        server.start()
    except OSError as exc:
        certificates.close()
        parser.exit(1, f"Cannot listen on 127.0.0.1:{args.port}: {exc.strerror}. Try another --port.\n")
    try:
        host, port = server.address
        print(f"{behaviour.describe()}\non {host}:{port}", flush=True)
        if not behaviour.plain:
            print(f"Certificate: {certificates.describe(behaviour.certificate)}", flush=True)
        if args.cafile:  # the server's context holds its key now: the folder is not needed any more,
            certificates.close()  # and is not left behind however this process ends
        print(f"CA file (your cafile): {cafile}\nCtrl-C stops it.", flush=True)
        introduced.set()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        introduced.set()  # (a log line waiting would hold up the server's thread)
        server.stop()
        certificates.close()


if __name__ == "__main__":
    main()
