"""Tests of `bot.catalog.loader`: content files → Catalog, or every problem, one per line.

Every test writes real files under ``tmp_path/content`` so paths in problems read exactly as
an editor sees them (``content/programs/ca/red-seal.yaml: ...``).
"""

from __future__ import annotations

import copy
import os
import pickle
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.catalog import Catalog
from bot.catalog.loader import CatalogError, Problem, _is_internal, _parse_yaml, load_catalog
from bot.catalog.models import ContentFile, Event, Organisation, Program

REPO_CONTENT = Path(__file__).resolve().parents[2] / "content"

# --------------------------------------------------------------------------- builders


def loc(en: str, es: str | None = None, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "es": es or f"{en} (es)", "fr": fr or f"{en} (fr)"}


def program(item_id: str = "red-seal", **fields: Any) -> dict[str, Any]:
    """A complete, valid program; `fields` override or (with value None) remove keys."""
    data: dict[str, Any] = {
        "id": item_id,
        "country": "ca",
        "kind": "certification",
        "audiences": ["job_seekers", "newcomers"],
        "name": loc("Red Seal Program", "Programa Sello Rojo", "Programme du Sceau rouge"),
        "short_name": "Red Seal",
        "summary": loc("A common standard for skilled trades across Canada."),
        "what_you_get": loc("A Red Seal endorsement on your trade certificate."),
        "key_facts": [
            {
                "text": loc("Red Seals have been placed on certificates since 1959."),
                "year": 1959,
                "source": "https://www.red-seal.ca/",
            }
        ],
        "keywords": {"en": ["trades", "journeyperson"], "es": ["oficios"], "fr": ["métiers"]},
        "official_url": "https://www.red-seal.ca/",
        "sources": ["https://www.red-seal.ca/"],
        "last_verified": date(2025, 1, 15),
    }
    return _apply(data, fields)


def organisation(item_id: str = "ccda", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item_id,
        "country": "ca",
        "kind": "government",
        "name": loc("Canadian Council of Directors of Apprenticeship"),
        "summary": loc("Provinces and territories working together on apprenticeship."),
        "sources": ["https://www.red-seal.ca/"],
        "last_verified": date(2025, 1, 15),
    }
    return _apply(data, fields)


def event(item_id: str = "forum-2022", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item_id,
        "title": loc("Trilateral Forum 2022"),
        "start": date(2022, 8, 31),
        "timezone": "America/Mexico_City",
        "city": loc("Mexico City", "Ciudad de México", "Mexico"),
        "country": "mx",
        "host": loc("Host"),
        "summary": loc("Apprenticeship experts from three countries met."),
        "status": "held",
        "sources": ["https://www.example.org/forum"],
        "last_verified": date(2025, 1, 15),
    }
    return _apply(data, fields)


