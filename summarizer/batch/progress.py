"""The batch progress bar (rich), on standard error; silent when it is not a terminal."""

from __future__ import annotations

from collections import Counter
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from summarizer.batch.runner import Outcome


class BatchProgress:
    """A progress bar with done/cached/failed counts, tokens so far and an ETA.

    Failures are printed above the bar as one line each, whether or not the bar is shown.
    """

    def __init__(self, *, quiet: bool = False, console: Console | None = None) -> None:
        """Show the bar unless ``quiet`` or the console (stderr) is not a terminal."""
        self._console = console or Console(stderr=True, highlight=False)
        self._progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self._console,
            disable=quiet or not self._console.is_terminal,
        )
        self._task = self._progress.add_task("batch", total=None, counts="")
        self._statuses: Counter[str] = Counter()
        self._tokens = 0

    def __enter__(self) -> BatchProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def started(self, total: int) -> None:
        """Set the bar's length."""
        self._progress.update(self._task, total=total, counts=self._counts())

    def finished(self, outcome: Outcome) -> None:
        """Advance the bar; print a failure as one line."""
        self._statuses[outcome.status] += 1
        if outcome.status == "done" and outcome.result is not None:
            usage = outcome.result.usage
            self._tokens += usage.prompt_tokens + usage.completion_tokens
        if outcome.status == "failed":
            self._console.print(
                f"summarizer: error: {outcome.source}: {outcome.error}",
                markup=False,
                soft_wrap=True,  # one line per failure, whatever the terminal's width
            )
        self._progress.update(self._task, advance=1, counts=self._counts())

    def _counts(self) -> str:
        s = self._statuses
        done = s["done"] + s["resumed"]
        return (
            f"done {done} · cached {s['cached']} · failed {s['failed']} · {self._tokens:,} tokens"
        )
