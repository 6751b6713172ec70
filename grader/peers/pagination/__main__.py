"""python -m grader.peers.pagination: the paginated API by hand (paginator)."""

from grader.peers.pagination.api import main

main()
