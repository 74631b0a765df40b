"""Content files → validated `Catalog`, or every problem at once.

Content is written by editors, not programmers. A mistake must never reach a user as a
broken card, and fixing mistakes one reload at a time is slow and discouraging, so the
loader reads *every* file, collects *every* problem (syntax, schema, cross-file references,
file layout) and either returns a complete catalog or raises `CatalogError` listing them
all. There is no partial catalog: a bot with half its content is worse than one that keeps
serving the last good catalog.

Each problem is one line an editor can act on::

    content/programs/ca/red-seal.yaml: programs[0].what_you_get.fr: field required (id: red-seal)
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Final, get_args

import yaml
from pydantic import BaseModel, StringConstraints, ValidationError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

from bot.catalog.catalog import Catalog
from bot.catalog.models import (
    ContentFile,
    Country,
    Event,
    Organisation,
    Program,
    Slug,
)

__all__ = ["CatalogError", "Problem", "load_catalog"]

YAML_SUFFIXES: Final = frozenset({".yaml", ".yml"})
SECTIONS: Final = ("programs", "organisations", "events")
_SECTION_NOUN: Final = {"programs": "program", "organisations": "organisation", "events": "event"}
_COUNTRY_FOLDERS: Final = ("programs", "organisations")
_COUNTRIES: Final = tuple(c.value for c in Country)

_MAX_SHOWN: Final = 80
"""Longest id / field name echoed back; junk input must not turn a problem into a page."""


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing an editor must fix, located as precisely as we can.

    `file` is relative to the content directory's parent (``content/programs/ca/x.yaml``) so
    it reads the same on every machine; `location` is a field path like
    ``programs[0].what_you_get.fr`` (or ``line 3, column 5`` for YAML syntax, or empty for the
    whole file); `item_id` is the id of the item the problem is in, when it is known.
    """

    file: str
    location: str
    message: str
    item_id: str | None = None

    def __str__(self) -> str:
        parts = (self.file, self.location, self.message)
        line = ": ".join(part for part in parts if part)
        if self.item_id:
            line += f" (id: {_shorten(self.item_id)})"
        return _one_line(line)


class CatalogError(Exception):
    """The content cannot be loaded; `problems` lists every reason, `str()` one per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        # args = (problems,) keeps the exception picklable (logging, multiprocessing).
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _one_line(text: str) -> str:
    """Escape control and line-separator characters: a problem must stay on one line."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def _shorten(text: str, limit: int = _MAX_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- YAML


_BOOL_TAG: Final = "tag:yaml.org,2002:bool"
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


class _StrictYamlMixin:
    """YAML as editors expect it, plus the mistakes YAML itself would hide.

    * Only ``true`` / ``false`` are booleans (YAML 1.2). YAML 1.1 also reads ``no``, ``yes``,
      ``on`` and ``off`` as booleans, which turns a Spanish "No" into ``False``.
    * A key written twice in one mapping is an error; plain YAML silently keeps the last one,
      so half of an edit would vanish without a word.
    * A scalar that cannot be built (``2024-13-01`` looks like a date but is not one) becomes
      a YAML error with its line instead of a bare ``ValueError``.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
            if key in seen:
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key '{_shorten(str(key))}' appears twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
            value = node.value if isinstance(node, ScalarNode) else node.tag
            raise ConstructorError(
                None,
                None,
                f"cannot read '{_shorten(str(value))}' as {node.tag.rsplit(':', 1)[-1]}: {exc}",
                node.start_mark,
            ) from exc


def _add_bool_resolver(loader: type[yaml.SafeLoader] | type[Any]) -> None:
    loader.add_implicit_resolver(
        _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )


class _PyLoader(_StrictYamlMixin, yaml.SafeLoader):
    """Pure-Python parser: slower, but its error messages are more specific."""


_add_bool_resolver(_PyLoader)

if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(_StrictYamlMixin, yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        """libyaml parser: several times faster, used first."""

    _add_bool_resolver(_CLoader)
    _FAST_LOADER: type[Any] = _CLoader
else:  # pragma: no cover - depends on how PyYAML was built
    _FAST_LOADER = _PyLoader


class _YamlProblem(Exception):
    def __init__(self, location: str, message: str) -> None:
        super().__init__(location, message)
        self.location = location
        self.message = message


def _parse_yaml(text: str) -> Any:
    """Parse one document; raise `_YamlProblem` with a readable line:column on failure."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as fast_error:
        error: yaml.YAMLError = fast_error
        if _FAST_LOADER is not _PyLoader:
            # Errors are rare; re-parse with the pure-Python parser for its clearer wording
            # ("found character '\t'" rather than "found character").
            try:
                yaml.load(text, Loader=_PyLoader)
            except yaml.YAMLError as py_error:
                error = py_error
            except RecursionError:
                pass
        raise _yaml_problem(error, text) from None
    except RecursionError:
        raise _YamlProblem("", "the YAML is nested too deeply to read") from None


