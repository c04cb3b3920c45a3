"""Coalescing of content deltas: fewer frames, same text, first token never delayed."""

from __future__ import annotations


class ContentCoalescer:
    """Collects deltas and releases them at most once per `window_seconds`.

    The first delta of a turn is released at once; later deltas wait until the window since the
    last release has passed. `due_in` says when pending text must be released even if no further
    delta arrives.
    """

    def __init__(self, window_seconds: float) -> None:
        self.window = window_seconds
        self._pending: list[str] = []
        self._last_release: float | None = None

    def add(self, text: str, now: float, inline: bool = True) -> str | None:
        """Take a delta; return the text to send now, or None to wait.

        With `inline=False` only the turn's first delta is returned at once; later ones always
        wait for the caller's flush (`due_in`), even when the window has passed. That is what a
        busy event loop needs: when one turn of the loop takes longer than the window, the flush
        then carries every delta that arrived during it, instead of each going out alone."""
        if text:
            self._pending.append(text)
        if not self._pending:
            return None
        if self._last_release is None or self.window <= 0:
            return self.release(now)
        if inline and now - self._last_release >= self.window:
            return self.release(now)
        return None

    def due_in(self, now: float) -> float | None:
        if not self._pending or self._last_release is None:
            return None if not self._pending else 0.0
        return max(0.0, self._last_release + self.window - now)

    def release(self, now: float) -> str | None:
        """Everything pending, as one delta (None when nothing is pending)."""
        if not self._pending:
            return None
        text = "".join(self._pending)
        self._pending.clear()
        self._last_release = now
        return text
