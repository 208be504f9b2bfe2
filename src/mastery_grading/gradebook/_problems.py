"""How the gradebook words a bad row: one :class:`~mastery_grading.Problem` per problem.

Every path into a gradebook (evidence objects, dicts, frames by Arrow or row by row) words its
problems here, so that the same bad value gives the same message however it arrived.

Example:
    >>> from mastery_grading import LearningTarget
    >>> print(unknown_target("X", ["T"], row=3))
    row 3: target_id='X' is not a target of this gradebook; expected one of ['T']
"""

from __future__ import annotations

import re
from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from typing import Any

from mastery_grading._text import TextRules, is_missing, read_record
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import MasteryGradingError, Problem
from mastery_grading.gradebook._duplicates import (
    Duplicates,
    already_added,
    describe_place,
    duplicate_key,
    duplicate_problems,
    find_duplicates,
)
from mastery_grading.targets import LearningTarget

__all__ = [
    "field_problem",
    "missing_score",
    "out_of_scale",
    "unknown_target",
    "validate_evidence",
]

# "field=value must be ..." / "field=value is ..." / "field=value lies ...", as the value
# types' validators word their errors.
_FIELD_MESSAGE = re.compile(
    r"^(?P<field>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*?) "
    r"(?P<verb>must be|is not|is a|is|lies|has) (?P<rest>.*)$",
    flags=re.DOTALL,
)


def field_problem(message: str, *, row: Hashable) -> Problem:
    """A problem from a validator's message, with its field, value and expectation picked out.

    Example:
        >>> problem = field_problem("observed_at='2026-10-01' must be a datetime, not str", row=0)
        >>> problem.field, problem.value, problem.expected
        ('observed_at', "'2026-10-01'", 'a datetime, not str')
    """
    match = _FIELD_MESSAGE.match(message)
    if match is None:
        return Problem(message=message, row=row)
    verb, rest = match.group("verb"), match.group("rest")
    expected = rest if verb == "must be" else f"not: {verb} {rest}"
    return Problem(
        message=message,
        row=row,
        field=match.group("field"),
        value=match.group("value"),
        expected=expected,
    )


def unknown_target(target_id: object, known: Sequence[str], *, row: Hashable) -> Problem:
    """The problem of evidence naming a target the gradebook does not have.

    Example:
        >>> unknown_target("X", ["A", "B"], row="r1").expected
        "one of ['A', 'B']"
    """
    shown = list(known[:5])
    expected = f"one of {shown!r}" + ("" if len(known) <= 5 else f" (and {len(known) - 5} more)")
    return Problem(
        message=f"target_id={target_id!r} is not a target of this gradebook; expected {expected}",
        row=row,
        field="target_id",
        value=repr(target_id),
        expected=expected,
    )


def out_of_scale(
    score: float, student_id: object, target: LearningTarget, *, row: Hashable
) -> Problem:
    """The problem of a score outside its target's scale.

    Example:
        >>> print(out_of_scale(5.0, "ben", LearningTarget(id="T", title="T"), row=6))
        row 6: score=5.0 for student 'ben' on target 'T' lies outside the scale [0.0, 4.0]
    """
    scale = target.scale
    return Problem(
        message=(
            f"score={score!r} for student {student_id!r} on target {target.id!r} lies outside "
            f"the scale [{scale.min}, {scale.max}]"
        ),
        row=row,
        field="score",
        value=repr(score),
        expected=f"a score in [{scale.min}, {scale.max}]",
    )


def missing_score(score: object, *, row: Hashable) -> Problem:
    """The problem of a missing score (``None``, ``NaN``, blank) under ``missing_scores="error"``.

    Example:
        >>> print(missing_score(None, row=2))
        row 2: score=None is missing; expected a number (missing_scores='error')
    """
    return Problem(
        message=f"score={score!r} is missing; expected a number (missing_scores='error')",
        row=row,
        field="score",
        value=repr(score),
        expected="a number (missing_scores='error')",
    )


