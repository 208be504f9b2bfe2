"""The library's errors: one root, each concrete error also a matching builtin.

Catch :class:`MasteryGradingError` to handle every error this library raises on purpose, or the
builtin (:class:`ValueError`, :class:`TypeError`, :class:`ImportError`) if that is what your code
already catches.

Example:
    >>> from mastery_grading import Scale, MasteryGradingError
    >>> try:
    ...     Scale(min=4.0, max=0.0, mastery=3.0)
    ... except MasteryGradingError as error:
    ...     print(error)
    max=0.0 must be greater than min=4.0
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any, overload

import attrs

__all__ = [
    "BulkValidationError",
    "DataFileError",
    "ExternalToolError",
    "GapError",
    "InvalidTypeError",
    "InvalidValueError",
    "MasteryGradingError",
    "MissingExtraError",
    "OverlapError",
    "ScoreOutOfScaleError",
    "SpecError",
    "SpecTypeError",
    "TargetMismatchError",
]


class MasteryGradingError(Exception):
    """Root of every error that mastery_grading raises on purpose.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> try:
        ...     LearningTarget(id="", title="Fractions")
        ... except MasteryGradingError as error:
        ...     print(type(error).__name__, error)
        InvalidValueError id='' must be a non-empty string
    """


class InvalidValueError(MasteryGradingError, ValueError):
    """A value has the right type but breaks a rule (a NaN score, an empty id, a naive time).

    It is also a :class:`ValueError`, so code that already catches that keeps working.

    Example:
        >>> from mastery_grading.policies import DecayingAverage
        >>> try:
        ...     DecayingAverage(rate=1.5)
        ... except ValueError as error:
        ...     print(type(error).__name__, error)
        InvalidValueError rate=1.5 must be in (0.0, 1.0]
    """


class ExternalToolError(MasteryGradingError, ImportError):
    """A program the library runs (headless Chromium for PDF reports) is missing or failed.

    Like :class:`MissingExtraError`, it is an :class:`ImportError`: an optional component
    outside Python that could not be used, so code that copes with a missing optional part
    catches both. The message names the program and what to do.

    Example:
        >>> try:
        ...     raise ExternalToolError("chromium is not installed: apt-get install chromium")
        ... except ImportError as error:
        ...     print(type(error).__name__, error)
        ExternalToolError chromium is not installed: apt-get install chromium
    """


class InvalidTypeError(MasteryGradingError, TypeError):
    """A value has the wrong type (a string where a number was expected).

    It is also a :class:`TypeError`, so code that already catches that keeps working.

    Example:
        >>> from mastery_grading import Scale
        >>> try:
        ...     Scale(min=0, max="4", mastery=3)
        ... except TypeError as error:
        ...     print(type(error).__name__, error)
        InvalidTypeError max='4' must be a number, not str
    """


class ScoreOutOfScaleError(InvalidValueError):
    """An evidence score lies outside the scale of the target it is evaluated on.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> five = Evidence(student_id="s1", target_id="T", score=5,
        ...                 observed_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
        >>> Mean().evaluate([five], LearningTarget(id="T", title="Ratios"))  # 0-4 scale
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.ScoreOutOfScaleError: score=5.0 for student 's1' on target 'T' lies outside the scale [0.0, 4.0]
    """  # noqa: E501


class TargetMismatchError(InvalidValueError):
    """Evidence for one target was passed to a policy evaluating another target.

    Example:
        >>> from datetime import datetime, timezone
        >>> from mastery_grading import Evidence, LearningTarget
        >>> from mastery_grading.policies import Mean
        >>> other = Evidence(student_id="s1", target_id="B", score=3,
        ...                  observed_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
        >>> Mean().evaluate([other], LearningTarget(id="A", title="Ratios"))
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.TargetMismatchError: target_id='B' of evidence for student 's1' does not match the target being evaluated, 'A'
    """  # noqa: E501


class SpecError(InvalidValueError):
    """A policy or converter spec (a JSON-safe dict) cannot be turned back into an object.

    Example:
        >>> from mastery_grading import policy_from_spec
        >>> policy_from_spec({"policy": "mean", "n": 3})
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.SpecError: spec for policy 'mean' has unknown key 'n'; expected one of ['weighted']
    """  # noqa: E501


class SpecTypeError(SpecError, InvalidTypeError):
    """A value in a spec has the wrong type (a number where a list of policies was expected).

    It is both a :class:`SpecError` and an :class:`InvalidTypeError` (so also a
    :class:`TypeError`): catch whichever your code already does.

    Example:
        >>> from mastery_grading import policy_from_spec
        >>> try:
        ...     policy_from_spec({"policy": "max_of", "policies": 5})
        ... except TypeError as error:
        ...     print(isinstance(error, SpecError), error)
        True spec for policy 'max_of' is invalid: policies=5 must be a list of policies, not int
    """


#: How many characters of a value a message shows; the rest is counted, not echoed.
VALUE_LIMIT = 80

_LONG_RUN = re.compile(rf"[^\s,;:()\[\]]{{{VALUE_LIMIT + 1},}}")


def cut(text: str, limit: int = VALUE_LIMIT) -> str:
    """Return ``text`` cut to ``limit`` characters, saying how many more there were.

    Example:
        >>> cut("x" * 85)
        'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (5 more characters)'
        >>> cut("3.5")
        '3.5'
    """  # noqa: E501
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def _cut_runs(message: str) -> str:
    """Cut every unbroken run of more than :data:`VALUE_LIMIT` characters in a message."""
    if len(message) <= VALUE_LIMIT:
        return message
    return _LONG_RUN.sub(lambda match: cut(match.group(0)), message)


@attrs.frozen(kw_only=True)
class Problem:
    """One problem of bulk input: where it is, which field, the value and what was expected.

    Attributes:
        message: The problem in one sentence (field, value and expectation); any value longer
            than 80 characters is cut there, with a count of the rest.
        source: The file (or other input) named in messages, when the input is a file.
        line: The 1-based line in ``source`` (the line in the file, not a position in a group).
        column: The 1-based column in ``source``, where known.
        row: Where the row is when there is no file: its position (0-based) in the input, or
            the index label of a DataFrame's row.
        field: The field (column) the problem is about, where it is one field.
        value: The value found, as shown in messages (cut to 80 characters).
        expected: What was expected instead, in words.

    Example:
        >>> problem = Problem(message="score=5.0 lies outside the scale [0.0, 4.0]",
        ...                   source="ev.csv", line=7, column=3, field="score", value="5.0",
        ...                   expected="a number in [0.0, 4.0]")
        >>> print(problem)
        ev.csv:7:3: score=5.0 lies outside the scale [0.0, 4.0]
        >>> print(Problem(message="score=nan is not a finite number", row="r2"))
        row 'r2': score=nan is not a finite number
    """

    message: str = attrs.field(converter=_cut_runs)
    source: str | None = None
    line: int | None = None
    column: int | None = None
    row: Hashable | None = None
    field: str | None = None
    value: str | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(cut),
    )
    expected: str | None = None

    @property
    def where(self) -> str:
        """``file:line:column`` for a file, ``row N`` otherwise (``""`` when not known).

        A file without lines (Parquet) names its row: ``file: row N``.

        Example:
            >>> Problem(message="x", row=3).where, Problem(message="x", source="a.csv").where
            ('row 3', 'a.csv')
            >>> Problem(message="x", source="e.parquet", row=3).where
            'e.parquet: row 3'
        """
        if self.source is not None:
            where = self.source
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            elif isinstance(self.row, int):  # a file without lines (Parquet): its row
                where += f": row {self.row}"
            return where
        if self.row is None:
            return ""
        return f"row {self.row}" if isinstance(self.row, int) else f"row {self.row!r}"

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message


def as_problem(item: Problem | tuple[int, str]) -> Problem:
    """Return ``item`` as a :class:`Problem`; a ``(position, reason)`` pair names a row.

    Example:
        >>> print(as_problem((2, "empty id")))
        row 2: empty id
    """
    if isinstance(item, Problem):
        return item
    position, reason = item
    return Problem(message=reason, row=position)


class _Problems(Sequence[Problem]):
    """A read-only view that turns each item into a :class:`Problem` when it is read."""

    def __init__(self, items: Sequence[Any]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Problem: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Problem]: ...

    def __getitem__(self, index: int | slice) -> Problem | Sequence[Problem]:
        if isinstance(index, slice):
            return [as_problem(item) for item in self._items[index]]
        return as_problem(self._items[index])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class BulkValidationError(InvalidValueError):
    """Several rows of bulk input are invalid; every problem is collected and raised at once.

    Attributes:
        problems: One :class:`Problem` per problem, in input order: where it is (file, line
            and column, or the row's position or index label), the field, the value and what
            was expected. The message lists the first :attr:`shown` and counts the rest.

    Example:
        >>> error = BulkValidationError([(0, "score=nan is not finite"), (3, "empty id")])
        >>> error.problems[1].row, error.problems[1].message
        (3, 'empty id')
        >>> print(error)
        2 invalid rows: row 0: score=nan is not finite; row 3: empty id
    """

    #: How many problems the message lists before it only counts the rest.
    shown = 20

    def __init__(self, problems: Sequence[Problem | tuple[int, str]]) -> None:
        # A list is copied; another sequence is kept as given, so that a reader of millions of
        # rows can pass one that words a row's reason only when it is read.
        items: Sequence[Any] = (
            problems
            if isinstance(problems, Sequence) and not isinstance(problems, list | tuple)
            else tuple(problems)
        )
        self.problems: Sequence[Problem] = _Problems(items)
        listed = "; ".join(str(problem) for problem in self.problems[: self.shown])
        more = len(self.problems) - self.shown
        suffix = f"; and {more} more" if more > 0 else ""
        count = len(self.problems)
        noun = "row" if count == 1 else "rows"
        super().__init__(f"{count} invalid {noun}: {listed}{suffix}")


class DataFileError(BulkValidationError):
    """Problems in input files; each one names its file, line and (where known) column.

    Readers in :mod:`mastery_grading.io` collect every problem of a file (up to a limit) and raise
    this error once. Its message lists one problem per line, as ``file:line:column: problem``
    (the first :attr:`~BulkValidationError.shown`, then how many more).

    Attributes:
        problems: One :class:`Problem` per problem, in the order found.
        locations: ``(file, line, column, message)`` tuples, one per problem; ``line`` and
            ``column`` are 1-based, or ``None`` when not known.
        truncated: Whether reading stopped at the limit, so that more problems may exist.
        warnings: Notes found on the way (such as unknown columns), listed after the problems.

    Example:
        >>> error = DataFileError([("marks.csv", 3, 4, "score='abc' is not a number")])
        >>> print(error)
        1 problem in input:
        marks.csv:3:4: score='abc' is not a number
        >>> error.locations[0][1], error.problems[0].line
        (3, 3)
    """

    def __init__(
        self,
        locations: Sequence[Problem | tuple[str, int | None, int | None, str]],
        *,
        truncated: bool = False,
        warnings: Sequence[str] = (),
    ) -> None:
        self.problems = tuple(
            item
            if isinstance(item, Problem)
            else Problem(source=item[0], line=item[1], column=item[2], message=item[3])
            for item in locations
        )
        self.locations: tuple[tuple[str, int | None, int | None, str], ...] = tuple(
            (p.source if p.source is not None else p.where, p.line, p.column, p.message)
            for p in self.problems
        )
        self.truncated = truncated
        self.warnings = tuple(warnings)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        head = f"{count} {noun} in input"
        if truncated:
            head += f" (stopped after {count}; there may be more)"
        lines = [str(problem) for problem in self.problems[: self.shown]]
        if count > self.shown:
            lines.append(f"... and {count - self.shown} more problems")
        notes = [f"warning: {note}" for note in self.warnings]
        InvalidValueError.__init__(self, "\n".join([head + ":", *lines, *notes]))


class GapError(InvalidValueError):
    """A grade converter gives no letter to a profile of results: a gap in its rules.

    Example:
        >>> from mastery_grading.grades import LetterRule, RuleSet, no_target_below
        >>> from mastery_grading.grades import results_from_scores
        >>> rules = RuleSet.first_match(LetterRule(letter="P", conditions=[no_target_below(3)]))
        >>> try:
        ...     rules.convert(results_from_scores({"T1": 2.0}))
        ... except GapError as error:
        ...     print(isinstance(error, ValueError), error.values)
        True (2.0,)
    """

    def __init__(self, message: str, *, values: Sequence[float] = ()) -> None:
        super().__init__(message)
        #: The values of the profile that got no letter, in input order.
        self.values: tuple[float, ...] = tuple(values)


class OverlapError(InvalidValueError):
    """A grade converter gives two or more letters to a profile of results: an overlap.

    Only unordered rule sets raise it; under first-match semantics the first rule decides.

    Example:
        >>> from mastery_grading.grades import LetterRule, RuleSet, no_target_below
        >>> from mastery_grading.grades import results_from_scores
        >>> rules = RuleSet.unordered(LetterRule(letter="P", conditions=[no_target_below(3)]),
        ...                           LetterRule(letter="N"))
        >>> try:
        ...     rules.convert(results_from_scores({"T1": 3.0}))
        ... except OverlapError as error:
        ...     print(isinstance(error, ValueError), error.letters)
        True ('P', 'N')
    """

    def __init__(
        self, message: str, *, letters: Sequence[str] = (), values: Sequence[float] = ()
    ) -> None:
        super().__init__(message)
        #: The letters whose rules all hold, best first.
        self.letters: tuple[str, ...] = tuple(letters)
        #: The values of the profile, in input order.
        self.values: tuple[float, ...] = tuple(values)


class MissingExtraError(MasteryGradingError, ModuleNotFoundError):
    """A feature needs an optional package that is not installed; the message names the extra.

    Every optional import of the library goes through one helper that raises this error: it
    names the feature, the missing package, the extra that installs it and the pip command. It is
    also a :class:`ModuleNotFoundError` (so an :class:`ImportError`), so code that already catches
    those keeps working; its ``name`` is the missing package, as Python's own error's is.

    Attributes:
        feature: What was asked for (``"ResultTable.to_pandas()"``).
        module: The package that is missing (``"pandas"``).
        extra: The extra of mastery_grading that installs it (``"data"``).
        command: The pip command that installs that extra.
        alternative: Another way to do without it, or ``None``; the message ends with it.

    Example:
        >>> error = MissingExtraError("ResultTable.to_pandas()", module="pandas", extra="data")
        >>> print(error)
        ResultTable.to_pandas() needs pandas, which is not installed: pip install "mastery_grading[data]"
        >>> isinstance(error, ImportError), error.name, error.extra
        (True, 'pandas', 'data')
    """  # noqa: E501

    def __init__(
        self, feature: str, *, module: str, extra: str, alternative: str | None = None
    ) -> None:
        self.feature = feature
        self.module = module
        self.extra = extra
        self.alternative = alternative
        self.command = f'pip install "mastery_grading[{extra}]"'
        message = f"{feature} needs {module}, which is not installed: {self.command}"
        if alternative is not None:
            message += f" (or {alternative})"
        super().__init__(message, name=module)
