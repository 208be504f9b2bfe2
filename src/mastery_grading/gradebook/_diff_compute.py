"""Computing a policy diff: results under each rule, letters, levels and groups, in columns.

:func:`policy_diff` is what :meth:`Gradebook.diff <mastery_grading.Gradebook.diff>` runs. It
asks the gradebook for the results it needs (one :meth:`~mastery_grading.Gradebook.results`
call per distinct policy, both from the same sorted columns), converts them to letters when a
converter is given (:meth:`~mastery_grading.ResultTable.grades`, vectorized), and compares the
columns whole: the values, the level of each value, and each student's letter. Nothing is
computed per row in Python but the letters' labels (one per student).

Example:
    >>> from mastery_grading import Gradebook, policies
    >>> from mastery_grading.examples import load_example_class
    >>> example = load_example_class()
    >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
    >>> policy_diff(book.results, policies.Mean(), policies.DecayingAverage()).changed
    ('ben', 'chloe', 'devon', 'farid', 'hugo')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from mastery_grading._extras import require
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.gradebook._diff import PolicyDiff
from mastery_grading.gradebook._diff_cells import DiffColumns
from mastery_grading.gradebook._diff_groups import MISSING, read_groups
from mastery_grading.gradebook._diff_letters import LetterColumns, letter_columns
from mastery_grading.grades import NO_LETTER
from mastery_grading.protocols import GradeConverter, Policy

if TYPE_CHECKING:
    from mastery_grading.gradebook._table import ResultTable

__all__ = ["DiffRule", "policy_diff", "rule_label"]

#: What ``before`` and ``after`` may be: a policy, a policy per target id, or a converter.
DiffRule = Policy | Mapping[str, Policy] | GradeConverter


def _kind(rule: Any, name: str) -> Literal["policy", "converter"]:
    if isinstance(rule, Mapping | Policy):
        return "policy"
    if isinstance(rule, GradeConverter):
        return "converter"
    msg = (
        f"{name}={rule!r} must be a policy, a mapping of target id to policy, or a grade "
        f"converter, not {type(rule).__name__}"
    )
    raise InvalidTypeError(msg)


def rule_label(rule: Any) -> str:
    """How a policy, a policy per target or a converter is named in a diff.

    A policy is its repr (its exact configuration); a mapping that gives every target the
    same policy is that policy, else ``target: policy`` pairs; a converter is its
    ``describe()`` when it has one, else its class name.

    Example:
        >>> from mastery_grading import policies
        >>> from mastery_grading.grades import AverageCutoffs
        >>> rule_label(policies.DecayingAverage())
        'DecayingAverage(rate=0.65)'
        >>> rule_label({"LE.1": policies.Mean(), "LE.2": policies.MostRecent()})
        'LE.1: Mean(weighted=True); LE.2: MostRecent()'
        >>> rule_label(AverageCutoffs.marzano_2010())
        'average cutoffs: A from 3.0, B from 2.5, C from 2.0, D from 1.0, else F'
    """
    if isinstance(rule, Mapping):
        distinct = list(dict.fromkeys(rule.values()))
        if len(distinct) == 1:
            return repr(distinct[0])
        return "; ".join(f"{target}: {policy!r}" for target, policy in rule.items())
    if isinstance(rule, Policy):
        return repr(rule)
    describe = getattr(rule, "describe", None)
    if callable(describe):
        text = describe()
        if isinstance(text, str):
            return text
    return type(rule).__name__


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):  # an object whose == cannot answer
        return False


def _value_array(table: ResultTable) -> Any:
    require("numpy", extra="data", feature="Gradebook.diff()")
    import numpy as np

    values = table._values
    if hasattr(values, "dtype"):
        return np.asarray(values, dtype=np.float64)
    return np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)


def policy_diff(
    results: Callable[[Policy | Mapping[str, Policy]], ResultTable],
    before: DiffRule,
    after: DiffRule,
    converter: GradeConverter | None = None,
    *,
    by: str | Mapping[str, Any] | Any | None = None,
) -> PolicyDiff:
    """Compare two policies (or two converters) over a gradebook; see ``Gradebook.diff``.

    Args:
        results: The gradebook's ``results`` method.
        before: A policy, a policy per target id, or a converter.
        after: The same kind as ``before``.
        converter: The converter of the letters when ``before`` and ``after`` are policies.
        by: The groups (see :mod:`~mastery_grading.gradebook._diff_groups`).

    Raises:
        InvalidTypeError: If a rule is neither a policy nor a converter, one is a policy and
            the other a converter, or ``converter`` is not a converter.
        InvalidValueError: If ``converter`` is given with two converters, or ``by`` names no
            student attribute.
    """
    require("numpy", extra="data", feature="Gradebook.diff()")
    import numpy as np

    from mastery_grading.gradebook._engine import level_codes
    from mastery_grading.policies import DecayingAverage

    kinds = (_kind(before, "before"), _kind(after, "after"))
    if kinds[0] != kinds[1]:
        msg = (
            f"before is a {kinds[0]} and after a {kinds[1]}; compare two policies (letters "
            "from converter=) or two converters (under one policy)"
        )
        raise InvalidTypeError(msg)
    if converter is not None and not isinstance(converter, GradeConverter):
        msg = f"converter={converter!r} must be a grade converter, not {type(converter).__name__}"
        raise InvalidTypeError(msg)
    notes: list[str] = []
    policy: Any
    if kinds[0] == "converter":
        if converter is not None:
            msg = (
                "converter= gives the letters of two policies; before and after are converters "
                "here, so leave it out"
            )
            raise InvalidValueError(msg)
        policy = DecayingAverage()
        policies = (policy, policy)
        converters: tuple[Any, Any] | None = (before, after)
        notes.append(
            f"both sides use the policy {rule_label(policy)}: only the converter changes, so "
            "no target moves a student"
        )
    else:
        policy = None
        policies = (before, after)
        converters = None if converter is None else (converter, converter)
    same = _same(before, after)
    if same:
        notes.append(f"before and after are the same ({rule_label(before)}): nothing changes")
    table_before = results(policies[0])
    table_after = table_before if _same(policies[0], policies[1]) else results(policies[1])
    targets = table_before.targets
    values_before, values_after = _value_array(table_before), _value_array(table_after)
    letters: LetterColumns | None = None
    if converters is not None:
        grades_before = table_before.grades(converters[0], on_gap="ignore")
        grades_after = grades_before if same else table_after.grades(converters[1], on_gap="ignore")
        letters = letter_columns(grades_before, grades_after)
        for side, table in (("before", grades_before), ("after", grades_after)):
            if same and side == "after":
                break
            gaps = table._letters.count(NO_LETTER)
            if gaps:
                plural = "student gets" if gaps == 1 else "students get"
                notes.append(
                    f"{gaps} {plural} no letter {side}: no rule of the converter covers "
                    f"their results (counted as {NO_LETTER!r})"
                )
    groups = read_groups(by, table_before.students, table_before.student_attributes)
    if groups.missing:
        plural = "student has" if groups.missing == 1 else "students have"
        notes.append(f"{groups.missing} {plural} no group in by: counted in the group {MISSING!r}")
    columns = DiffColumns(
        students=table_before.students,
        targets=targets,
        values_before=values_before,
        values_after=values_after,
        levels_before=level_codes(values_before, targets)
        if len(values_before)
        else np.zeros(0, np.int64),
        levels_after=level_codes(values_after, targets)
        if len(values_after)
        else np.zeros(0, np.int64),
    )
    return PolicyDiff(
        before=rule_label(before),
        after=rule_label(after),
        converter=None if converter is None else rule_label(converter),
        policy=None if policy is None else rule_label(policy),
        columns=columns,
        letters=letters,
        groups=groups,
        notes=tuple(notes),
    )
