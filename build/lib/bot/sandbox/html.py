"""Telegram's ``parse_mode=HTML`` dialect: validate markup and extract entities.

Telegram does not run a browser-grade HTML parser: it accepts a small tag set,
decodes four named entities plus numeric ones, and rejects everything else with
a terse error naming a *byte* offset. This module reproduces that behaviour
(modelled on the public TDLib parser's documented outcomes, written anew here)
so that markup which would fail in production fails in tests too.

Offsets of the produced entities are in UTF-16 code units, like the Bot API's.

One deliberate deviation, on by default: ``strict_ampersand``. Telegram keeps a
bare ``&`` that starts no valid entity as literal text, but its documentation
requires escaping it, and a bare ``&`` almost always means the bot forgot to
escape user-provided text (the same bug that, with ``<``, breaks delivery).
Strict mode turns it into a parse error; pass ``strict_ampersand=False`` to get
Telegram's lenient behaviour.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import MessageEntity, User

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
"""Exactly the start tags Telegram accepts; anything else is 'unsupported'."""

_SIMPLE_TAG_TYPES = {
    "b": MessageEntity.BOLD,
    "strong": MessageEntity.BOLD,
    "i": MessageEntity.ITALIC,
    "em": MessageEntity.ITALIC,
    "u": MessageEntity.UNDERLINE,
    "ins": MessageEntity.UNDERLINE,
    "s": MessageEntity.STRIKETHROUGH,
    "strike": MessageEntity.STRIKETHROUGH,
    "del": MessageEntity.STRIKETHROUGH,
    "tg-spoiler": MessageEntity.SPOILER,
    "span": MessageEntity.SPOILER,
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(" \t\r\n\v\f")
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_LINK_SCHEMES = frozenset({"http", "https", "tg", "ton", "mailto"})
_USER_LINK = re.compile(r"^tg://user\?id=(\d{1,15})$", re.IGNORECASE)
_HOST_LIKE = re.compile(r"^[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+(:\d+)?([/?#].*)?$")

# Entity sort order used by Telegram when several start at the same offset and
# have the same length (lower first).
TYPE_PRIORITY = {
    MessageEntity.BLOCKQUOTE: 0,
    MessageEntity.EXPANDABLE_BLOCKQUOTE: 0,
    MessageEntity.PRE: 11,
    MessageEntity.CODE: 20,
    MessageEntity.TEXT_LINK: 49,
    MessageEntity.TEXT_MENTION: 49,
    MessageEntity.BOLD: 90,
    MessageEntity.ITALIC: 91,
    MessageEntity.UNDERLINE: 92,
    MessageEntity.STRIKETHROUGH: 93,
    MessageEntity.SPOILER: 94,
    MessageEntity.CUSTOM_EMOJI: 99,
}
DEFAULT_PRIORITY = 50


class HtmlParseError(ValueError):
    """Markup Telegram would refuse; ``str(err)`` is Telegram's detail text."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def api_description(self) -> str:
        """The full Bot API description (after the ``Bad Request: `` prefix)."""
        return f"can't parse entities: {self.detail}"


@dataclass(frozen=True)
class ParsedText:
    """Plain text plus the entities Telegram would attach to it."""

    text: str
    entities: tuple[MessageEntity, ...] = ()


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    out_index: int
    inside_code: bool
    expandable: bool = False