def _apply(data: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


class Content:
    """A content directory under tmp_path with helpers to write files into it."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "content"
        self.dir.mkdir(parents=True, exist_ok=True)

    def write(self, rel: str, data: Any) -> Path:
        """Write `data` (a dict → YAML, a str → as is, bytes → raw) to content/`rel`."""
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data if isinstance(data, str) else dump(data), encoding="utf-8")
        return path

    def program(self, item: dict[str, Any], folder: str | None = None) -> Path:
        return self.write(
            f"programs/{folder or item['country']}/{item['id']}.yaml", {"programs": [item]}
        )

    def organisation(self, item: dict[str, Any]) -> Path:
        return self.write(
            f"organisations/{item['country']}/{item['id']}.yaml", {"organisations": [item]}
        )

    def event(self, item: dict[str, Any]) -> Path:
        return self.write(f"forums/{item['id']}.yaml", {"events": [item]})

    def load(self) -> Catalog:
        return load_catalog(self.dir)

    def problems(self) -> list[str]:
        """Load, expecting failure; the problems as the lines `str(CatalogError)` shows."""
        with pytest.raises(CatalogError) as info:
            load_catalog(self.dir)
        lines = str(info.value).splitlines()
        assert lines == [str(p) for p in info.value.problems]
        return lines


@pytest.fixture
def content(tmp_path: Path) -> Content:
    return Content(tmp_path)


RED_SEAL = "content/programs/ca/red-seal.yaml"

# --------------------------------------------------------------------------- loading


def test_valid_minimal_catalog_loads(content: Content) -> None:
    content.program(program(organisation="ccda", related=["forum-2022"]))
    content.organisation(organisation())
    content.event(event(related=["red-seal"]))

    catalog = content.load()

    assert isinstance(catalog, Catalog)
    assert len(catalog) == 3
    assert isinstance(catalog.programs["red-seal"], Program)
    assert isinstance(catalog.organisations["ccda"], Organisation)
    assert isinstance(catalog.events["forum-2022"], Event)
    assert catalog.related_items(catalog.programs["red-seal"]) == [catalog.events["forum-2022"]]


def test_one_file_may_hold_several_items_of_several_kinds(content: Content) -> None:
    content.write(
        "bundle.yaml",
        {"programs": [program(), program("trade-test")], "organisations": [organisation()]},
    )
    assert set(content.load().programs) == {"red-seal", "trade-test"}


def test_yml_is_accepted_and_readme_and_hidden_files_are_ignored(content: Content) -> None:
    content.write("programs/ca/red-seal.yml", {"programs": [program()]})
    content.write("README.md", "# not YAML: programs: [\n")
    content.write("programs/ca/notes.txt", "programs: [")
    content.write(".drafts/broken.yaml", "programs: [")
    content.write("programs/ca/.red-seal.yaml", "programs: [")

    assert list(content.load().programs) == ["red-seal"]


def test_dates_and_aware_datetimes_load(content: Content) -> None:
    content.event(event())
    content.event(event("forum-2023", start="2023-09-20T10:00:00-06:00", end=None))
    catalog = content.load()
    assert catalog.events["forum-2022"].all_day
    start = catalog.events["forum-2023"].start
    assert isinstance(start, datetime)
    assert start.utcoffset() is not None


def test_only_true_and_false_are_booleans(content: Content) -> None:
    """YAML 1.1 reads `No` as False; a Spanish "No" must stay text."""
    item = program(featured=True)
    item["summary"]["es"] = "No"
    item["keywords"]["en"] = ["yes", "on", "off"]
    path = content.program(item)
    text = path.read_text()
    for word in ("No", "yes", "on", "off"):  # safe_dump quotes them; an editor would not
        text = text.replace(f"'{word}'", word)
    assert "es: No\n" in text
    path.write_text(text)

    catalog = content.load()

    assert catalog.programs["red-seal"].summary.es == "No"
    assert catalog.programs["red-seal"].keywords.en == ["yes", "on", "off"]
    assert catalog.programs["red-seal"].featured is True


# --------------------------------------------------------------------------- schema problems


def test_missing_language_is_one_exact_line(content: Content) -> None:
    item = program()
    del item["what_you_get"]["fr"]
    content.program(item)

    assert content.problems() == [
        "content/programs/ca/red-seal.yaml: programs[0].what_you_get.fr: field required"
        " (id: red-seal)"
    ]


def test_http_url_is_rejected_with_its_field_path(content: Content) -> None:
    content.program(
        program(
            official_url="http://www.red-seal.ca/",
            sources=["https://www.red-seal.ca/", "http://example.org"],
        )
    )

    assert content.problems() == [
        f"{RED_SEAL}: programs[0].official_url: must be an https:// URL (id: red-seal)",
        f"{RED_SEAL}: programs[0].sources[1]: must be an https:// URL (id: red-seal)",
    ]


def test_key_fact_source_must_be_https(content: Content) -> None:
    item = program()
    item["key_facts"][0]["source"] = "www.red-seal.ca"
    content.program(item)
    assert content.problems() == [
        f"{RED_SEAL}: programs[0].key_facts[0].source: must be an https:// URL (id: red-seal)"
    ]


def test_unknown_field_is_rejected_by_name(content: Content) -> None:
    content.program(program(colour="red"))
    assert content.problems() == [
        f"{RED_SEAL}: programs[0].colour: unknown field (see content/README.md for the fields)"
        " (id: red-seal)"
    ]


def test_misspelt_field_suggests_the_right_one(content: Content) -> None:
    item = program()
    item["sumary"] = item.pop("summary")
    item["name"]["fr_ca"] = "x"
    content.program(item)

    assert content.problems() == [
        f"{RED_SEAL}: programs[0].name.fr_ca: unknown field; allowed here: en, es, fr"
        " (id: red-seal)",
        f"{RED_SEAL}: programs[0].summary: field required (id: red-seal)",
        f"{RED_SEAL}: programs[0].sumary: unknown field, did you mean 'summary'? (id: red-seal)",
    ]


def test_unknown_top_level_key(content: Content) -> None:
    content.write("programs/ca/red-seal.yaml", {"program": [program()]})
    assert content.problems() == [
        f"{RED_SEAL}: program: unknown field, did you mean 'programs'?",
    ]


def test_bad_slug(content: Content) -> None:
    content.write(
        "programs/ca/red-seal.yaml",
        {"programs": [program("Red_Seal", related=["ok-id", "Bad Id"])]},
    )
    problems = content.problems()
    slug = "must be an id: lower-case letters a-z, digits and single hyphens, like red-seal"
    assert problems == [
        f"{RED_SEAL}: programs[0].id: {slug} (id: Red_Seal)",
        f"{RED_SEAL}: programs[0].related[1]: {slug} (id: Red_Seal)",
    ]


def test_enum_values_are_listed(content: Content) -> None:
    content.program(program(kind="internship", audiences=["students", "parents"]))
    problems = content.problems()
    assert problems[0].startswith(f"{RED_SEAL}: programs[0].kind: input should be 'apprenticeship'")
    assert problems[1].startswith(f"{RED_SEAL}: programs[0].audiences[1]: input should be")


def test_model_level_rule_is_located_at_the_item(content: Content) -> None:
    content.program(program(ended_on=date(2020, 1, 1)))
    assert content.problems() == [
        f"{RED_SEAL}: programs[0]: ended_on / replaced_by are only for status: ended (id: red-seal)"
    ]


def test_common_editor_mistakes_read_well(content: Content) -> None:
    content.program(
        program(
            name="Red Seal",  # one text instead of one per language
            sources="https://www.red-seal.ca/",  # one URL instead of a list
            short_name=2030,  # a number where text is expected
            last_verified="15/01/2025",
        )
    )
    assert content.problems() == [
        f"{RED_SEAL}: programs[0].name: needs one text per language (en, es, fr), not a text"
        " (id: red-seal)",
        f"{RED_SEAL}: programs[0].short_name: must be text, not a number; put the value in"
        " quotes (id: red-seal)",
        f"{RED_SEAL}: programs[0].sources: must be a list (one '- ' line per entry), not a text"
        " (id: red-seal)",
        f"{RED_SEAL}: programs[0].last_verified: must be a date written YYYY-MM-DD,"
        " like 2024-05-31 (id: red-seal)",
    ]


def test_naive_datetime_in_event_is_rejected(content: Content) -> None:
    content.event(event(start=datetime(2022, 8, 31, 10, 0)))
    assert content.problems() == [
        "content/forums/forum-2022.yaml: events[0].start: a date-time needs its UTC offset,"
        " e.g. 2022-08-31T10:00:00-05:00 (id: forum-2022)"
    ]


def test_unreadable_start_gives_one_problem_without_union_noise(content: Content) -> None:
    content.event(event(start="next week", end=[1]))
    problems = content.problems()
    expected = (
        "must be a date (2022-08-31) or a date-time with its UTC offset"
        " (2022-08-31T10:00:00-05:00) (id: forum-2022)"
    )
    assert problems == [
        f"content/forums/forum-2022.yaml: events[0].start: {expected}",
        f"content/forums/forum-2022.yaml: events[0].end: {expected}",
    ]
    assert not any(tag in line for line in problems for tag in ("datetime]", ".date", "function"))


def test_unknown_timezone(content: Content) -> None:
    content.event(event(timezone="Mexico/Ciudad_de_Mexico"))
    assert content.problems() == [
        "content/forums/forum-2022.yaml: events[0].timezone: unknown IANA time zone"
        " 'Mexico/Ciudad_de_Mexico' (id: forum-2022)"
    ]


@pytest.mark.parametrize("zone", ["America", "A" * 300])
def test_timezone_that_breaks_zoneinfo_is_a_problem_not_a_crash(
    content: Content, zone: str
) -> None:
    """`ZoneInfo("America")` raises IsADirectoryError, which pydantic does not wrap."""
    content.event(event(timezone=zone))
    problems = content.problems()
    assert len(problems) == 1
    assert problems[0].startswith("content/forums/forum-2022.yaml: ")


@pytest.mark.parametrize(
    ("part", "internal"),
    [
        ("function-after[_https_only(), constrained-str]", True),
        ("constrained-str", True),
        ("date", True),
        ("datetime", True),
        ("list[str]", True),
        ("Program", True),
        ("what_you_get", False),
        ("last_verified", False),
        (0, False),
    ],
)
def test_pydantic_internal_loc_parts_are_recognised(part: str | int, internal: bool) -> None:
    assert _is_internal(part) is internal


# --------------------------------------------------------------------------- file problems


def test_yaml_syntax_error_gives_line_and_column(content: Content) -> None:
    content.write("programs/ca/red-seal.yaml", "programs:\n  - id: red-seal\n    name: a: b\n")
    assert content.problems() == [
        f"{RED_SEAL}: line 3, column 12: invalid YAML: mapping values are not allowed here"
    ]


def test_tab_indentation_is_explained(content: Content) -> None:
    content.write("programs/ca/red-seal.yaml", "programs:\n\t- id: red-seal\n")
    [problem] = content.problems()
    assert problem.startswith(f"{RED_SEAL}: line 2, column 1: invalid YAML:")
    assert "tabs" in problem


def test_duplicate_yaml_key_is_an_error(content: Content) -> None:
    text = dump({"programs": [program()]}).replace(
        "  short_name: Red Seal\n", "  short_name: Red Seal\n  short_name: RS\n"
    )
    content.write("programs/ca/red-seal.yaml", text)
    [problem] = content.problems()
    assert problem.startswith(f"{RED_SEAL}: line ")
    assert "the key 'short_name' appears twice" in problem


def test_impossible_date_gives_its_line(content: Content) -> None:
    text = dump({"programs": [program()]}).replace("2025-01-15", "2025-13-15")
    content.write("programs/ca/red-seal.yaml", text)
    [problem] = content.problems()
    assert problem.startswith(f"{RED_SEAL}: line ")
    assert "2025-13-15" in problem


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(content: Content, text: str) -> None:
    content.write("programs/ca/red-seal.yaml", text)
    assert content.problems() == [
        f"{RED_SEAL}: the file is empty; it needs programs:, organisations: or events:"
    ]


@pytest.mark.parametrize(
    ("text", "found"), [("- a\n- b\n", "a list"), ("hello\n", "a text"), ("42\n", "a number")]
)
def test_top_level_must_be_a_mapping(content: Content, text: str, found: str) -> None:
    content.write("programs/ca/red-seal.yaml", text)
    assert content.problems() == [
        f"{RED_SEAL}: the top level must be a mapping with programs:, organisations: or"
        f" events:, not {found}"
    ]


@pytest.mark.parametrize("data", [{}, {"programs": []}, {"programs": [], "events": []}])
def test_file_without_items(content: Content, data: dict[str, Any]) -> None:
    content.write("programs/ca/red-seal.yaml", data)
    assert content.problems() == [f"{RED_SEAL}: no programs, organisations or events in this file"]


def test_file_that_is_not_utf8(content: Content) -> None:
    content.write("programs/ca/red-seal.yaml", dump({"programs": [program()]}).encode("utf-16"))
    [problem] = content.problems()
    assert problem.startswith(f"{RED_SEAL}: not UTF-8 text")


def test_control_characters_cannot_break_the_one_line_format(content: Content) -> None:
    content.event(event(timezone="Bad\u2028Zone"))
    content.write("forums/other.yaml", 'events:\n  - id: "x\\ny"\n')
    problems = content.problems()  # also checks str(error) has exactly one line per problem
    assert problems[0] == (
        "content/forums/forum-2022.yaml: events[0].timezone: unknown IANA time zone"
        " 'Bad\\u2028Zone' (id: forum-2022)"
    )
    assert all(p.endswith("(id: x\\ny)") for p in problems[1:])


def test_missing_directory_and_directory_without_yaml(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="content directory not found"):
        load_catalog(tmp_path / "nope")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "README.md").write_text("# guide\n")
    with pytest.raises(CatalogError, match=r"^content: no \.yaml files found$"):
        load_catalog(tmp_path / "content")


def test_relative_content_dir_gives_the_same_names(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = program()
    del item["what_you_get"]["fr"]
    content.program(item)
    monkeypatch.chdir(content.dir.parent)
    with pytest.raises(CatalogError) as info:
        load_catalog(Path("content"))
    assert str(info.value).startswith(f"{RED_SEAL}: programs[0].what_you_get.fr")


def test_a_link_to_a_device_is_a_problem_not_silently_skipped(content: Content) -> None:
    content.program(program())
    (content.dir / "programs" / "ca" / "zero.yaml").symlink_to("/dev/zero")
    [problem] = content.problems()
    assert problem == (
        "content/programs/ca/zero.yaml: not a regular file: it links to /dev/zero, a device;"
        " content files must be ordinary YAML files, replace or remove it"
    )


def test_a_pipe_and_a_broken_link_are_problems_and_never_block(content: Content) -> None:
    content.program(program())
    os.mkfifo(content.dir / "programs" / "ca" / "pipe.yaml")  # reading it would block forever
    (content.dir / "forums").mkdir()
    (content.dir / "forums" / "gone.yml").symlink_to(content.dir / "nowhere.yaml")
    assert content.problems() == [
        "content/forums/gone.yml: not a regular file: it links to"
        f" {content.dir / 'nowhere.yaml'}, which does not exist;"
        " content files must be ordinary YAML files, replace or remove it",
        "content/programs/ca/pipe.yaml: not a regular file: it is a pipe;"
        " content files must be ordinary YAML files, replace or remove it",
    ]


def test_a_link_to_a_regular_file_still_loads(content: Content, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    target.write_text(dump({"programs": [program()]}), encoding="utf-8")
    (content.dir / "programs" / "ca").mkdir(parents=True)
    (content.dir / "programs" / "ca" / "red-seal.yaml").symlink_to(target)
    assert list(content.load().programs) == ["red-seal"]


CONTROL = "contains the invisible control character {}; delete it"


def test_a_nul_in_a_text_field_is_a_problem_naming_the_field(content: Content) -> None:
    content.program(program(short_name="Red\0Seal"))
    assert content.problems() == [
        f"{RED_SEAL}: programs[0].short_name: {CONTROL.format('U+0000')} (id: red-seal)"
    ]


def test_control_characters_anywhere_are_problems_but_newlines_and_tabs_are_fine(
    content: Content,
) -> None:
    content.program(
        program(
            name=loc("Red Seal\x1b[31m"),
            summary=loc("Line one\nline two\tand a tab."),
            keywords={"en": ["trades", "bell\x07"], "es": [], "fr": ["\x9bfin"]},
        )
    )
    content.event(event(city=loc("Ciudad\rde México")))
    problems = content.problems()
    assert f"{RED_SEAL}: programs[0].name.en: {CONTROL.format('U+001B')} (id: red-seal)" in problems
    assert (
        f"{RED_SEAL}: programs[0].keywords.en[1]: {CONTROL.format('U+0007')} (id: red-seal)"
        in problems
    )
    assert (
        f"{RED_SEAL}: programs[0].keywords.fr[0]: {CONTROL.format('U+009B')} (id: red-seal)"
        in problems
    )
    assert not any("summary" in p for p in problems)
    assert (
        "content/forums/forum-2022.yaml: events[0].city.en: "
        f"{CONTROL.format('U+000D')} (id: forum-2022)"
    ) in problems
    assert len(problems) == 8  # name and city: each of en, es, fr; two keywords


def test_a_field_already_refused_is_not_reported_twice_for_its_control_character(
    content: Content,
) -> None:
    content.write(RED_SEAL.removeprefix("content/"), {"programs": [program("red\0seal")]})
    problems = content.problems()
    assert [p for p in problems if "programs[0].id:" in p] == [
        f"{RED_SEAL}: programs[0].id: must be an id: lower-case letters a-z, digits and single"
        " hyphens, like red-seal (id: red\\x00seal)"
    ]


# --------------------------------------------------------------------------- cross-file


def test_duplicate_id_across_two_files_names_both(content: Content) -> None:
    content.program(program())
    content.write("programs/ca/red-seal-copy.yaml", {"programs": [program()]})

    problems = content.problems()

    duplicate = [p for p in problems if "duplicate id" in p]
    assert duplicate == [
        f"{RED_SEAL}: programs[0].id: duplicate id 'red-seal', also used by"
        " content/programs/ca/red-seal-copy.yaml (programs[0]) (id: red-seal)"
    ]


def test_duplicate_id_across_kinds_and_within_a_file(content: Content) -> None:
    content.write(
        "bundle.yaml", {"programs": [program(), program()], "events": [event("red-seal")]}
    )
    assert content.problems() == [
        "content/bundle.yaml: programs[1].id: duplicate id 'red-seal', also used by"
        " programs[0] in this file (id: red-seal)",
        "content/bundle.yaml: events[0].id: duplicate id 'red-seal', also used by"
        " programs[0] in this file (id: red-seal)",
    ]


def test_dangling_related_id(content: Content) -> None:
    content.program(program(related=["ccda", "red-seel-exam"]))
    content.organisation(organisation())
    content.program(program("red-seal-exam"))
    assert content.problems() == [
        f"{RED_SEAL}: programs[0].related[1]: unknown id 'red-seel-exam' (no program,"
        " organisation or event has this id); did you mean 'red-seal-exam'? (id: red-seal)"
    ]


def test_organisation_must_exist_and_be_an_organisation(content: Content) -> None:
    content.program(program(organisation="trade-test"))
    content.program(program("trade-test", organisation="nobody"))
    assert content.problems() == [
        f"{RED_SEAL}: programs[0].organisation: 'trade-test' is a program, not an organisation"
        " (id: red-seal)",
        "content/programs/ca/trade-test.yaml: programs[0].organisation: unknown id 'nobody'"
        " (no organisation has this id) (id: trade-test)",
    ]


def test_replaced_by_must_exist_and_be_a_program(content: Content) -> None:
    content.organisation(organisation())
    content.program(program("old-a", status="ended", replaced_by="ccda"))
    content.program(program("old-b", status="ended", replaced_by="missing-one"))
    content.program(program("old-c", status="ended", replaced_by="old-c"))
    content.program(
        program("old-d", status="ended", ended_on=date(2020, 1, 1), replaced_by="old-a")
    )
    assert content.problems() == [
        "content/programs/ca/old-a.yaml: programs[0].replaced_by: 'ccda' is an organisation,"
        " not a program (id: old-a)",
        "content/programs/ca/old-b.yaml: programs[0].replaced_by: unknown id 'missing-one'"
        " (no program has this id) (id: old-b)",
        "content/programs/ca/old-c.yaml: programs[0].replaced_by: a program cannot be replaced"
        " by itself (id: old-c)",
    ]


def test_wrong_country_folder(content: Content) -> None:
    content.program(program(country="us"), folder="ca")
    content.write("organisations/mx/ccda.yaml", {"organisations": [organisation()]})
    assert content.problems() == [
        "content/organisations/mx/ccda.yaml: organisations[0].country: is 'ca' but the file is"
        " in the 'mx' folder (id: ccda)",
        f"{RED_SEAL}: programs[0].country: is 'us' but the file is in the 'ca' folder"
        " (id: red-seal)",
    ]


def test_unknown_country_folder(content: Content) -> None:
    content.program(program(), folder="uk")
    assert content.problems() == [
        "content/programs/uk/red-seal.yaml: folder 'uk' is not a country code; use mx, us, ca"
    ]


def test_file_name_must_be_the_id(content: Content) -> None:
    content.write("programs/ca/redseal.yaml", {"programs": [program()]})
    content.write("programs/ca/two.yaml", {"programs": [program("a-one"), program("a-two")]})
    assert content.problems() == [
        "content/programs/ca/redseal.yaml: programs[0].id: the file name must be the id:"
        " rename the file to red-seal.yaml (id: red-seal)"
    ]


def test_broken_file_does_not_flood_its_referrers(content: Content) -> None:
    """A reference to an item whose own file is broken is folded into one closing line."""
    content.organisation(organisation(kind="ministry"))
    content.program(program(organisation="ccda", related=["ccda"]))
    assert content.problems() == [
        "content/organisations/ca/ccda.yaml: organisations[0].kind: input should be"
        " 'government', 'certification_body', 'college', 'employer', 'industry_association',"
        " 'nonprofit' or 'international' (id: ccda)",
        "… and 2 references to ids defined in files that failed to load"
        " (they resolve once those files are fixed)",
    ]


def test_a_syntax_error_is_reported_first_and_its_knock_on_references_fold(
    content: Content,
) -> None:
    """One YAML slip used to yield 17 problems, the real cause 11th among 16 'unknown id'."""
    content.program(program("apprentice-loan", related=["red-seal"]))
    content.program(program("completion-grant", related=["red-seal", "apprentice-loan"]))
    content.write("programs/ca/red-seal.yaml", "programs:\n - id: red-seal\n   name: [open\n")
    content.program(program("zz-grant", related=["red-seal", "no-such-item"]))
    lines = content.problems()
    assert lines[0].startswith("content/programs/ca/red-seal.yaml: line 4, column 1: invalid YAML")
    assert lines[1:] == [
        "content/programs/ca/zz-grant.yaml: programs[0].related[1]: unknown id 'no-such-item'"
        " (no program, organisation or event has this id) (id: zz-grant)",
        "… and 3 references to ids defined in files that failed to load"
        " (they resolve once those files are fixed)",
    ]


def test_several_bad_files_report_everything_and_load_nothing(content: Content) -> None:
    item = program()
    del item["what_you_get"]["fr"]
    content.program(item)
    content.program(program("trade-test", related=["ghost-id"]))
    content.program(program("http-one", country="us", official_url="http://x.org"))
    content.write("programs/mx/broken.yaml", "programs: [\n")
    content.write("forums/empty.yaml", "")
    content.event(event(timezone="Nowhere/City"))
    content.organisation(organisation())  # valid, but nothing may load

    with pytest.raises(CatalogError) as info:
        content.load()

    files = [p.file for p in info.value.problems]
    assert files == [
        "content/programs/mx/broken.yaml",  # did not parse: shown first, it may cause others
        "content/forums/empty.yaml",
        "content/forums/forum-2022.yaml",
        "content/programs/ca/red-seal.yaml",
        "content/programs/ca/trade-test.yaml",
        "content/programs/us/http-one.yaml",
    ]
    assert len(str(info.value).splitlines()) == 6


def test_catalog_error_and_problem_api() -> None:
    problem = Problem("content/x.yaml", "programs[0].id", "bad", "x")
    assert str(problem) == "content/x.yaml: programs[0].id: bad (id: x)"
    assert str(Problem("content/x.yaml", "", "empty")) == "content/x.yaml: empty"
    with pytest.raises(AttributeError):
        problem.message = "changed"  # type: ignore[misc]
    error = CatalogError([problem, Problem("content/y.yaml", "", "empty")])
    assert isinstance(error, Exception)
    assert str(error) == "content/x.yaml: programs[0].id: bad (id: x)\ncontent/y.yaml: empty"
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


# --------------------------------------------------------------------------- properties


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path into nested dicts and lists, the root excluded."""
    children: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, child in children:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _mutated(
    data: dict[str, Any], path: tuple[Any, ...], delete: bool, junk: Any
) -> dict[str, Any]:
    data = copy.deepcopy(data)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = junk
    return data


def _load_or_problems(content: Content) -> list[str]:
    """[] if the catalog loads; else the problem lines. Any other exception propagates."""
    try:
        content.load()
    except CatalogError as exc:
        lines = str(exc).splitlines()
        if not exc.problems or len(lines) != len(exc.problems):
            raise AssertionError(f"malformed CatalogError: {exc.problems!r}") from exc
        return lines
    return []


_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.text(min_size=200, max_size=2000)
    | st.dates()
    | st.sampled_from(
        ["http://x.org", "https://", "Red_Seal", "America", "a" * 300, "", " ", "\u2028", "mx"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

_FULL_PROGRAM = program(
    organisation="ccda",
    related=["ccda"],
    region=loc("All provinces"),
    who_can_apply=loc("Apprentices"),
    duration=loc("Four years"),
    how_to_apply=loc("Ask your province"),
    employers=loc("Hire apprentices"),
)
_CASES = {
    "programs/ca/red-seal.yaml": ("programs", _FULL_PROGRAM),
    "forums/forum-2022.yaml": ("events", event(end=date(2022, 9, 1), related=["ccda"])),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.sampled_from(sorted(_CASES)),
    data=st.data(),
    delete=st.booleans(),
    junk=_junk,
)
def test_mutated_item_loads_or_fails_cleanly(
    case: str, data: st.DataObject, delete: bool, junk: Any
) -> None:
    """Any damage to a valid item gives a catalog or a CatalogError naming the file."""
    section, item = _CASES[case]
    path = data.draw(st.sampled_from(list(_paths(item))))
    damaged = _mutated(item, path, delete, junk)
    with tempfile.TemporaryDirectory() as tmp:
        content = Content(Path(tmp))
        content.organisation(organisation())
        content.write(case, {section: [damaged]})
        problems = _load_or_problems(content)
    for line in problems:
        assert line.startswith(f"content/{case}: "), line


_yamlish = st.lists(
    st.sampled_from(
        [
            "programs",
            "events",
            "organisations",
            ":",
            ": ",
            "- ",
            "-",
            "\n",
            "  ",
            "\t",
            "{",
            "}",
            "[",
            "]",
            ",",
            "'",
            '"',
            "#",
            "&a ",
            "*a",
            "!!int ",
            "!!python/object ",
            "? ",
            "|",
            ">-",
            "---",
            "...",
            "id",
            "red-seal",
            "2024-13-45",
            "2024-01-01",
            "no",
            "~",
            "<<: *a",
            "%YAML 1.1",
            "\\u0000",
            "é",
            "\u2028",
            "\x00",
            "1e999",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300) | _yamlish)
def test_arbitrary_text_loads_or_fails_cleanly(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Content(Path(tmp))
        content.write("programs/ca/x.yaml", text.encode("utf-8", "surrogatepass"))
        problems = _load_or_problems(content)
    assert all(line.startswith("content/programs/ca/x.yaml: ") for line in problems)


@settings(max_examples=100, deadline=None)
@given(blob=st.binary(max_size=200))
def test_arbitrary_bytes_load_or_fail_cleanly(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        content = Content(Path(tmp))
        content.write("forums/x.yml", blob)
        problems = _load_or_problems(content)
    assert all(line.startswith("content/forums/x.yml: ") for line in problems)


# --------------------------------------------------------------------------- shipped content


def _readme_examples() -> list[str]:
    readme = REPO_CONTENT / "README.md"
    if not readme.is_file():
        return []
    blocks = re.findall(r"```yaml\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)
    return [b for b in blocks if b.startswith(("programs:", "organisations:", "events:"))]


@pytest.mark.parametrize("example", _readme_examples())
def test_complete_examples_in_the_editors_guide_are_valid(example: str) -> None:
    """Editors copy the guide's examples: they must pass the same checks as real files."""
    ContentFile.model_validate(_parse_yaml(example))


def _shipped_yaml() -> list[Path]:
    return [p for p in REPO_CONTENT.rglob("*") if p.suffix in (".yaml", ".yml")]


@pytest.mark.skipif(not _shipped_yaml(), reason="content/ has no YAML files yet")
def test_shipped_content_loads() -> None:
    catalog = load_catalog(REPO_CONTENT)
    assert len(catalog) == len(list(catalog.items())) > 0