def _yaml_problem(error: yaml.YAMLError, text: str) -> _YamlProblem:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            message = f"{error.problem} ({error.context})"
        if "'\\t'" in message:
            message += "; indent with spaces, YAML does not allow tabs"
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return _YamlProblem(location, f"invalid YAML: {message}")
    if isinstance(error, yaml.reader.ReaderError):
        char = error.character
        code = char if isinstance(char, int) else ord(char) if isinstance(char, str) else None
        pos = min(max(error.position, 0), len(text))
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        what = f"the character U+{code:04X}" if code is not None else "a character"
        return _YamlProblem(
            f"line {line}, column {column}",
            f"invalid YAML: {what} is not allowed in a YAML file; delete it",
        )
    return _YamlProblem("", f"invalid YAML: {str(error).splitlines()[0] if str(error) else ''}")


# --------------------------------------------------------------------------- validation


def _slug_pattern() -> str | None:
    for meta in get_args(Slug)[1:]:
        if isinstance(meta, StringConstraints) and meta.pattern:
            return str(meta.pattern)
    return None  # pragma: no cover - Slug always has a pattern


_SLUG_PATTERN: Final = _slug_pattern()

_TYPE_TAGS: Final = frozenset(
    {"str", "int", "float", "bool", "none", "date", "datetime", "time", "timedelta", "enum"}
)
"""Names pydantic puts into an error's loc for the branch of a union it tried."""


def _is_internal(part: object) -> bool:
    """True for loc parts pydantic adds itself (union branches), not field names or indexes.

    Every model is fixed-shape (no ``dict[str, X]`` fields), so a legitimate string part is a
    field name: lower-case snake_case. Pydantic's own tags look like ``function-after[...]``,
    ``constrained-str``, ``list[...]``, a class name (``Program``) or a bare type (``date``).
    """
    if not isinstance(part, str):
        return False
    if part in _TYPE_TAGS:
        return True
    return any(c in part for c in "[(-") or part[:1].isupper()


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        model = _model_in(arg)
        if model is not None:
            return model
    return None


def _model_at(path: Iterable[str | int]) -> type[BaseModel] | None:
    """The model whose fields are found at `path` (a cleaned loc), for "did you mean"."""
    model: type[BaseModel] | None = ContentFile
    for part in path:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        model = _model_in(field.annotation)
    return model


def _format_path(path: Iterable[str | int]) -> str:
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(("." if out else "") + _shorten(str(part), 40))
    return "".join(out)


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list | tuple | set):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def _lower_first(message: str) -> str:
    first_word = message.split(" ", 1)[0]
    if len(first_word) > 1 and first_word.isupper():  # keep acronyms: "URL ...", "IANA ..."
        return message
    return message[:1].lower() + message[1:]


