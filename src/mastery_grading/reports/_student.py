"""One student's page: the grade, and each target's level, evidence, chart and next step.

The page also says how the grade was decided and how the results were calculated.

The page is built from this student's evidence only (any other student's evidence given is
left out first), so it cannot show another student's name, id or numbers.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction

import attrs

from mastery_grading._numbers import exact, exact_mean
from mastery_grading.evidence import Evidence
from mastery_grading.grades import (
    INCOMPLETE,
    NO_LETTER,
    AverageCutoffs,
    GradeConverter,
    GradeReport,
    GradeReportLike,
    LetterRule,
    NextStep,
    RuleSet,
    grade,
)
from mastery_grading.policies._needed import needed
from mastery_grading.protocols import Policy
from mastery_grading.reports._chart import progress_points, progress_svg, progress_table
from mastery_grading.reports._i18n import Words
from mastery_grading.reports._page import badge, page, policy_words
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["StudentData", "letter_words", "policy_of", "student_data", "student_page"]

Policies = Policy | Mapping[str, Policy]

#: The multiplication sign of the worked example.
TIMES = "\u00d7"


def policy_of(policy: Policies, target_id: str) -> Policy:
    """The policy of one target: the policy, or its entry in a mapping by target id."""
    return policy[target_id] if isinstance(policy, Mapping) else policy


@attrs.frozen(kw_only=True)
class StudentData:
    """What one student's page is made from: their evidence, results and grade.

    Args:
        student_id: The student.
        evidence: The student's evidence (only theirs), oldest first.
        results: One result per target, in the targets' order.
        report: The grade report, ``None`` without a converter.
        exempt: The targets the student is exempt from.
    """

    student_id: str
    evidence: tuple[Evidence, ...]
    results: tuple[TargetResult, ...]
    report: GradeReportLike | None
    exempt: frozenset[str]


def student_data(
    student_id: str,
    evidence: Iterable[Evidence],
    targets: Sequence[LearningTarget],
    policy: Policies,
    converter: GradeConverter | None = None,
    *,
    as_of: datetime | None = None,
    exempt: Collection[str] = (),
) -> StudentData:
    """Return a student's evidence (theirs only), results and grade."""
    own = sorted(
        (
            e
            for e in evidence
            if e.student_id == student_id and (as_of is None or e.observed_at <= as_of)
        ),
        key=lambda e: e.observed_at,
    )
    results = tuple(
        policy_of(policy, target.id).evaluate([e for e in own if e.target_id == target.id], target)
        for target in targets
    )
    report = None
    if converter is not None:
        report = grade(results, converter, exempt=frozenset(exempt), on_gap="ignore")
    return StudentData(
        student_id=student_id,
        evidence=tuple(own),
        results=results,
        report=report,
        exempt=frozenset(exempt),
    )


def letter_words(letter: str, words: Words) -> str:
    """A letter as shown: the two non-letters ("Incomplete", "No letter") in words."""
    if letter == INCOMPLETE:
        return words("Incomplete")
    if letter == NO_LETTER:
        return words("No letter")
    return letter


def _rule_of(report: GradeReportLike, rule_set: RuleSet) -> LetterRule | None:
    """The rule that gave the letter: the one the report's ``decided_by`` (in English) names."""
    decided_by = getattr(report, "decided_by", None)
    return next((r for r in rule_set.rules if decided_by == f"rule {r.describe()}"), None)


def _decided(report: GradeReportLike, converter: GradeConverter | None, words: Words) -> str:
    if report.letter == INCOMPLETE:
        return words("The grade is not given yet: some learning targets have no evidence yet.")
    if report.letter == NO_LETTER:
        return words(
            "No rule of the grading scheme covers these results yet; talk with your teacher."
        )
    if isinstance(converter, AverageCutoffs) and isinstance(report, GradeReport):
        counted = [line for line in report.lines if line.counted_as is not None]
        values = [line.counted_as for line in counted if line.counted_as is not None]
        weights = [line.target.weight for line in counted] if converter.weighted else None
        average = exact_mean(values, weights) if values else Fraction(0)
        cutoffs = ", ".join(
            words("{letter} from {lower}", letter=c.letter, lower=words.number(c.lower))
            for c in converter.cutoffs
        )
        shown = words.number(float(average))
        if converter.weighted:
            return words(
                "The grade comes from the weighted average of your learning targets, "
                "{average}; the cutoffs are: {cutoffs}.",
                average=shown,
                cutoffs=cutoffs,
            )
        return words(
            "The grade comes from the average of your learning targets, {average}; "
            "the cutoffs are: {cutoffs}.",
            average=shown,
            cutoffs=cutoffs,
        )
    if isinstance(converter, RuleSet):
        letter_rule = _rule_of(report, converter)
        if letter_rule is not None:  # worded in the page's language, from the catalogue
            rule = words("rule {rule}", rule=letter_rule.describe(words))
            return words("The grade comes from this rule: {rule}.", rule=rule)
    rule = str(getattr(report, "decided_by", "") or "").rstrip(".")
    if not rule:
        return words("The grade comes from the grading scheme's rules.")
    return words("The grade comes from this rule: {rule}.", rule=rule)


