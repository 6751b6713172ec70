"""The paginated API server, driven with plain requests over loopback."""

import shlex
import threading
import time
from urllib.parse import urljoin

import pytest
import requests

from grader.peers.pagination.api import PaginatedAPI, main, parser, scenario_from_args
from grader.peers.pagination.scenario import (
    ENTRY_PATH, Scenario, error, json_body, not_json, stall, too_many_requests)

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0  # every client wait in these tests


def api_threads():
    return [t for t in threading.enumerate() if t.name.startswith("paginated-api")]


@pytest.fixture(autouse=True)
def nothing_left_behind():
    yield
    assert api_threads() == []


def follow(session, url):
    """A correct minimal client: follow next until null; the items and the final URLs."""
    items, urls = [], []
    while url:
        response = session.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        urls.append(response.url)
        url = urljoin(response.url, page["next"]) if page["next"] else None
    return items, urls


@pytest.mark.parametrize("links", ["absolute", "root", "relative"])
def test_a_session_fetches_every_page_over_one_connection(links):
    scenario = Scenario.numbered([3, 1, 0, 3], links=links)
    with PaginatedAPI(scenario) as api, requests.Session() as session:
        items, urls = follow(session, api.url)
        assert items == scenario.items
        assert urls == [scenario.url(page, api.origin) for page in range(4)]
        assert [(r.page, r.status, r.connection) for r in api.requests] == \
            [(0, 200, 1), (1, 200, 1), (2, 200, 1), (3, 200, 1)]
        assert api.connections == 1 and api.unlinked_requests() == [] and not api.never_stopped


def test_a_request_without_a_session_opens_a_connection_each():
    with PaginatedAPI(Scenario.numbered([1, 1, 1])) as api:
        url = api.url
        while url:
            page = requests.get(url, timeout=TIMEOUT).json()
            url = page["next"]
        assert api.connections == 3
        assert [r.connection for r in api.requests] == [1, 2, 3]


def test_url_the_api_never_linked_is_a_recorded_404():
    with PaginatedAPI(Scenario.numbered([2, 2])) as api:
        response = requests.get(api.url + "?page=2", timeout=TIMEOUT)
        assert response.status_code == 404
        assert [r.target for r in api.unlinked_requests()] == ["/api/v1/items?page=2"]


def test_redirected_entry_gives_page_zero_at_its_own_url():
    scenario = Scenario.numbered([2, 1], links="relative", redirect_entry=True)
    with PaginatedAPI(scenario) as api, requests.Session() as session:
        assert follow(session, api.url)[0] == [1, 2, 3]
        assert [(r.page, r.status) for r in api.requests] == [(None, 302), (0, 200), (1, 200)]
        assert api.unlinked_requests() == []


def test_scripted_faults_then_the_page_and_request_times_are_recorded():
    scenario = Scenario.numbered([1, 1], faults={1: [too_many_requests(1), error(503)]})
    with PaginatedAPI(scenario) as api, requests.Session() as session:
        first = session.get(api.url, timeout=TIMEOUT).json()
        before = time.monotonic()
        answers = [session.get(first["next"], timeout=TIMEOUT) for _ in range(3)]
        after = time.monotonic()
        assert [a.status_code for a in answers] == [429, 503, 200]
        assert answers[0].headers["Retry-After"] == "1"
        log = api.requests_for(1)
        assert [r.status for r in log] == [429, 503, 200]
        assert before <= log[0].at <= log[1].at <= log[2].at <= after
        assert api.connections == 1  # error answers keep the connection alive


@pytest.mark.parametrize("reply, status", [(error(404), 404), (error(500), 500),
                                           (not_json(), 200), (json_body({"items": []}), 200)])
def test_broken_page_answers_the_same_every_time(reply, status):
    with PaginatedAPI(Scenario.numbered([1], broken={0: reply})) as api, requests.Session() as s:
        bodies = {s.get(api.url, timeout=TIMEOUT).content for _ in range(3)}
        assert bodies == {reply.body} and {r.status for r in api.requests} == {status}


def test_a_stalled_page_times_the_client_out_and_a_retry_gets_it():
    scenario = Scenario.numbered([2], faults={0: [stall(5)]})
    with PaginatedAPI(scenario) as api, requests.Session() as session:
        started = time.monotonic()
        with pytest.raises(requests.Timeout):
            session.get(api.url, timeout=0.2)
        assert session.get(api.url, timeout=TIMEOUT).json()["items"] == [1, 2]
        assert time.monotonic() - started < 1
        assert api.connections == 2  # a timed-out connection cannot be reused


