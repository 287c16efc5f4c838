"""Server-sent events: an incremental decoder for upstream bytes and the encoder for what the client gets.

The decoder takes bytes in any chunking, including a chunk boundary inside a multi-byte UTF-8 character, and
returns whole events only. Invalid UTF-8 from upstream is an `UpstreamError`, never passed on.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from coatcheck.errors import UpstreamError

__all__ = ["SSEDecoder", "SSEEvent", "encode_event"]

_EOL = re.compile(r"\r\n|\r|\n")  # not str.splitlines: it also splits on U+2028 and friends


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One event: its name (``event:``) and its data lines joined by newlines."""

    data: str
    event: str | None = None

    def __repr__(self) -> str:
        return f"SSEEvent(event={self.event!r}, data_chars={len(self.data)})"


def encode_event(event: SSEEvent) -> bytes:
    """The wire form of an event (data is single-line JSON here, but multi-line data is split correctly)."""
    head = f"event: {event.event}\n" if event.event else ""
    lines = "".join(f"data: {line}\n" for line in event.data.split("\n"))
    return (head + lines + "\n").encode("utf-8")


class SSEDecoder:
    """Bytes in, complete events out; holds back only an unfinished line and an unfinished event."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._line = ""
        self._pending_cr = False
        self._event: str | None = None
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode ``chunk`` and return the events it completes."""
        try:
            text = self._utf8.decode(chunk)
        except UnicodeDecodeError:
            raise UpstreamError("the upstream stream is not valid UTF-8") from None
        return self._text(text)

    def flush(self) -> list[SSEEvent]:
        """End of stream: an event not terminated by a blank line is dropped (it may be incomplete)."""
        try:
            self._utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            raise UpstreamError("the upstream stream ended inside a UTF-8 character") from None
        return []

    def _text(self, text: str) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        if self._pending_cr and text.startswith("\n"):
            text = text[1:]
        self._pending_cr = False
        buf = self._line + text
        start = 0
        for match in _EOL.finditer(buf):
            if match.end() == len(buf) and match.group() == "\r":
                self._pending_cr = True  # a CRLF may be split across chunks
            event = self._line_done(buf[start : match.start()])
            if event is not None:
                events.append(event)
            start = match.end()
        self._line = buf[start:]
        return events

    def _line_done(self, line: str) -> SSEEvent | None:
        if not line:
            if not self._data and self._event is None:
                return None
            event = SSEEvent("\n".join(self._data), self._event)
            self._event, self._data = None, []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None