def _step_sentence(
    result: TargetResult,
    history: Sequence[Evidence],
    policy: Policy,
    words: Words,
    plan: NextStep | None,
    goal_letter: str | None,
) -> str:
    """One next step, in one sentence."""
    target, scale = result.target, result.target.scale
    if result.value is None:
        return words("Show what you know on this target: there is no evidence on it yet.")
    to_value = scale.mastery
    if plan is not None and plan.to_value is not None:
        to_value = plan.to_value
    elif result.mastered:
        if result.value >= scale.max:
            return words("You have shown the highest level: keep it up.")
        return words("Mastered: a harder challenge can take you further.")
    answer = needed(history, target, policy, level=to_value)
    values = {
        "level": words.level(scale.level_of(to_value).name),
        "goal": words.number(to_value),
        "letter": goal_letter or "",
    }
    toward = plan is not None and goal_letter is not None
    if answer.score is not None:
        score = words.number(answer.score)
        if toward:
            return words(
                "A {score} on your next assessment brings it to {level} ({goal}), and the grade "
                "to {letter}.",
                score=score,
                **values,
            )
        return words(
            "A {score} on your next assessment brings it to {level} ({goal}).",
            score=score,
            **values,
        )
    if answer.count is not None:
        top = words.number(scale.max)
        if toward:
            return words(
                "{count} scores of {top} on your next assessments bring it to {level} ({goal}), "
                "and the grade to {letter}.",
                count=answer.count,
                top=top,
                **values,
            )
        return words(
            "{count} scores of {top} on your next assessments bring it to {level} ({goal}).",
            count=answer.count,
            top=top,
            **values,
        )
    return words(
        "New scores alone do not bring it to {level} ({goal}): talk with your teacher.", **values
    )


def _source(item: Evidence, context: str | None, contexts: Mapping[str, str], words: Words) -> str:
    parts = []
    if item.context is not None and item.context != context:
        parts.append(words("other course: {name}", name=contexts.get(item.context, item.context)))
    if item.source_id is not None:
        parts.append(words("assessment {name}", name=item.source_id))
    return "; ".join(parts) or words("this course")


def _breakable(text: str) -> str:
    """``text`` escaped, with a line break allowed after each ``:``, ``/``, ``_`` and ``.``.

    A source is an id of the gradebook (``quiz:904:question:55012``): on a phone it then wraps
    at its separators, where it would otherwise widen its column or be split mid-word.

    Example:
        >>> _breakable("quiz:904 <b>")
        'quiz:<wbr>904 &lt;b&gt;'
    """
    escaped = html.escape(text)
    for mark in ":/_.":
        escaped = escaped.replace(mark, mark + "<wbr>")
    return escaped


def _evidence_table(
    result: TargetResult, context: str | None, contexts: Mapping[str, str], words: Words
) -> str:
    esc = html.escape
    if not result.contributions:
        if result.value is None:
            return f"<p>{esc(words('No evidence yet.'))}</p>"
        return f"<p>{esc(words('No single score counted.'))}</p>"
    rows = "".join(
        f"<tr><td>{esc(words.date(c.evidence.observed_at.date()))}</td>"
        f"<td>{esc(words.number(c.evidence.score))}</td>"
        f"<td>{esc(words.percent(c.weight))}</td>"
        f"<td>{_breakable(_source(c.evidence, context, contexts, words))}</td></tr>"
        for c in sorted(result.contributions, key=lambda c: c.evidence.observed_at)
    )
    return (
        '<div class="scroll">'
        f'<table class="evidence"><caption>{esc(words("Evidence that counted"))}</caption>'
        f'<thead><tr><th scope="col">{esc(words("Date"))}</th>'
        f'<th scope="col">{esc(words("Score"))}</th>'
        f'<th scope="col">{esc(words("Weight"))}</th>'
        f'<th scope="col">{esc(words("Source"))}</th></tr></thead><tbody>{rows}</tbody></table>'
        "</div>"
    )