def _suggest(word: str, choices: Iterable[str], cutoff: float = 0.7) -> str | None:
    """The closest choice, for "did you mean"; typos in ids and field names are common."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _message(error: Mapping[str, Any], path: list[str | int]) -> str:
    """A message an editor understands, from one pydantic error."""
    kind: str = error["type"]
    msg: str = error["msg"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")

    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        allowed = list(model.model_fields) if model else []
        guess = _suggest(str(path[-1]), allowed)
        if guess:
            return f"unknown field, did you mean '{guess}'?"
        if allowed and len(allowed) <= 6:
            return f"unknown field; allowed here: {', '.join(allowed)}"
        return "unknown field (see content/README.md for the fields)"
    if kind == "invalid_key":
        return "field names must be text"
    if kind in ("value_error", "assertion_error"):
        return msg.split(", ", 1)[1] if ", " in msg else _lower_first(msg)
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _SLUG_PATTERN:
        return "must be an id: lower-case letters a-z, digits and single hyphens, like red-seal"
    if kind == "model_type":
        if ctx.get("class_name") == "Localized":
            return f"needs one text per language (en, es, fr), not {_describe(value)}"
        if ctx.get("class_name") == "LocalizedKeywords":
            return f"needs a list of words per language (en, es, fr), not {_describe(value)}"
        return f"must be a mapping of fields (field: value), not {_describe(value)}"
    if kind == "list_type":
        return f"must be a list (one '- ' line per entry), not {_describe(value)}"
    if kind == "string_type" and value is None:
        return "is empty: write the text, or remove the line"
    if kind == "string_type" and not isinstance(value, list | dict):
        return f"must be text, not {_describe(value)}; put the value in quotes"
    if kind.startswith("date_"):
        return "must be a date written YYYY-MM-DD, like 2024-05-31"
    return _lower_first(msg)


_DATE_OR_DATETIME: Final = (
    "must be a date (2022-08-31) or a date-time with its UTC offset (2022-08-31T10:00:00-05:00)"
)


def _validation_problems(exc: ValidationError, file: str, data: Mapping[str, Any]) -> list[Problem]:
    """Turn pydantic's errors into problems, merging the branches of one union into one."""
    problems: list[Problem] = []
    merged: dict[tuple[str, str | None], tuple[int, set[str], list[str]]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        keyed = error["type"] in ("extra_forbidden", "invalid_key")
        # The offending key of an unknown field is the user's text: never strip it.
        body, tail = (loc[:-1], loc[-1:]) if keyed else (loc, ())
        tags = {str(p) for p in body if _is_internal(p)}
        path: list[str | int] = [p for p in body if not _is_internal(p)]
        path.extend(tail)
        location = _format_path(path)
        item_id = _item_id(data, loc)
        message = _message(error, path)
        if not tags:
            problems.append(Problem(file, location, message, item_id))
            continue
        # A union (``datetime | date``) reports one error per branch; say it once.
        key = (location, item_id)
        if key not in merged:
            merged[key] = (len(problems), set(), [])
            problems.append(Problem(file, location, message, item_id))
        index, all_tags, messages = merged[key]
        all_tags |= tags
        if message not in messages:
            messages.append(message)
        text = _DATE_OR_DATETIME if all_tags <= {"date", "datetime"} else "; or ".join(messages)
        problems[index] = Problem(file, location, text, item_id)
    return problems


def _item_id(data: Mapping[str, Any], loc: tuple[Any, ...]) -> str | None:
    """The id written in the item an error is in, even if the item itself is invalid."""
    if len(loc) < 2 or loc[0] not in SECTIONS or not isinstance(loc[1], int):
        return None
    return _raw_id(data.get(loc[0]), loc[1])


def _raw_id(section: object, index: int) -> str | None:
    if not isinstance(section, list) or not 0 <= index < len(section):
        return None
    item = section[index]
    if not isinstance(item, dict):
        return None
    raw = item.get("id")
    return (raw.strip() or None) if isinstance(raw, str) else None


# --------------------------------------------------------------------------- files


@dataclass(frozen=True, slots=True)
class _Entry:
    """Where an item lives; `item` is None when its file did not validate."""

    item_id: str
    section: str
    index: int
    file: str
    item: Program | Organisation | Event | None

    @property
    def where(self) -> str:
        return f"{self.section}[{self.index}]"


@dataclass(slots=True)
class _File:
    path: Path
    rel: Path
    """Relative to the content dir: drives the folder-country and file-name checks."""
    name: str
    """As shown in problems: relative to the content dir's parent."""
    content: ContentFile | None
    entries: list[_Entry]
    unreadable: bool = False
    """It did not even parse: its problems are the cause of others, so they are shown first."""


def _content_files(content_dir: Path) -> list[Path]:
    """Every YAML file under `content_dir`, sorted; hidden files and folders are skipped.

    Anything named like YAML that is not a folder is listed, regular file or not: a link to
    `/dev/zero`, a pipe or a broken link is reported by `_read_file`, never silently skipped
    (an editor would not know why their file is ignored) and never read (it could block or
    never end).
    """
    return sorted(
        p
        for p in content_dir.rglob("*")
        if p.suffix.lower() in YAML_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(content_dir).parts)
        and not p.is_dir()
    )


class _NotRegular(Exception):
    """A content path that is not a regular file (after following links); says what it is."""


