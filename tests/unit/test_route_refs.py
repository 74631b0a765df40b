"""Numeric ids in button data and admin commands: ASCII digits only, within the database's
integer range (a security review found `²`, Arabic-Indic digits and 20-digit ids getting
through to `int()`)."""

from __future__ import annotations

import pytest

from bot import routes

REF_ROUTES = ("bc", "bl", "br", "bs")


@pytest.mark.parametrize("tag", REF_ROUTES)
@pytest.mark.parametrize(
    "ref",
    [
        "²",  # str.isdigit() says yes, int() says no
        "١٢",  # Arabic-Indic digits: int() reads 12
        "١",
        "１２",  # fullwidth digits
        "99999999999999999999",
        "2147483648",  # one past the database's INTEGER
        "12345678901",  # 11 digits
        "0",
        "012",
        "-1",
        "+1",
        " 1",
        "1 ",
        "",
        "1.0",
    ],
)
def test_a_malformed_ref_decodes_to_none(tag: str, ref: str) -> None:
    assert routes.decode(f"1:{tag}:{ref}") is None


@pytest.mark.parametrize("ref", ["²", "١٢", "99999999999999999999", "0", "2147483648"])
def test_a_malformed_ref_in_a_schedule_button_decodes_to_none(ref: str) -> None:
    assert routes.decode(f"1:bt:{ref}:1h") is None


@pytest.mark.parametrize("ref", ["1", "12", "2147483647"])
def test_a_well_formed_ref_decodes(ref: str) -> None:
    assert routes.decode(f"1:bs:{ref}") == routes.BroadcastStop(ref)
    assert routes.decode(f"1:bt:{ref}:tomorrow") == routes.BroadcastAt(ref, "tomorrow")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("12", 12),
        ("2147483647", routes.REF_MAX),
        ("#12", None),
        ("²", None),
        ("١٢", None),
        ("１２", None),
        ("99999999999999999999", None),
        ("2147483648", None),
        ("0", None),
        ("00012", None),
        ("-3", None),
        ("", None),
        ("1e3", None),
    ],
)
def test_parse_ref_reads_ascii_digits_within_range_only(text: str, expected: int | None) -> None:
    assert routes.parse_ref(text) == expected


def test_a_route_cannot_be_built_with_a_malformed_ref() -> None:
    with pytest.raises(ValueError, match="ASCII digits"):
        routes.BroadcastStop("١٢")