def _worked_example(results: Sequence[TargetResult], words: Words) -> str:
    """A weighted sum from the student's own numbers, for the first result that is one."""
    for result in results:
        if result.value is None or not result.contributions:
            continue
        ordered = sorted(result.contributions, key=lambda c: c.evidence.observed_at)
        total = sum((exact(c.weight) * exact(c.evidence.score) for c in ordered), Fraction(0))
        if abs(total - exact(result.value)) > Fraction(1, 10**6):
            continue
        formula = " + ".join(
            f"{words.percent(c.weight)} {TIMES} {words.number(c.evidence.score)}" for c in ordered
        )
        example = words(
            "For example, on “{target}”: {formula} = {value}.",
            target=result.target.title,
            formula=formula,
            value=words.number(result.value),
        )
        return example.replace("….", "…")  # a cut value ends the sentence itself
    return words("The evidence that counted for each target is listed with its weight.")


def student_page(
    data: StudentData,
    targets_policy: Policies,
    words: Words,
    *,
    converter: GradeConverter | None = None,
    name: str | None = None,
    course: str | None = None,
    context: str | None = None,
    contexts: Mapping[str, str] | None = None,
    generated: date | None = None,
) -> str:
    """Return the HTML page of one student.

    See :func:`~mastery_grading.reports.student_report_html`.
    """
    esc = html.escape
    names = contexts or {}
    who = name or data.student_id
    heading = words("Progress report: {name}", name=who)
    meta = [course] if course else []
    if generated is not None:
        meta.append(words("Prepared on {date}", date=words.date(generated)))
    body = [f"<h1>{esc(heading)}</h1>"]
    if meta:
        body.append(f'<p class="meta">{esc(" · ".join(meta))}</p>')
    plans: dict[str, NextStep] = {}
    goal_letter = None
    if data.report is not None:
        report = data.report
        body.append(
            f'<section class="grade"><h2>{esc(words("Course grade"))}</h2>'
            f'<p class="letter">{esc(letter_words(report.letter, words))}</p>'
            f"<p>{esc(_decided(report, converter, words))}</p></section>"
        )
        if isinstance(report, GradeReport) and report.letter not in {INCOMPLETE, NO_LETTER}:
            steps = report.next_steps(evidence=data.evidence)
            goal_letter = steps.goal
            plans = {step.target.id: step for step in steps}
    counted = [r for r in data.results if r.target.id not in data.exempt]
    mastered = sum(1 for r in counted if r.mastered)
    summary = words(
        "{count} of {total} learning targets mastered", count=mastered, total=len(counted)
    )
    body.append(f'<p class="summary">{esc(summary)}</p>')
    for number, result in enumerate(data.results, start=1):
        target = result.target
        policy = policy_of(targets_policy, target.id)
        history = [e for e in data.evidence if e.target_id == target.id]
        statement = f"<p>{esc(target.statement)}</p>" if target.statement else ""
        if target.id in data.exempt:
            step = words("You are exempt from this target: it does not count toward the grade.")
        else:
            step = _step_sentence(result, history, policy, words, plans.get(target.id), goal_letter)
        value = (
            words("no value yet")
            if result.value is None
            else words(
                "{value} of {max}",
                value=words.number(result.value),
                max=words.number(target.scale.max),
            )
        )
        points = progress_points(history, target, policy)
        chart = ""
        if points:  # the table follows its (empty) disclosure: see NUMBERS in _page
            chart = (
                progress_svg(points, target, words, key=str(number))
                + f'<details class="numbers"><summary>{esc(words("The numbers of the chart"))}'
                + f'</summary></details><div class="numbers">{progress_table(points, words)}</div>'
            )
        body.append(
            f'<section class="target" id="target-{number}"><h2>{esc(target.title)}</h2>'
            f"{statement}<p>{esc(words('Level'))}: {badge(result, words)} · "
            f"{esc(words('Result'))}: {esc(value)}</p>"
            f'<p class="next-step"><strong>{esc(words("Next step"))}:</strong> {esc(step)}</p>'
            f"{chart}{_evidence_table(result, context, names, words)}</section>"
        )
    described = sorted(
        {policy_words(policy_of(targets_policy, r.target.id), words) for r in data.results}
    )
    body.append(
        f'<section class="how"><h2>{esc(words("How this was calculated"))}</h2>'
        f"<p>{esc(words('Each result is {policy}.', policy='; '.join(described)))} "
        f"{esc(_worked_example(data.results, words))}</p></section>"
    )
    return page(heading, "".join(body), words)