def _kind_of(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def _not_regular(path: Path, what: str) -> _NotRegular:
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:  # pragma: no cover - is_symlink() just said it is one
            target = "?"
        return _NotRegular(f"it links to {target}, {what}")
    return _NotRegular(f"it is {what}")


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file (links followed); `_NotRegular` for anything else.

    Checked before opening, and again on the open file (O_NONBLOCK: opening a pipe must not
    wait for a writer), so a path swapped in between is caught too.
    """
    try:
        before = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise _not_regular(path, "which does not exist") from None
        raise
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(path, _kind_of(before.st_mode))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with open(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, _kind_of(mode))
        return handle.read()


_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters (Unicode category Cc) other than tab and newline: invisible in an
editor, and in a card they break the message or the terminal that logs it."""


def _control_problems(data: Mapping[str, Any], file: str) -> list[Problem]:
    """Every text value (at any depth) holding a control character, located by field path."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            found = _CONTROL.search(value)
            if found is not None:
                char = f"U+{ord(found.group()):04X}"
                problems.append(
                    Problem(
                        file,
                        _format_path(path),
                        f"contains the invisible control character {char}; delete it",
                        _item_id(data, path),
                    )
                )
        elif isinstance(value, dict):
            stack.extend((child, (*path, key)) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((child, (*path, i)) for i, child in reversed(list(enumerate(value))))
    return problems


def _display_name(path: Path, content_dir: Path) -> str:
    try:
        return path.relative_to(content_dir.parent).as_posix()
    except ValueError:  # pragma: no cover - content_dir is absolute, so this always works
        return path.as_posix()


def _read_file(path: Path, content_dir: Path) -> tuple[_File, list[Problem]]:
    """Parse and validate one file; its problems are returned, never raised."""
    name = _display_name(path, content_dir)
    file = _File(path, path.relative_to(content_dir), name, None, [])

    def fail(message: str, location: str = "") -> tuple[_File, list[Problem]]:
        return file, [Problem(name, location, message)]

    def unreadable(message: str, location: str = "") -> tuple[_File, list[Problem]]:
        # The file name is the item's id (a rule checked below), so a file that does not parse
        # still claims that id: references to it are folded, not reported as unknown.
        file.unreadable = True
        section = file.rel.parts[0] if file.rel.parts[0] in SECTIONS else "programs"
        file.entries.append(_Entry(path.stem, section, 0, name, None))
        return fail(message, location)

    try:
        text = _read_regular(path).decode("utf-8-sig")
    except _NotRegular as exc:
        return unreadable(
            f"not a regular file: {exc}; content files must be ordinary YAML files, "
            "replace or remove it"
        )
    except OSError as exc:
        return unreadable(f"cannot read the file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        return unreadable(f"not UTF-8 text (byte {exc.start + 1}); save the file as UTF-8")
    try:
        data = _parse_yaml(text)
    except _YamlProblem as exc:
        return unreadable(exc.message, exc.location)
    if data is None:
        return fail("the file is empty; it needs programs:, organisations: or events:")
    if not isinstance(data, dict):
        return fail(
            "the top level must be a mapping with programs:, organisations: or events:, "
            f"not {_describe(data)}"
        )

    # Ids as written, valid or not: they let a broken file still claim its ids, so other
    # files that refer to them are not flooded with "unknown id" on top of the real error.
    for section in SECTIONS:
        items = data.get(section)
        for index in range(len(items) if isinstance(items, list) else 0):
            raw = _raw_id(items, index)
            if raw is not None:
                file.entries.append(_Entry(raw, section, index, name, None))

    control = _control_problems(data, name)
    try:
        content = ContentFile.model_validate(data)
    except ValidationError as exc:
        problems = _validation_problems(exc, name, data)
        # A field already refused (an id with a NUL fails its pattern) is reported once.
        refused = {(p.location, p.item_id) for p in problems}
        return file, problems + [p for p in control if (p.location, p.item_id) not in refused]
    except Exception as exc:  # a validator that raised something pydantic does not wrap
        return fail(f"could not be checked ({type(exc).__name__}: {exc}); please report this")

    items_by_section: dict[str, list[Program] | list[Organisation] | list[Event]] = {
        "programs": content.programs,
        "organisations": content.organisations,
        "events": content.events,
    }
    file.content = content
    file.entries = [
        _Entry(item.id, section, index, name, item)
        for section, items in items_by_section.items()
        for index, item in enumerate(items)
    ]
    if not file.entries:
        return fail("no programs, organisations or events in this file")
    return file, control + _layout_problems(file)


def _layout_problems(file: _File) -> list[Problem]:
    """Folder country and file name must agree with the content, so files are findable."""
    problems: list[Problem] = []
    parts = file.rel.parts
    if len(parts) >= 3 and parts[0] in _COUNTRY_FOLDERS:
        folder = parts[1]
        if folder not in _COUNTRIES:
            problems.append(
                Problem(
                    file.name,
                    "",
                    f"folder '{folder}' is not a country code; use {', '.join(_COUNTRIES)}",
                )
            )
        else:
            for entry in file.entries:
                country = getattr(entry.item, "country", None)
                if entry.section != "events" and country is not None and country != folder:
                    problems.append(
                        Problem(
                            file.name,
                            f"{entry.where}.country",
                            f"is '{country}' but the file is in the '{folder}' folder",
                            entry.item_id,
                        )
                    )
    if len(file.entries) == 1:
        entry = file.entries[0]
        if file.path.stem != entry.item_id:
            problems.append(
                Problem(
                    file.name,
                    f"{entry.where}.id",
                    f"the file name must be the id: rename the file to "
                    f"{entry.item_id}{file.path.suffix}",
                    entry.item_id,
                )
            )
    return problems


# --------------------------------------------------------------------------- cross-file


def _cross_file_problems(files: list[_File]) -> list[Problem]:
    """Ids are unique across the whole catalog and every reference points somewhere real."""
    problems: list[Problem] = []
    by_id: dict[str, _Entry] = {}
    knock_on = 0
    for file in files:
        for entry in file.entries:
            first = by_id.setdefault(entry.item_id, entry)
            if first is entry:
                continue
            where = (
                f"{first.where} in this file"
                if first.file == entry.file
                else f"{first.file} ({first.where})"
            )
            problems.append(
                Problem(
                    entry.file,
                    f"{entry.where}.id",
                    f"duplicate id '{entry.item_id}', also used by {where}",
                    entry.item_id,
                )
            )

    def check(entry: _Entry, field: str, target: str, want: str | None) -> None:
        nonlocal knock_on
        found = by_id.get(target)
        if found is None:
            guess = _suggest(target, by_id, cutoff=0.8)
            hint = f"; did you mean '{guess}'?" if guess else ""
            noun = _SECTION_NOUN[want] if want else "program, organisation or event"
            message = f"unknown id '{target}' (no {noun} has this id){hint}"
        elif found.item is None:
            knock_on += 1  # its own file is broken and already reported
            return
        elif want is not None and found.section != want:
            message = (
                f"'{target}' is {_article(_SECTION_NOUN[found.section])}, "
                f"not {_article(_SECTION_NOUN[want])}"
            )
        else:
            return
        problems.append(Problem(entry.file, f"{entry.where}.{field}", message, entry.item_id))

    for file in files:
        for entry in file.entries:
            item = entry.item
            if item is None:
                continue
            if isinstance(item, Program):
                if item.organisation is not None:
                    check(entry, "organisation", item.organisation, "organisations")
                if item.replaced_by == item.id:
                    problems.append(
                        Problem(
                            entry.file,
                            f"{entry.where}.replaced_by",
                            "a program cannot be replaced by itself",
                            entry.item_id,
                        )
                    )
                elif item.replaced_by is not None:
                    check(entry, "replaced_by", item.replaced_by, "programs")
            for index, target in enumerate(item.related):
                check(entry, f"related[{index}]", target, None)
    if knock_on:
        refs = "reference" if knock_on == 1 else "references"
        problems.append(
            Problem(
                "",
                "",
                f"… and {knock_on} {refs} to ids defined in files that failed to load "
                "(they resolve once those files are fixed)",
            )
        )
    return problems


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


# --------------------------------------------------------------------------- entry point


def load_catalog(content_dir: Path) -> Catalog:
    """Load every ``*.yaml`` / ``*.yml`` under `content_dir` into a `Catalog`.

    Files are read in sorted order; hidden files and folders (``.git``, editor backups) and
    anything that is not YAML (``README.md``) are ignored. Raises `CatalogError` with every
    problem of every file — syntax, schema, duplicate ids, dangling references, folder and
    file-name mismatches — and loads nothing if there is even one.
    """
    content_dir = Path(content_dir).absolute()
    shown = content_dir.name or content_dir.as_posix()
    if not content_dir.is_dir():
        raise CatalogError([Problem(shown, "", "content directory not found")])
    paths = _content_files(content_dir)
    if not paths:
        raise CatalogError([Problem(shown, "", "no .yaml files found")])

    files: list[_File] = []
    problems: list[Problem] = []
    for path in paths:
        file, file_problems = _read_file(path, content_dir)
        files.append(file)
        problems.extend(file_problems)
    problems.extend(_cross_file_problems(files))

    if problems:
        # Files that did not parse come first (they are the cause), then each file's problems
        # together in file order, the folded knock-on line last; stable, so detection order holds.
        order = {file.name: (not file.unreadable, index) for index, file in enumerate(files)}
        problems.sort(key=lambda p: order.get(p.file, (True, len(order))))
        raise CatalogError(problems)

    return Catalog.build(
        programs=_collect(files, "programs"),
        organisations=_collect(files, "organisations"),
        events=_collect(files, "events"),
    )


def _collect(files: list[_File], section: str) -> Iterator[Any]:
    for file in files:
        if file.content is not None:
            yield from getattr(file.content, section)
