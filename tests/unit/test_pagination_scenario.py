"""The paginated API's decisions, tested without sockets."""

import json
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings

from grader.peers.pagination.scenario import (
    ENTRY_PATH, Reply, Scenario, describe_difference, error, json_body, not_json, stall,
    too_many_requests)
from grader.katas.paginator.strategies import scenarios

ORIGIN = "http://127.0.0.1:8000"


def body(reply):
    return json.loads(reply.body)


def walk(scenario, join):
    """Follow the scenario's links from the entry with ``join``; the targets asked, in order."""
    url, asked = ORIGIN + ENTRY_PATH, []
    for _ in range(2 * len(scenario.pages) + 2):
        asked.append(url[len(ORIGIN):])
        page, reply = scenario.answer(asked[-1], 0, ORIGIN)
        if reply.status == 302:
            url = dict(reply.headers)["Location"]
            continue
        link = body(reply)["next"] if page is not None else None
        if link is None:
            return asked
        url = join(url, link)
    return asked


def pages_served(scenario, asked):
    return [scenario.page_target(target) for target in asked]


def test_numbered_pages_hold_consecutive_items():
    scenario = Scenario.numbered([2, 0, 3])
    assert scenario.pages == [[1, 2], [], [3, 4, 5]]
    assert scenario.items == [1, 2, 3, 4, 5]


def test_page_urls_are_opaque_cursors_not_numbers():
    scenario = Scenario.numbered([1, 1, 1])
    assert scenario.path(0) == ENTRY_PATH
    assert scenario.path(1).startswith("/api/v1/pages/")
    assert "1" != scenario.path(1).rsplit("/", 1)[1] and len({scenario.path(p) for p in range(3)}) == 3


@pytest.mark.parametrize("links", ["absolute", "root", "relative", ("relative", "root", "absolute")])
@pytest.mark.parametrize("redirect_entry", [False, True])
def test_urljoin_against_the_final_url_visits_every_page_once(links, redirect_entry):
    scenario = Scenario.numbered([2, 2, 1], links=links, redirect_entry=redirect_entry)
    asked = walk(scenario, urljoin)
    assert pages_served(scenario, asked) == ([None] if redirect_entry else []) + [0, 1, 2]


def test_joining_against_the_first_url_after_a_redirect_goes_astray():
    scenario = Scenario.numbered([1, 1], links="relative", redirect_entry=True)
    link = body(scenario.answer(scenario.path(0), 0, ORIGIN)[1])["next"]
    assert scenario.page_target(urljoin(ENTRY_PATH, link)) is None


def test_link_styles_are_written_as_named():
    scenario = Scenario.numbered([1, 1, 1], links=("absolute", "root", "relative"), loop_to=0)
    assert scenario.next_link(0, ORIGIN) == ORIGIN + scenario.path(1)
    assert scenario.next_link(1, ORIGIN) == scenario.path(2)
    assert scenario.next_link(2, ORIGIN) == "../items"
    relative = Scenario.numbered([1, 1, 1], links="relative")
    assert relative.next_link(0, ORIGIN) == "pages/" + relative.path(1).rsplit("/", 1)[1]
    assert relative.next_link(1, ORIGIN) == relative.path(2).rsplit("/", 1)[1]
    assert relative.next_link(2, ORIGIN) is None


def test_concatenating_a_relative_link_asks_for_a_url_where_no_page_lives():
    scenario = Scenario.numbered([1, 1], links="relative")
    asked = walk(scenario, lambda base, link: ORIGIN + "/" + link)
    assert asked[-1] != scenario.path(1)
    assert scenario.page_target(asked[-1]) is None


def test_counting_pages_asks_for_a_url_where_no_page_lives():
    scenario = Scenario.numbered([2, 2])
    page, reply = scenario.answer(ENTRY_PATH + "?page=2", 0, ORIGIN)
    assert page is None and reply.status == 404


def test_last_page_has_null_next_unless_it_loops():
    assert body(Scenario.numbered([1, 1]).answer(Scenario.numbered([1, 1]).path(1), 0, ORIGIN)[1]) \
        == {"items": [2], "next": None}
    looping = Scenario.numbered([1, 1, 1], loop_to=0)
    assert body(looping.answer(looping.path(2), 0, ORIGIN)[1])["next"] == ORIGIN + ENTRY_PATH