def validate_evidence(
    evidence: Iterable[Any],
    targets: Mapping[str, LearningTarget],
    duplicates: Duplicates,
    known: Container[tuple[Any, ...]] = frozenset(),
    rules: TextRules | None = None,
    keys_out: list[tuple[Any, ...]] | None = None,
) -> tuple[list[Evidence], list[Problem], list[int]]:
    """Every item as Evidence (duplicates dropped if asked), every problem, and skipped items.

    A dict is read by ``rules`` (``mastery_grading._text.read_record``: numbers and times
    written as text, ``assume_tz``, ``strip_ids``); a dict whose score is missing (``None``,
    ``NaN``, blank) is skipped, its position returned last, or with
    ``rules.missing_scores="error"`` is a problem.

    An item is bad when it is not an Evidence (or a dict of its fields that makes one), names
    an unknown target, or has a score outside its target's scale; with ``duplicates="error"``
    every copy after the first is a problem too, naming every copy, and so is every item whose
    :func:`~mastery_grading.gradebook._duplicates.duplicate_key` is in ``known`` (the keys of
    the evidence already in the gradebook). ``"drop"`` drops both kinds of copies. The
    duplicate keys of the items returned are appended to ``keys_out`` when it is given (and
    ``duplicates`` is not ``"keep"``), so that the caller need not make them again.

    Example:
        >>> from datetime import datetime, timezone
        >>> when = datetime(2026, 10, 1, tzinfo=timezone.utc)
        >>> row = {"student_id": "s", "target_id": "T", "score": 9, "observed_at": when}
        >>> items, problems, skipped = validate_evidence(
        ...     [row, {**row, "score": None}], {"T": LearningTarget(id="T", title="T")}, "error")
        >>> items, [p.field for p in problems], skipped
        ([], ['score'], [1])
    """
    found: list[tuple[int, Problem]] = []
    items: list[Evidence] = []
    positions: list[int] = []
    skipped: list[int] = []
    rules = TextRules() if rules is None else rules
    for pos, item in enumerate(evidence):
        if type(item) is not Evidence and isinstance(item, Mapping):
            if "score" in item and is_missing(item["score"]):
                if rules.missing_scores == "skip":
                    skipped.append(pos)
                else:
                    found.append((pos, missing_score(item["score"], row=pos)))
                continue
            try:
                item = Evidence(**read_record(item, rules))
            except (MasteryGradingError, TypeError, ValueError) as error:
                found.append((pos, field_problem(str(error), row=pos)))
                continue
        if not isinstance(item, Evidence):
            message = f"{item!r} must be an Evidence or a dict of its fields"
            found.append((pos, Problem(message=message, row=pos)))
            continue
        target = targets.get(item.target_id)
        if target is None:
            found.append((pos, unknown_target(item.target_id, list(targets), row=pos)))
        elif not target.scale.contains(item.score):
            found.append((pos, out_of_scale(item.score, item.student_id, target, row=pos)))
        else:
            items.append(item)
            positions.append(pos)
    if duplicates != "keep":
        keys = [duplicate_key(item) for item in items]
        again = {i for i, key in enumerate(keys) if key in known}
        if again and duplicates == "error":
            found.extend(
                (positions[i], already_added(items[i], describe_place(positions[i])))
                for i in sorted(again)
            )
        if again:
            positions = [p for i, p in enumerate(positions) if i not in again]
            items = [e for i, e in enumerate(items) if i not in again]
            keys = [k for i, k in enumerate(keys) if i not in again]
        groups = find_duplicates(items, keys) if len(items) > 1 else []
        if duplicates == "error":
            problems = duplicate_problems(items, groups, lambda i: describe_place(positions[i]))
            found.extend((positions[i], problem) for i, problem in problems)
        elif groups:
            extra = {i for group in groups for i in group[1:]}
            items = [e for i, e in enumerate(items) if i not in extra]
            keys = [k for i, k in enumerate(keys) if i not in extra]
        if keys_out is not None:
            keys_out.extend(keys)
    found.sort(key=lambda pair: pair[0])
    return items, [problem for _, problem in found], skipped
