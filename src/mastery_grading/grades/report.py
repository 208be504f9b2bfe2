"""Grade reports: the letter, what decided it, each target's line, and the next steps.

Next steps answer "what is the least I could improve to reach the next letter?". The answer is
made precise as follows. A *plan* raises some counted targets to higher values. Raised values
are taken from the converter's candidates: the thresholds its rules use (a
:class:`~mastery_grading.grades.RuleSet`), or the points of the target's scale grid, its
``step`` or else a hundredth of its range (:class:`~mastery_grading.grades.AverageCutoffs`). A
plan *reaches* the next letter when converting the raised results gives that letter or a better
one. Among the plans that reach it, the smallest is the one with

1. the fewest targets changed, then
2. the smallest total raise (the sum of ``new - old`` over the changed targets, in scale
   points, unweighted), then
3. the lowest current values (bring up the weakest targets first: the current values of the
   changed targets, sorted ascending, compared lexicographically), then
4. the changed targets that come earliest in the input order (sorted positions compared
   lexicographically), then
5. the smaller new values, in input order.

The search is exact: it enumerates plans by the number of targets changed, treating targets
the converter cannot tell apart (same value and weight for an average; same band and tag group
for a rule set) as interchangeable. For an unweighted average (or equal weights) only the
total raise matters, so it enumerates which targets to change and computes the smallest total
raise directly; the extra raise beyond each target's next grid point goes to the targets
latest in input order first (rule 5). The search stops after ``budget`` evaluations; the
answer then says it may not be the smallest (``minimal=False``).
"""

from __future__ import annotations

import html
import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import attrs

from mastery_grading._numbers import fmt, read_value
from mastery_grading.evidence import Evidence
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.grades._decider import INCOMPLETE, NO_LETTER, Counted, Decider, Plan
from mastery_grading.policies._goal import goal_text
from mastery_grading.policies._needed import Needed, needed
from mastery_grading.protocols import Policy
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["GradeReport", "NextStep", "NextSteps", "TargetLine"]

#: How many letter evaluations the next-step search may spend by default.
DEFAULT_BUDGET = 20_000


@attrs.frozen(kw_only=True)
class TargetLine:
    """One target in a grade report: its result, its level and what it counted as.

    Args:
        result: The target's result.
        counted_as: The value that counted toward the grade, or ``None`` when it did not count.
        note: How a missing result was handled, if it was missing (or that it is exempt).
        exempt: Whether the student is exempt from the target: left out of the grade, with or
            without evidence.

    Example:
        >>> from mastery_grading.grades import results_from_scores
        >>> line = TargetLine(result=results_from_scores({"LE.1": 2.5})[0], counted_as=2.5)
        >>> line.level, line.value
        ('approaching', 2.5)
    """

    result: TargetResult
    counted_as: float | None
    note: str | None = None
    exempt: bool = False

    @property
    def target(self) -> LearningTarget:
        """The learning target."""
        return self.result.target

    @property
    def value(self) -> float | None:
        """The result's value, ``None`` when there is none yet."""
        return self.result.value

    @property
    def level(self) -> str | None:
        """The name of the level reached, ``None`` when there is no value yet."""
        return None if self.result.level is None else self.result.level.name


