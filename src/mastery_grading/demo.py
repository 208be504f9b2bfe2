"""``make demo``: grade the bundled example class under two policies and print the result.

Run it with ``python -m mastery_grading.demo``. For each student it prints a table of targets with
the level and value under :class:`~mastery_grading.policies.Mean` and under
:class:`~mastery_grading.policies.DecayingAverage`, then how many targets each policy calls
mastered. Values are shown to 2 decimals with
the library's display rule for tables (3.625 shows as 3.63); levels come from the
unrounded value.

Example:
    >>> from mastery_grading.demo import render
    >>> print(render(students=["devon"]))  # doctest: +NORMALIZE_WHITESPACE
    Unit 2: Linear equations
    ...
    devon
      target  title                         Mean               DecayingAverage(rate=0.65)
      LE.1    Solve one-step equations      2.40 approaching   3.61 meets
    ...
      mastered                              0 of 5             5 of 5
    ...
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from mastery_grading._numbers import fmt_fixed
from mastery_grading.examples import ExampleClass, load_example_class
from mastery_grading.policies import DecayingAverage, Mean
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult

__all__ = ["main", "render"]


def _cell(result: TargetResult) -> str:
    """Return the value to 2 decimals, halves rounded up as the library displays them, and level.

    ``f"{value:.2f}"`` would round the binary float half to even, showing 3.625 as 3.62; the
    library's display rule for tables (``fmt_fixed`` of the one number rule) shows 3.63.
    """
    if result.value is None or result.level is None:
        return f"-- ({result.reason})"
    return f"{fmt_fixed(result.value, 2)} {result.level.name}"


def _student_block(example: ExampleClass, student: str, policies: Sequence[Policy]) -> list[str]:
    names = [repr(p) if p != Mean() else "Mean" for p in policies]
    widths = (8, 30, 19)
    head = f"  {'target':<{widths[0]}}{'title':<{widths[1]}}"
    head += "".join(f"{name:<{widths[2]}}" for name in names)
    lines = [student, head.rstrip()]
    mastered = [0] * len(policies)
    for target in example.targets:
        evidence = example.evidence_of(student, target.id)
        row = f"  {target.id:<{widths[0]}}{target.title:<{widths[1]}}"
        for i, policy in enumerate(policies):
            result = policy.evaluate(evidence, target)
            mastered[i] += result.mastered
            row += f"{_cell(result):<{widths[2]}}"
        lines.append(row.rstrip())
    total = len(example.targets)
    summary = f"  {'mastered':<{widths[0] + widths[1]}}"
    summary += "".join(f"{f'{m} of {total}':<{widths[2]}}" for m in mastered)
    lines.append(summary.rstrip())
    return lines


def render(students: Sequence[str] | None = None) -> str:
    """Return the demo report for the given students (all students by default)."""
    example = load_example_class()
    policies: list[Policy] = [Mean(), DecayingAverage(rate=0.65)]
    lines = [example.unit, "=" * len(example.unit), ""]
    for student in students or example.student_ids:
        lines += [*_student_block(example, student, policies), ""]
    lines.append(
        "devon is the late bloomer: the mean still counts his first attempts, so it reports "
        "where he was; the decaying average reports where he is now."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the demo report; optional arguments restrict it to the named students."""
    args = list(sys.argv[1:] if argv is None else argv)
    print(render(args or None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