def test_empty_collection_is_one_empty_page():
    page, reply = Scenario([[]]).answer(ENTRY_PATH, 0, ORIGIN)
    assert page == 0 and body(reply) == {"items": [], "next": None}


def test_faults_come_first_in_order_then_the_page():
    scenario = Scenario.numbered([1, 1], faults={1: [too_many_requests(1), error(503)]})
    target = scenario.path(1)
    statuses = [scenario.answer(target, nth, ORIGIN)[1].status for nth in range(4)]
    assert statuses == [429, 503, 200, 200]
    assert dict(scenario.answer(target, 0, ORIGIN)[1].headers)["Retry-After"] == "1"


def test_a_429_without_retry_after_has_no_such_header():
    assert "Retry-After" not in dict(too_many_requests(None).headers)


def test_broken_pages_answer_the_same_every_time():
    scenario = Scenario.numbered([1, 1], broken={1: error(404)})
    assert {scenario.answer(scenario.path(1), nth, ORIGIN)[1].status for nth in range(5)} == {404}


def test_a_stall_delays_the_page_itself():
    scenario = Scenario.numbered([2], faults={0: [stall(3)]})
    page, first = scenario.answer(ENTRY_PATH, 0, ORIGIN)
    assert page == 0 and first.delay == 3 and body(first)["items"] == [1, 2]
    assert scenario.answer(ENTRY_PATH, 1, ORIGIN)[1].delay == 0


@pytest.mark.parametrize("reply", [not_json(), json_body([1, 2]), json_body({"items": [1]})])
def test_bad_bodies_are_served_as_200(reply):
    scenario = Scenario.numbered([1], broken={0: reply})
    assert scenario.answer(ENTRY_PATH, 0, ORIGIN)[1] == reply and reply.status == 200


def test_redirected_entry_points_at_page_zero():
    scenario = Scenario.numbered([1, 1], redirect_entry=True)
    page, reply = scenario.answer(ENTRY_PATH, 0, ORIGIN)
    assert page is None and reply.status == 302
    assert dict(reply.headers)["Location"] == ORIGIN + scenario.path(0) != ORIGIN + ENTRY_PATH


@pytest.mark.parametrize("options", [
    {"pages": []}, {"pages": [[1]], "links": "weird"}, {"pages": [[1]], "links": ("root", "root")},
    {"pages": [[1]], "faults": {1: [error(503)]}}, {"pages": [[1]], "loop_to": 3}])
def test_impossible_scenarios_are_refused(options):
    with pytest.raises(ValueError):
        Scenario(**options)


def test_describe_names_layout_links_and_faults():
    text = Scenario.numbered([3, 1], links="relative", faults={1: [too_many_requests(1)]},
                             broken={0: error(500)}, loop_to=0).describe()
    for part in ["2 page(s) of 3, 1 item(s)", "relative", "page 1 first answers 429 Retry-After: 1",
                 "page 0 always answers 500", "points back to page 0"]:
        assert part in text


@pytest.mark.parametrize("returned, says", [
    ([1, 2, 3, 4, 5], None),
    ([3, 4, 5], "page 0 (the first) are missing"),
    ([1, 2, 3, 4], "page 2 (the last) are missing"),
    ([1, 2, 1, 2, 3, 4, 5], "page 0 (the first) appear twice"),
    ([1, 2, 3, 4, 5, 5], "page 2 (the last) appear twice"),
    ([1, 2, 3], "only the first 3 of 5"),
    ([1, 2, 3, 9, 5], "item 3 should be 4 but is 9"),
    ([1, 2, 3, 4, 5, 6], "1 item(s) too many"),
    ((1, 2, 3, 4, 5), "returned tuple"),
])
def test_describe_difference_speaks_in_pages(returned, says):
    text = describe_difference([[1, 2], [3, 4], [5]], returned)
    assert text == says if says is None else says in text


def test_describe_difference_names_a_single_page_once():
    assert describe_difference([[1, 2]], [1, 2, 1, 2]) == "the items of page 0 (the only page) appear twice"
    assert describe_difference([[1], [2], [3]], [1, 3]) == "the items of page 1 are missing"


def test_reply_defaults_to_the_page():
    assert Reply().body is None and Reply().status == 200


@settings(max_examples=50, derandomize=True, database=None)
@given(scenarios())
def test_every_generated_scenario_can_be_walked_with_urljoin(scenario):
    served = pages_served(scenario, walk(scenario, urljoin))
    assert [p for p in served if p is not None] == list(range(len(scenario.pages)))