@attrs.frozen(kw_only=True)
class NextStep:
    """One improvement of a plan: a target, where it is, and where it needs to get.

    Args:
        target: The target to improve.
        from_value: Its current value, ``None`` when it has no result yet.
        to_value: The value to reach, ``None`` when the step is to show any evidence at all.
        counted_as: For a target without a result that counts anyway (``missing="not_yet"``),
            the value it counts as until there is evidence.
        needed: What the next assessment must give to reach ``to_value``
            (:func:`~mastery_grading.needed`), when the student's evidence was given to
            :meth:`GradeReport.next_steps`; the step then says it.

    Example:
        >>> from mastery_grading import LearningTarget
        >>> target = LearningTarget(id="LE.1", title="Solve linear equations")
        >>> print(NextStep(target=target, from_value=2.5, to_value=3.0))
        bring 'Solve linear equations' from approaching (2.5) to meets (3.0)
        >>> print(NextStep(target=target, from_value=None, to_value=3.0, counted_as=0.0))
        show what you know on 'Solve linear equations', at meets (3.0) or above: there is no evidence on it yet, so for now it counts as not yet (0.0)

        With what the next assessment must give (see :func:`~mastery_grading.needed`):

        >>> from mastery_grading import needed, policies
        >>> from mastery_grading.testing.examples import scores_to_history
        >>> answer = needed(scores_to_history([2.0, 2.5], target_id="LE.1"), target,
        ...                 policies.DecayingAverage(), level=3.0)
        >>> print(NextStep(target=target, from_value=2.325, to_value=3.0, needed=answer))
        a 3.5 on your next assessment of 'Solve linear equations' brings it to meets (3.0), up from 2.325
    """  # noqa: E501

    target: LearningTarget
    from_value: float | None
    to_value: float | None
    counted_as: float | None = None
    needed: Needed | None = None

    @property
    def text(self) -> str:
        """The step in words, with the target's student-friendly statement when it has one."""
        name = self.target.display_name
        scale = self.target.scale
        if self.to_value is None:
            return f"show evidence on '{name}': there is no result on it yet"
        to_part = f"{scale.level_of(self.to_value).name} ({fmt(self.to_value)})"
        if self.from_value is None:
            low = scale.min if self.counted_as is None else self.counted_as
            now = f"{scale.level_of(low).name} ({fmt(low)})"
            if scale.level_of(self.to_value) == scale.level_of(low):
                to_part = f"{fmt(self.to_value)}"  # same level name: the number says it
            return (
                f"show what you know on '{name}', at {to_part} or above: there is no evidence "
                f"on it yet, so for now it counts as {now}"
            )
        from_part = f"{scale.level_of(self.from_value).name} ({fmt(self.from_value)})"
        plan = f"bring '{name}' from {from_part} to {to_part}"
        answer = self.needed
        if answer is None:
            return plan
        goal = f"{goal_text(scale, self.to_value)}, up from {fmt(self.from_value)}"
        if answer.score is not None:
            return f"a {fmt(answer.score)} on your next assessment of '{name}' brings it to {goal}"
        if answer.count is not None:
            return (
                f"{answer.count} scores of {fmt(scale.max)} on your next assessments of "
                f"'{name}' bring it to {goal}"
            )
        return f"{plan}: new scores alone do not get it there; talk with your teacher"

    def __str__(self) -> str:
        return self.text


@attrs.frozen(kw_only=True)
class NextSteps:
    """The smallest plan that raises a grade to the next letter (see the module docs).

    Args:
        letter: The current letter.
        goal: The next better letter, ``None`` when the letter is already the best one, or a
            letter is not given yet (``"Incomplete"``, or ``"No letter"`` for a gap).
        steps: The improvements, in input order of their targets.
        reachable: Whether raising the counted targets can reach ``goal`` at all.
        minimal: Whether the search finished, so that the plan is the smallest one.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
        >>> report = grade(results_from_scores({"LE.1": 2.5, "LE.2": 3.0}),
        ...                AverageCutoffs.marzano_2010())
        >>> print(report.next_steps())
        Next letter: A. Bring 'LE.1' from approaching (2.5) to meets (3.0).
    """

    letter: str
    goal: str | None
    steps: tuple[NextStep, ...]
    reachable: bool = True
    minimal: bool = True

    def __iter__(self) -> Iterator[NextStep]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def text(self) -> str:
        """The plan in words, in "not yet" language."""
        if self.letter == INCOMPLETE:
            listed = "; ".join(step.text for step in self.steps)
            return f"The grade is not given yet. Next: {listed}."
        if self.letter == NO_LETTER:
            return (
                "No rule of the grading scheme covers these results yet, so there is no "
                "letter; talk with your teacher."
            )
        if self.goal is None:
            return f"{self.letter} is the highest letter. Keep showing what you know."
        if not self.reachable:
            return (
                f"Next letter: {self.goal}. Raising the results you have does not reach it "
                "yet; talk with your teacher about the targets that are left out."
            )
        if not self.steps:
            return f"Next letter: {self.goal}. No plan was found within the search budget yet."
        listed = "; ".join(step.text for step in self.steps)
        listed = listed[:1].upper() + listed[1:]  # a sentence after the full stop
        caveat = "" if self.minimal else " (a plan, possibly not the smallest one)"
        return f"Next letter: {self.goal}{caveat}. {listed}."

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(step.text)}</li>" for step in self.steps)
        head = html.escape(self.text if not self.steps else self.text.split(". ", 1)[0] + ".")
        return f"<div><p>{head}</p><ul>{items}</ul></div>" if items else f"<p>{head}</p>"


