"""python -m grader.peers.raw_http: the scripted HTTP server by hand (http_client)."""

from grader.peers.raw_http.server import main

main()
