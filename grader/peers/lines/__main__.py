"""python -m grader.peers.lines: the line-reply server by hand (multi_message_client)."""

from grader.peers.lines.server import main

main()