@dataclass
class _Parser:
    source: str
    strict_ampersand: bool
    resolve_user: Callable[[int], User | None] | None
    out: list[str] = field(default_factory=list)
    utf16: int = 0
    entities: list[MessageEntity] = field(default_factory=list)
    stack: list[_OpenTag] = field(default_factory=list)
    saw_surrogate: bool = False

    # -- helpers -----------------------------------------------------------------
    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8", "surrogatepass"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        for ch in text:
            code = ord(ch)
            self.utf16 += 2 if code > 0xFFFF else 1
            if 0xD800 <= code <= 0xDFFF:
                self.saw_surrogate = True

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def skip_spaces(self, index: int) -> int:
        while index < len(self.source) and self.source[index] in _SPACES:
            index += 1
        return index

    def decode_entity(self, index: int) -> tuple[str, int] | None:
        """Decode ``&...`` at ``index``; ``None`` when it is not a valid entity."""
        src = self.source
        end = index + 1
        if self.at(end) == "#":
            end += 1
            if self.at(end) == "x":
                end += 1
                start = end
                while self.at(end) and self.at(end) in _HEX_DIGITS:
                    end += 1
                digits, base = src[start:end], 16
            else:
                start = end
                while self.at(end) and self.at(end) in _DIGITS:
                    end += 1
                digits, base = src[start:end], 10
            if not digits or end - index >= 10:
                return None
            code = int(digits, base)
            if code == 0 or code >= 0x10FFFF:
                return None
            char = chr(code)
        else:
            start = end
            while self.at(end) and self.at(end).isascii() and self.at(end).isalpha():
                end += 1
            named = _NAMED_ENTITIES.get(src[start:end])
            if named is None:
                return None
            char = named
        if self.at(end) == ";":
            end += 1
        return char, end

    # -- main loop ------------------------------------------------------------------
    def run(self) -> ParsedText:
        src = self.source
        i = 0
        while i < len(src):
            ch = src[i]
            if ch == "&":
                decoded = self.decode_entity(i)
                if decoded is not None:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict_ampersand:
                    raise HtmlParseError(
                        f'Unescaped "&" at byte offset {self.byte_offset(i)} '
                        '(sandbox strict mode; use "&amp;")'
                    )
                self.emit("&")
                i += 1
            elif ch != "<":
                j = i
                while j < len(src) and src[j] not in "&<":
                    j += 1
                self.emit(src[i:j])
                i = j
            elif self.at(i + 1) == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            raise HtmlParseError(
                f"Can't find end tag corresponding to start tag {self.stack[-1].name}"
            )
        if self.saw_surrogate:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        entities = [self.strip_code_argument(e) for e in _drop_nested_code(self.entities)]
        return ParsedText("".join(self.out), tuple(sort_entities(entities)))

    def start_tag(self, begin: int) -> int:
        src = self.source
        i = begin + 1
        while i < len(src) and src[i] not in _SPACES and src[i] != ">":
            i += 1
        offset = self.byte_offset(begin)
        if i >= len(src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
        name = _ascii_lower(src[begin + 1 : i])
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument = ""
        expandable = False
        while True:
            i = self.skip_spaces(i)
            if i >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            if src[i] == ">":
                break
            attr_begin = i
            while i < len(src) and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attr_name = src[attr_begin:i]
            if not attr_name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {offset}'
                )
            i = self.skip_spaces(i)
            if i >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset}")
            if src[i] != "=":
                if name == "blockquote" and attr_name.lower() == "expandable":
                    expandable = True
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {offset}'
                )
            i = self.skip_spaces(i + 1)
            if i >= len(src):
                raise HtmlParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
            value, i = self.attribute_value(i, offset)
            argument = _tag_argument(name, attr_name, value, argument)
            if name == "blockquote" and attr_name.lower() == "expandable":
                expandable = True
        if name == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        inside_code = any(tag.name in ("code", "pre") for tag in self.stack)
        self.stack.append(
            _OpenTag(name, argument, self.utf16, len(self.out), inside_code, expandable)
        )
        return i + 1

    def attribute_value(self, i: int, tag_offset: int) -> tuple[str, int]:
        src = self.source
        if src[i] not in "'\"":
            start = i
            while i < len(src) and src[i] in _TOKEN_CHARS:
                i += 1
            if i >= len(src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {tag_offset}")
            if src[i] not in _SPACES and src[i] != ">":
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return _ascii_lower(src[start:i]), i
        quote = src[i]
        i += 1
        parts: list[str] = []
        while i < len(src) and src[i] != quote:
            if src[i] == "&":
                decoded = self.decode_entity(i)
                if decoded is not None:
                    parts.append(decoded[0])
                    i = decoded[1]
                    continue
            parts.append(src[i])
            i += 1
        if i >= len(src):
            raise HtmlParseError(f"Unclosed start tag at byte offset {tag_offset}")
        return "".join(parts), i + 1

    def end_tag(self, begin: int) -> int:
        src = self.source
        offset = self.byte_offset(begin)
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset}")
        i = begin + 2
        while i < len(src) and src[i] not in _SPACES and src[i] != ">":
            i += 1
        end_name = _ascii_lower(src[begin + 2 : i])
        i = self.skip_spaces(i)
        if i >= len(src) or src[i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset}")
        top = self.stack[-1]
        if end_name and end_name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{end_name}>"'
            )
        if self.utf16 > top.utf16_offset:
            self.close_entity(top)
        self.stack.pop()
        return i + 1

    def close_entity(self, tag: _OpenTag) -> None:
        offset = tag.utf16_offset
        length = self.utf16 - offset
        name = tag.name
        if tag.inside_code and name not in ("code", "pre"):
            return  # Telegram drops formatting nested in code/pre
        if name in _SIMPLE_TAG_TYPES:
            self.entities.append(MessageEntity(_SIMPLE_TAG_TYPES[name], offset, length))
        elif name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                MessageEntity(
                    MessageEntity.CUSTOM_EMOJI, offset, length, custom_emoji_id=tag.argument
                )
            )
        elif name == "blockquote":
            kind = MessageEntity.EXPANDABLE_BLOCKQUOTE if tag.expandable else None
            self.entities.append(MessageEntity(kind or MessageEntity.BLOCKQUOTE, offset, length))
        elif name == "a":
            self.close_link(tag, offset, length)
        else:
            self.close_code(tag, offset, length)

    def close_link(self, tag: _OpenTag, offset: int, length: int) -> None:
        url = tag.argument or "".join(self.out[tag.out_index :])
        user_match = _USER_LINK.match(url.strip())
        if user_match and self.resolve_user is not None:
            user = self.resolve_user(int(user_match.group(1)))
            if user is not None:
                self.entities.append(
                    MessageEntity(MessageEntity.TEXT_MENTION, offset, length, user=user)
                )
                return
        checked = checked_link(url)
        if checked is not None:
            self.entities.append(
                MessageEntity(MessageEntity.TEXT_LINK, offset, length, url=checked)
            )

    def close_code(self, tag: _OpenTag, offset: int, length: int) -> None:
        """``<pre><code class="language-x">`` (either nesting) becomes one ``pre`` entity."""
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and last.offset == offset and last.length == length
        if tag.name == "pre":
            if same_range and last is not None and last.type == MessageEntity.CODE:
                self.entities[-1] = MessageEntity(
                    MessageEntity.PRE, offset, length, language=last.language or None
                )
            else:
                self.entities.append(MessageEntity(MessageEntity.PRE, offset, length))
            return
        if same_range and last is not None and last.type == MessageEntity.PRE:
            if tag.argument:
                self.entities[-1] = MessageEntity(
                    MessageEntity.PRE, offset, length, language=tag.argument
                )
            return
        # ``language`` rides along only until an enclosing <pre> closes (see run()).
        self.entities.append(
            MessageEntity(MessageEntity.CODE, offset, length, language=tag.argument or None)
        )

    @staticmethod
    def strip_code_argument(entity: MessageEntity) -> MessageEntity:
        if entity.type == MessageEntity.CODE and entity.language:
            return MessageEntity(MessageEntity.CODE, entity.offset, entity.length)
        return entity