def test_closing_ends_a_stall_at_once():
    api = PaginatedAPI(Scenario.numbered([1], broken={0: stall(30)}))
    with api, requests.Session() as session:
        with pytest.raises(requests.Timeout):
            session.get(api.url, timeout=0.1)
        started = time.monotonic()
    assert time.monotonic() - started < 1


def test_closing_shuts_kept_alive_connections():
    with requests.Session() as session:
        with PaginatedAPI(Scenario.numbered([1])) as api:
            session.get(api.url, timeout=TIMEOUT)
            assert len(api_threads()) == 2  # the accept loop and the kept-alive connection
        with pytest.raises(requests.ConnectionError):
            session.get(api.url, timeout=TIMEOUT)


def test_a_loop_is_served_until_the_cap_then_the_run_is_marked():
    scenario = Scenario.numbered([1, 1], loop_to=0)
    with PaginatedAPI(scenario, max_requests=6) as api, requests.Session() as session:
        url, statuses = api.url, []
        for _ in range(7):
            response = session.get(url, timeout=TIMEOUT)
            statuses.append(response.status_code)
            url = response.json().get("next")
        assert statuses == [200] * 6 + [410]
        assert [r.page for r in api.requests] == [0, 1, 0, 1, 0, 1, None]
        assert api.never_stopped
        assert "#7" in api.transcript() and "-> 410" in api.transcript()


def test_use_loads_a_new_scenario_with_a_clean_log():
    with PaginatedAPI(Scenario.numbered([1], broken={0: error(503)})) as api:
        with requests.Session() as session:
            assert session.get(api.url, timeout=TIMEOUT).status_code == 503
        api.use(Scenario.numbered([2]))
        assert api.requests == [] and api.connections == 0
        with requests.Session() as session:
            assert follow(session, api.url)[0] == [1, 2]
        assert [r.number for r in api.requests] == [1]


def test_transcript_cuts_a_long_log():
    with PaginatedAPI(Scenario.numbered([1])) as api, requests.Session() as session:
        for _ in range(40):
            session.get(api.url, timeout=TIMEOUT)
        text = api.transcript(limit=10)
        assert "... 30 more requests ..." in text and "#40" in text and text.count("\n") == 10


@pytest.mark.parametrize("scenario", [
    Scenario.numbered([3, 3, 2]),
    Scenario([[]]),
    Scenario.numbered([2, 0, 1], links=("relative", "root", "absolute"), redirect_entry=True, loop_to=1),
    Scenario.numbered([1, 1, 1], faults={0: [error(502), too_many_requests(1)], 2: [stall(30)]},
                      broken={1: json_body({"items": [3], "next": 'a "quoted" link'})}),
    Scenario.numbered([1, 1], broken={1: not_json()}, faults={0: [too_many_requests(None)]}),
])
def test_the_command_a_failure_prints_serves_the_same_scenario(scenario):
    program, _, arguments = scenario.command(9000).partition(" --")
    assert program == "python -m grader.peers.pagination"
    again = scenario_from_args(parser().parse_args(shlex.split("--" + arguments)))
    assert again.describe() == scenario.describe()
    origin = "http://127.0.0.1:9000"
    for target in [ENTRY_PATH] + [scenario.path(page) for page in range(len(scenario.pages))]:
        for nth in range(3):
            assert again.answer(target, nth, origin) == scenario.answer(target, nth, origin)


def test_the_command_line_refuses_what_it_cannot_serve():
    for argv in (["--fault", "1=418:teapot"], ["--broken", "x=503"], ["--sizes", "1", "--fault", "3=503"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2


def test_a_wait_measured_from_the_answer_to_the_next_arrival_is_never_shorter_than_the_wait():
    scenario = Scenario.numbered([1, 1], faults={1: [error(503)]})
    with PaginatedAPI(scenario) as api, requests.Session() as session:
        first = session.get(api.url, timeout=TIMEOUT).json()["next"]
        assert session.get(first, timeout=TIMEOUT).status_code == 503
        time.sleep(0.05)
        assert session.get(first, timeout=TIMEOUT).status_code == 200
        page_0, failed, retried = api.requests
        assert all(r.at <= r.answered for r in api.requests)
        assert retried.at - failed.answered >= 0.05
