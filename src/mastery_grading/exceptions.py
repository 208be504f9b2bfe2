"""The library's errors: one root, each concrete error also a matching builtin.

Catch :class:`MasteryGradingError` to handle every error this library raises on purpose, or the
builtin (:class:`ValueError`, :class:`TypeError`) if that is what your code already catches.

Example:
    >>> from mastery_grading import Scale, MasteryGradingError
    >>> try:
    ...     Scale(min=4.0, max=0.0, mastery=3.0)
    ... except MasteryGradingError as error:
    ...     print(error)
    max=0.0 must be greater than min=4.0
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BulkValidationError",
    "DataFileError",
    "InvalidTypeError",
    "InvalidValueError",
    "MasteryGradingError",
    "ScoreOutOfScaleError",
    "SpecError",
    "TargetMismatchError",
]


class MasteryGradingError(Exception):
    """Root of every error that mastery_grading raises on purpose."""


class InvalidValueError(MasteryGradingError, ValueError):
    """A value has the right type but breaks a rule (a NaN score, an empty id, a naive time)."""


class InvalidTypeError(MasteryGradingError, TypeError):
    """A value has the wrong type (a string where a number was expected)."""


class ScoreOutOfScaleError(InvalidValueError):
    """An evidence score lies outside the scale of the target it is evaluated on."""


class TargetMismatchError(InvalidValueError):
    """Evidence for one target was passed to a policy evaluating another target."""


class SpecError(InvalidValueError):
    """A policy or converter spec (a JSON-safe dict) cannot be turned back into an object."""


class BulkValidationError(InvalidValueError):
    """Several rows of bulk input are invalid; every problem is collected and raised at once.

    Attributes:
        problems: ``(position, reason)`` pairs, one per bad row, in input order.

    Example:
        >>> error = BulkValidationError([(0, "score=nan is not finite"), (3, "empty id")])
        >>> error.problems[1]
        (3, 'empty id')
        >>> print(error)
        2 invalid rows: row 0: score=nan is not finite; row 3: empty id
    """

    #: How many problems the message lists before it only counts the rest.
    shown = 20

    def __init__(self, problems: Sequence[tuple[int, str]]) -> None:
        self.problems: tuple[tuple[int, str], ...] = tuple(problems)
        listed = "; ".join(f"row {pos}: {why}" for pos, why in self.problems[: self.shown])
        more = len(self.problems) - self.shown
        suffix = f"; and {more} more" if more > 0 else ""
        count = len(self.problems)
        noun = "row" if count == 1 else "rows"
        super().__init__(f"{count} invalid {noun}: {listed}{suffix}")


class DataFileError(BulkValidationError):
    """Problems in input files; each one names its file, line and (where known) column.

    Readers in :mod:`mastery_grading.io` collect every problem of a file (up to a limit) and raise
    this error once. Its message lists one problem per line, as ``file:line:column: problem``.

    Attributes:
        locations: ``(file, line, column, message)`` tuples in the order found; ``line`` and
            ``column`` are 1-based, or ``None`` when not known.
        problems: ``(line, "file:line:column: message")`` pairs, as for
            :class:`BulkValidationError` (line 0 when unknown).
        truncated: Whether reading stopped at the limit, so that more problems may exist.
        warnings: Notes found on the way (such as unknown columns), listed after the problems.

    Example:
        >>> error = DataFileError([("marks.csv", 3, 4, "score='abc' is not a number")])
        >>> print(error)
        1 problem in input:
        marks.csv:3:4: score='abc' is not a number
        >>> error.locations[0][1]
        3
    """

    def __init__(
        self,
        locations: Sequence[tuple[str, int | None, int | None, str]],
        *,
        truncated: bool = False,
        warnings: Sequence[str] = (),
    ) -> None:
        self.locations: tuple[tuple[str, int | None, int | None, str], ...] = tuple(locations)
        self.truncated = truncated
        self.warnings = tuple(warnings)
        lines = [_locate(*item) for item in self.locations]
        self.problems = tuple(
            (line or 0, text) for (_, line, _, _), text in zip(self.locations, lines, strict=True)
        )
        count = len(lines)
        noun = "problem" if count == 1 else "problems"
        head = f"{count} {noun} in input"
        if truncated:
            head += f" (stopped after {count}; there may be more)"
        notes = [f"warning: {note}" for note in self.warnings]
        InvalidValueError.__init__(self, "\n".join([head + ":", *lines, *notes]))


def _locate(file: str, line: int | None, column: int | None, message: str) -> str:
    where = file
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return f"{where}: {message}"