def _drop_nested_code(entities: list[MessageEntity]) -> list[MessageEntity]:
    """Telegram keeps no code/pre entity inside another code/pre entity."""
    blocks = [e for e in entities if e.type in (MessageEntity.CODE, MessageEntity.PRE)]

    def nested(entity: MessageEntity) -> bool:
        end = entity.offset + entity.length
        return any(
            other is not entity
            and other.offset <= entity.offset
            and end <= other.offset + other.length
            for other in blocks
        )

    block_ids = {id(e) for e in blocks}
    return [e for e in entities if id(e) not in block_ids or not nested(e)]


def _ascii_lower(value: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in value)


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """Remember the one attribute per tag that Telegram gives a meaning to."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


def checked_link(url: str) -> str | None:
    """Normalise a link target the way Telegram does, or ``None`` to drop the entity.

    Links without a scheme that look like a host get ``http://``; schemes other
    than http(s)/tg/ton/mailto are silently dropped (the text stays, unlinked).
    """
    url = url.strip()
    if not url:
        return None
    scheme_match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if scheme_match is None:
        return f"http://{url}" if _HOST_LIKE.match(url) else None
    scheme = scheme_match.group(1).lower()
    if scheme not in _LINK_SCHEMES:
        return None
    if scheme in ("http", "https"):
        try:
            host = urllib.parse.urlsplit(url).hostname
        except ValueError:
            return None
        if not host:
            return None
    elif len(url) <= len(scheme) + 1:
        return None
    return url


def sort_entities(entities: list[MessageEntity]) -> list[MessageEntity]:
    """Telegram's order: by offset, longer first, then a fixed type priority."""
    return sorted(
        entities,
        key=lambda e: (e.offset, -e.length, TYPE_PRIORITY.get(e.type, DEFAULT_PRIORITY)),
    )


def parse_html(
    source: str,
    *,
    strict_ampersand: bool = True,
    resolve_user: Callable[[int], User | None] | None = None,
) -> ParsedText:
    """Parse Telegram-HTML into plain text and entities.

    Raises :class:`HtmlParseError` with Telegram's wording for markup it rejects.
    ``resolve_user`` turns ``tg://user?id=N`` links into ``text_mention`` entities.
    """
    return _Parser(source, strict_ampersand, resolve_user).run()
