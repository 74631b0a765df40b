"""Request parameters the way the Bot API server sees them.

Telegram accepts the same parameters as a query string, a JSON body,
``application/x-www-form-urlencoded`` or ``multipart/form-data``, and
internally treats every value as a string (objects arrive JSON-encoded, as PTB
sends them). Normalising everything to strings first means one set of lenient
getters behaves identically for all four encodings, exactly like the server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tornado.httputil import HTTPFile, HTTPServerRequest, parse_body_arguments

from .errors import bad_request

_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")
_LEADING_FLOAT = re.compile(r"^\s*([+-]?(\d+(\.\d*)?|\.\d+))")


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part, kept in memory (the sandbox stores bytes, not paths)."""

    field: str
    filename: str
    content_type: str
    body: bytes


def _json_scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request("strings must be encoded in UTF-8") from exc


class Params:
    """String-valued request parameters plus uploaded files, with Telegram's lenient getters."""

    def __init__(self, values: Mapping[str, str], files: Mapping[str, UploadedFile]) -> None:
        self._values = dict(values)
        self._files = dict(files)

    # -- construction --------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Params:
        """From already-typed values (a JSON body, or a direct in-process call)."""
        values = {
            key: text for key, value in data.items() if (text := _json_scalar(value)) is not None
        }
        return cls(values, {})

    @classmethod
    def from_request(cls, request: HTTPServerRequest) -> Params:
        """Merge query string and body (body wins), whatever the content type."""
        values: dict[str, str] = {}
        for key, items in request.query_arguments.items():
            if items:
                values[key] = _decode(items[-1])
        files: dict[str, UploadedFile] = {}
        content_type = request.headers.get("Content-Type", "")
        body = request.body or b""
        if body and content_type.split(";")[0].strip().lower() == "application/json":
            try:
                data = json.loads(_decode(body))
            except ValueError:
                data = None
            if isinstance(data, dict):
                values.update(cls.from_mapping(data)._values)
        elif body:
            arguments: dict[str, list[bytes]] = {}
            parts: dict[str, list[HTTPFile]] = {}
            parse_body_arguments(content_type, body, arguments, parts, request.headers)
            for key, items in arguments.items():
                if items:
                    values[key] = _decode(items[-1])
            for key, uploads in parts.items():
                if uploads:
                    upload = uploads[-1]
                    files[key] = UploadedFile(
                        key, upload.filename, upload.content_type, bytes(upload.body)
                    )
        return cls(values, files)

    # -- getters -------------------------------------------------------------------
    def raw(self, name: str) -> str | None:
        """The value as sent, ``None`` when absent."""
        return self._values.get(name)

    def has(self, name: str) -> bool:
        """Present and non-empty - Telegram treats an empty value as not given."""
        return bool(self._values.get(name))

    def text(self, name: str, default: str = "") -> str:
        """A string parameter."""
        value = self._values.get(name)
        return default if value is None else value

    def integer(self, name: str, default: int = 0) -> int:
        """Integer parsed like the server: leading digits, garbage → ``default``."""
        match = _LEADING_INT.match(self._values.get(name) or "")
        return int(match.group(1)) if match else default

    def number(self, name: str, default: float = 0.0) -> float:
        """A float (only used where the sandbox is deliberately finer than Telegram)."""
        match = _LEADING_FLOAT.match(self._values.get(name) or "")
        return float(match.group(1)) if match else default

    def flag(self, name: str) -> bool:
        """Boolean parsed like the server: ``true``/``yes``/``1`` (any case) are true."""
        return (self._values.get(name) or "").strip().lower() in ("true", "yes", "1")

    def json_value(self, name: str, error: str) -> Any:
        """A JSON-encoded parameter; ``None`` when absent, 400 ``error`` when unparsable."""
        value = self._values.get(name)
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(error) from exc

    def input_file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an upload, or a string (``file_id``/URL).

        ``attach://<field>`` points at another multipart field, as in the Bot API.
        """
        value = self._values.get(name)
        if value:
            if value.startswith("attach://"):
                return self._files.get(value[len("attach://") :])
            return value
        return self._files.get(name)

    # -- introspection ---------------------------------------------------------------
    def loggable(self) -> dict[str, Any]:
        """Values decoded where JSON, files summarised - for ``Sandbox.requests``."""
        result: dict[str, Any] = {}
        for key, value in self._values.items():
            if value[:1] in ("{", "["):
                try:
                    result[key] = json.loads(value)
                    continue
                except ValueError:
                    pass
            result[key] = value
        for key, upload in self._files.items():
            result[key] = {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.body),
            }
        return result
