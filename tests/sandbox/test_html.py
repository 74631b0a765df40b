"""The Telegram-HTML parser: accepted markup, exact error wording, and fuzzing."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.html import HtmlParseError, parse_html


def entity_tuples(source: str) -> list[tuple[str, int, int]]:
    return [(e.type, e.offset, e.length) for e in parse_html(source).entities]


def test_nested_tags_and_entities_produce_utf16_offsets() -> None:
    parsed = parse_html(
        "<b>Hola <i>mundo</i></b> 😀 <u>x</u> &lt;3 &amp; &quot;q&quot; &#65;&#x42;"
    )
    assert parsed.text == 'Hola mundo 😀 x <3 & "q" AB'
    assert entity_tuples("<b>Hola <i>mundo</i></b> 😀 <u>x</u>") == [
        ("bold", 0, 10),
        ("italic", 5, 5),
        ("underline", 14, 1),  # the emoji counts as two UTF-16 units
    ]


def test_every_supported_tag() -> None:
    source = (
        "<strong>a</strong><em>b</em><ins>c</ins><s>d</s><strike>e</strike><del>f</del>"
        '<tg-spoiler>g</tg-spoiler><span class="tg-spoiler">h</span><code>i</code>'
        '<pre><code class="language-python">j</code></pre><blockquote>k</blockquote>'
        '<blockquote expandable>l</blockquote><a href="https://example.org/x">m</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    parsed = parse_html(source)
    assert parsed.text == "abcdefghijklm👍"
    types = [e.type for e in parsed.entities]
    assert types == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "text_link",
        "custom_emoji",
    ]
    pre = parsed.entities[9]
    assert pre.language == "python"
    assert parsed.entities[12].url == "https://example.org/x"


def test_links_with_unsupported_schemes_lose_the_link_but_keep_the_text() -> None:
    parsed = parse_html('<a href="javascript:alert(1)">click</a>')
    assert parsed.text == "click"
    assert parsed.entities == ()
    assert parse_html("<a>example.com</a>").entities[0].url == "http://example.com"
    assert parse_html('<a href="tg://resolve?domain=x">t</a>').entities[0].url == (
        "tg://resolve?domain=x"
    )


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("ok <p>", 'Unsupported start tag "p" at byte offset 3'),
        ("<b>bold", "Can't find end tag corresponding to start tag b"),
        ("text</b>", "Unexpected end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a<3", "Unclosed start tag at byte offset 1"),
        ("ñ<3", "Unclosed start tag at byte offset 2"),  # offsets are in bytes
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=a_b>x</a>", "Unexpected end of name token at byte offset 8"),
        (
            "<b x>y</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("AT&T", 'Unescaped "&" at byte offset 2 (sandbox strict mode; use "&amp;")'),
        ("&nbsp;", 'Unescaped "&" at byte offset 0 (sandbox strict mode; use "&amp;")'),
    ],
)
def test_rejections_use_telegram_wording(source: str, detail: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert caught.value.detail == detail
    assert caught.value.api_description == f"can't parse entities: {detail}"


def test_lenient_ampersand_matches_telegram() -> None:
    assert parse_html("AT&T &nbsp;", strict_ampersand=False).text == "AT&T &nbsp;"


def test_formatting_inside_code_is_dropped_like_telegram() -> None:
    parsed = parse_html("<code>a<b>b</b></code>")
    assert [e.type for e in parsed.entities] == ["code"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    parsed = parse_html(html.escape(text))
    assert parsed.text == text
    assert parsed.entities == ()


_TAG_SOUP = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<b>",
                "</b>",
                "<i>",
                "</i>",
                "<u>",
                "</u>",
                "<code>",
                "</code>",
                "<pre>",
                "</pre>",
                "<a href='https://x.org'>",
                "<a>",
                "</a>",
                "</>",
                "<",
                ">",
                "&",
                "&amp;",
                "&lt",
                "&#",
                "&#x1F600;",
                "<span class=tg-spoiler>",
                "</span>",
                "<blockquote expandable>",
                "</blockquote>",
                "<tg-emoji emoji-id=1>",
                "</tg-emoji>",
                "<div>",
                "<b",
                "'",
                '"',
                "=",
            ]
        ),
        st.text(max_size=5),
    ),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(_TAG_SOUP, st.booleans())
def test_tag_soup_parses_or_raises_the_parse_error(parts: list[str], strict: bool) -> None:
    source = "".join(parts)
    error: str | None = None
    try:
        parsed = parse_html(source, strict_ampersand=strict)
    except HtmlParseError as exc:
        error = exc.api_description
    if error is not None:
        assert error.startswith("can't parse entities: ")
        return
    total = len(parsed.text.encode("utf-16-le")) // 2
    for entity in parsed.entities:
        assert entity.length > 0
        assert entity.offset >= 0
        assert entity.offset + entity.length <= total
