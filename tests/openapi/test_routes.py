"""Routing as OpenAPI means it: concrete paths before templated ones, any character in a parameter."""

from __future__ import annotations

from mockserver.openapi.routes import RouteTable


def table(*templates: str) -> RouteTable[str]:
    routes: RouteTable[str] = RouteTable()
    for template in templates:
        routes.add(template, "get", template)
    return routes


def matched(routes: RouteTable[str], path: str) -> tuple[str, dict[str, str]] | None:
    found = routes.match(path)
    return None if found is None else (found.methods["GET"], found.params["GET"])


def test_a_literal_segment_wins_over_a_template_declared_before_it() -> None:
    routes = table("/metadata_templates/{scope}", "/metadata_templates/global")
    assert matched(routes, "/metadata_templates/global") == ("/metadata_templates/global", {})
    assert matched(routes, "/metadata_templates/enterprise") == ("/metadata_templates/{scope}", {"scope": "enterprise"})


def test_a_literal_file_name_wins_over_a_templated_one_in_the_same_folder() -> None:
    # Twilio: IncomingPhoneNumbers/{Sid}.json and IncomingPhoneNumbers/Local.json
    routes = table(
        "/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
        "/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json",
    )
    assert matched(routes, "/Accounts/AC1/IncomingPhoneNumbers/Local.json") == (
        "/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json",
        {"AccountSid": "AC1"},
    )
    assert matched(routes, "/Accounts/AC1/IncomingPhoneNumbers/PN9.json") == (
        "/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
        {"AccountSid": "AC1", "Sid": "PN9"},
    )


def test_a_literal_that_leads_nowhere_falls_back_to_the_template() -> None:
    routes = table("/users/me", "/users/{id}/repos")
    assert matched(routes, "/users/me/repos") == ("/users/{id}/repos", {"id": "me"})


def test_each_template_names_its_own_parameters_at_a_shared_level() -> None:
    routes = table("/things/{id}", "/things/{thingId}/parts/{partId}")
    assert matched(routes, "/things/7") == ("/things/{id}", {"id": "7"})
    assert matched(routes, "/things/7/parts/8") == ("/things/{thingId}/parts/{partId}", {"thingId": "7", "partId": "8"})


def test_a_parameter_may_hold_any_percent_encoded_character() -> None:
    routes = table("/files/{name}")
    assert matched(routes, "/files/a%2Fb%0Ac%20d") == ("/files/{name}", {"name": "a/b\nc d"})


def test_trailing_slashes_are_matched_as_the_spec_writes_them() -> None:
    routes = table("/things", "/folders/")
    assert matched(routes, "/things/") is None
    assert matched(routes, "/folders/") == ("/folders/", {})
    assert matched(routes, "/folders") is None


def test_an_empty_segment_is_no_parameter() -> None:
    assert matched(table("/things/{id}"), "/things/") is None


def test_several_templates_in_one_segment_split_on_their_literal_text() -> None:
    routes = table("/v1/{name}:{verb}")
    assert matched(routes, "/v1/jobs:cancel") == ("/v1/{name}:{verb}", {"name": "jobs", "verb": "cancel"})


def test_methods_of_one_path_are_all_found() -> None:
    routes: RouteTable[str] = RouteTable()
    routes.add("/things", "get", "list")
    routes.add("/things", "post", "create")
    found = routes.match("/things")
    assert found is not None and found.methods == {"GET": "list", "POST": "create"}
