"""python -m grader.katas.url_validator URL...: the grader's verdict on URLs, with the rule each breaks."""

from grader.katas.url_validator.rules import main

main()