@attrs.frozen(kw_only=True)
class GradeReport:
    """The grade of one student: the letter, what decided it, and one line per target.

    Build it with :func:`~mastery_grading.grades.grade` or a converter's ``convert``.

    Args:
        letter: The letter, ``"Incomplete"``, or ``"No letter"`` when no rule covers the
            results and the conversion was asked not to raise (``on_gap``).
        decided_by: The rule or interval that decided the letter, in words.
        results: The results converted, in input order.
        lines: One line per result, in input order (exempt targets too, marked ``exempt``).
        converter: The converter that made the report.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
        >>> report = grade(results_from_scores({"LE.1": 2.5, "LE.2": 3.0}),
        ...                AverageCutoffs.marzano_2010())
        >>> report.letter, report.decided_by
        ('B', 'average 2.75 lies in [2.5, 3.0): B')
        >>> print(report)
        Grade: B (average 2.75 lies in [2.5, 3.0): B)
          LE.1  2.5  approaching
          LE.2  3.0  meets
    """

    letter: str
    decided_by: str
    results: tuple[TargetResult, ...]
    lines: tuple[TargetLine, ...]
    converter: Decider = attrs.field(repr=False)

    @property
    def exempt(self) -> tuple[str, ...]:
        """The ids of the targets the student is exempt from, in input order.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
            >>> report = grade(results_from_scores({"LE.1": 3.0, "LE.2": None}),
            ...                AverageCutoffs.marzano_2010(), exempt={"LE.2"})
            >>> report.letter, report.exempt
            ('A', ('LE.2',))
        """
        return tuple(line.target.id for line in self.lines if line.exempt)

    def next_steps(
        self, *, budget: int = DEFAULT_BUDGET, evidence: Iterable[Evidence] | None = None
    ) -> NextSteps:
        """Return the smallest set of improvements that raises the grade to the next letter.

        "Smallest" is defined in :mod:`mastery_grading.grades.report`: fewest targets changed,
        then smallest total raise, then the weakest targets first, then input order. When the
        grade is ``"Incomplete"``, the steps are to show evidence on each target without a
        result.

        Given the student's ``evidence``, each step that raises a result also says what the
        next assessment must give, with the policy that computed the result:
        :func:`~mastery_grading.needed` with the step's value as the goal ("a 3.5 on your next
        assessment of 'Slope' brings it to meets (3.0), up from 2.5"; or how
        many scores at the top of the scale; or that new scores alone do not get there).

        Args:
            budget: How many letter evaluations the search may spend.
            evidence: The student's evidence (on any targets; other students' is left out),
                the evidence the results were computed from.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs, grade, results_from_scores
            >>> report = grade(results_from_scores({"LE.1": 2.0, "LE.2": 2.5, "LE.3": 3.5}),
            ...                AverageCutoffs.marzano_2010())
            >>> [step.text for step in report.next_steps()]
            ["bring 'LE.1' from approaching (2.0) to meets (3.0)"]

            With the evidence, a step says what the next assessment must give:

            >>> from mastery_grading import LearningTarget, policies
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> slope = LearningTarget(id="S", title="Slope")
            >>> history = scores_to_history([1.5, 2.5], target_id="S")
            >>> results = [policies.DecayingAverage().evaluate(history, slope)]
            >>> report = grade(results, AverageCutoffs.marzano_2010())
            >>> print(report.next_steps(evidence=history))
            Next letter: B. A 3.0 on your next assessment of 'Slope' brings it to 2.5 (approaching), up from 2.15.
        """  # noqa: E501
        if budget < 1:
            msg = f"budget={budget!r} must be at least 1"
            raise InvalidValueError(msg)
        if self.letter == INCOMPLETE:
            steps = tuple(
                NextStep(target=line.target, from_value=None, to_value=None)
                for line in self.lines
                if line.value is None and not line.exempt
            )
            return NextSteps(letter=self.letter, goal=None, steps=steps)
        if self.letter == NO_LETTER:
            return NextSteps(letter=self.letter, goal=None, steps=())
        letters: tuple[str, ...] = self.converter.letters
        rank = letters.index(self.letter)
        if rank == 0:
            return NextSteps(letter=self.letter, goal=None, steps=())
        goal = letters[rank - 1]
        counted = _counted_of(self)
        found = self.converter._plan(counted, rank - 1, budget)
        if found is None:
            found = _search(self.converter, counted, rank - 1, budget)
        plan, reachable, minimal = found
        steps = tuple(
            NextStep(
                target=item.result.target,
                from_value=item.result.value,
                to_value=float(new),
                counted_as=float(item.value) if item.result.value is None else None,
            )
            for item, new in sorted(plan or [], key=lambda pair: pair[0].position)
        )
        if evidence is not None:
            steps = _with_needed(steps, self.results, evidence)
        return NextSteps(
            letter=self.letter, goal=goal, steps=steps, reachable=reachable, minimal=minimal
        )

    def __str__(self) -> str:
        width = max((len(line.target.id) for line in self.lines), default=0)
        rows = [f"Grade: {self.letter} ({self.decided_by})"]
        for line in self.lines:
            value = "-" if line.value is None else fmt(line.value)
            level = "exempt" if line.exempt else line.level or "no result yet"
            note = f"  [{line.note}]" if line.note else ""
            rows.append(f"  {line.target.id:<{width}}  {value}  {level}{note}")
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(
            "<tr>"
            f"<td>{e(line.target.id)}</td><td>{e(line.target.display_name)}</td>"
            f"<td>{'' if line.value is None else e(fmt(line.value))}</td>"
            f"<td>{e('exempt' if line.exempt else line.level or 'no result yet')}</td>"
            f"<td>{e(line.note or '')}</td>"
            "</tr>"
            for line in self.lines
        )
        return (
            f"<div><p><strong>Grade: {e(self.letter)}</strong> ({e(self.decided_by)})</p>"
            "<table><thead><tr><th>target</th><th>statement</th><th>value</th><th>level</th>"
            f"<th>note</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )


def _with_needed(
    steps: tuple[NextStep, ...], results: Sequence[TargetResult], evidence: Iterable[Evidence]
) -> tuple[NextStep, ...]:
    """The steps that raise a result, each with what the next assessment must give."""
    students = {r.student_id for r in results if r.student_id is not None}
    by_target: dict[str, list[Evidence]] = {}
    for item in evidence:
        if not students or item.student_id in students:
            by_target.setdefault(item.target_id, []).append(item)
    policy_of = {r.target.id: r.policy for r in results}
    out = []
    for step in steps:
        policy = policy_of.get(step.target.id)
        history = by_target.get(step.target.id)
        raises = step.from_value is not None and step.to_value is not None
        if raises and history and isinstance(policy, Policy):
            answer = needed(history, step.target, policy, level=step.to_value)
            step = attrs.evolve(step, needed=answer)
        out.append(step)
    return tuple(out)


def _counted_of(report: GradeReport) -> tuple[Counted, ...]:
    return tuple(
        Counted(position=position, result=line.result, value=read_value(line.counted_as))
        for position, line in enumerate(report.lines)
        if line.counted_as is not None
    )


def _rank(converter: Decider, items: Sequence[Counted]) -> int | None:
    try:
        letter, _ = converter._decide(items)
    except InvalidValueError:  # a gap or an overlap of a rule set: no letter
        return None
    return converter.letters.index(letter)


def _reaches(converter: Decider, items: Sequence[Counted], goal_rank: int) -> bool:
    rank = _rank(converter, items)
    return rank is not None and rank <= goal_rank


def _search(
    converter: Decider, counted: tuple[Counted, ...], goal_rank: int, budget: int
) -> tuple[Plan, bool, bool]:
    """Return (plan, reachable, minimal) for the smallest plan reaching ``goal_rank``."""
    classes: dict[Hashable, list[Counted]] = {}
    for item in counted:
        classes.setdefault(converter._interchange_key(item), []).append(item)
    candidates: dict[Hashable, tuple[Fraction, ...]] = {}
    for key, members in classes.items():
        members.sort(key=lambda item: (-item.value, item.position))
        candidates[key] = tuple(sorted(set(converter._raise_candidates(members[0]))))
    full = [
        attrs.evolve(
            item, value=max(candidates[converter._interchange_key(item)], default=item.value)
        )
        for item in counted
    ]
    if not _reaches(converter, full, goal_rank):
        return None, False, True
    moves = [(key, value) for key, values in candidates.items() for value in values]
    evaluations = 0
    for size in range(1, len(counted) + 1):
        best: tuple[Any, ...] | None = None
        for combo in itertools.combinations_with_replacement(range(len(moves)), size):
            per_class = Counter(moves[i][0] for i in combo)
            if any(count > len(classes[key]) for key, count in per_class.items()):
                continue
            plan: list[tuple[Counted, Fraction]] = []
            for key, count in per_class.items():
                new_values = sorted(
                    (moves[i][1] for i in combo if moves[i][0] == key), reverse=True
                )
                plan.extend(zip(classes[key][:count], new_values, strict=True))
            evaluations += 1
            if evaluations > budget:
                return (best[-1] if best else None), True, False
            raised = {item.position: new for item, new in plan}
            items = [
                attrs.evolve(item, value=raised[item.position]) if item.position in raised else item
                for item in counted
            ]
            if not _reaches(converter, items, goal_rank):
                continue
            ordered = sorted(plan, key=lambda pair: pair[0].position)
            key_ = (
                sum((new - item.value for item, new in plan), Fraction(0)),
                tuple(sorted(item.value for item, _ in plan)),
                tuple(item.position for item, _ in ordered),
                tuple(new for _, new in ordered),
            )
            if best is None or key_ < best[:4]:
                best = (*key_, plan)
        if best is not None:
            return best[-1], True, True
    return None, True, True  # pragma: no cover - the full raise reaches the goal
