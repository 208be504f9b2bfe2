"""The public contracts, followed by shape: policies, incremental policies, grade converters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

from mastery_grading.evidence import Evidence
from mastery_grading.results import TargetResult
from mastery_grading.targets import LearningTarget

__all__ = ["Claim", "GradeConverter", "GradeReportLike", "IncrementalPolicy", "Policy"]

#: The name of a fairness axiom that a policy or a grade converter can claim, in its ``claims``
#: (``claims: frozenset[Claim]``). The first fourteen are the policy axioms; ``monotone`` is
#: shared by converters, whose own are ``complete`` and ``unambiguous``. The precise definitions
#: are in :mod:`mastery_grading.fairness.axioms`; ``typing.get_args(Claim)`` lists them all.
Claim = Literal[
    "bounded",
    "within_observed_range",
    "unanimity",
    "monotone",
    "order_free",
    "time_shift_invariant",
    "no_retake_penalty",
    "improvement_credit",
    "recency",
    "recency_sensitive",
    "formative_neutral",
    "deterministic",
    "target_independent",
    "correct_never_lowers",
    "complete",
    "unambiguous",
]


@runtime_checkable
class Policy(Protocol):
    """**Protocol:** turns one student's evidence on one target into a :class:`TargetResult`.

    Any object with this ``evaluate`` method is a policy; no base class is needed. The contract:

    - **Input.** ``evidence`` is every piece of evidence of one student on ``target``, in any
      order. Evidence for another target raises
      :class:`~mastery_grading.exceptions.TargetMismatchError`, and a score outside the target's
      scale raises :class:`~mastery_grading.exceptions.ScoreOutOfScaleError`.
    - **Order.** Evidence is put in chronological order with
      :func:`~mastery_grading.chronological_key`, never taken in input order, so any
      permutation of the input gives the same result.
    - **Empty history.** No evidence gives ``value=None`` with ``reason="no evidence"``.
    - **Output.** A value on the target's scale, or ``None`` with a reason; never a silent 0.
      The result lists the evidence that counted as ``contributions``, oldest first.
    - **Purity.** Evaluating never mutates the policy or its input. Policies are frozen attrs
      classes whose fields are their parameters, so equal configurations compare equal.

    Example:
        >>> from mastery_grading import Policy, policies
        >>> isinstance(policies.MostRecent(), Policy)
        True
    """

    def evaluate(self, evidence: Iterable[Evidence], target: LearningTarget) -> TargetResult:
        """Return the result of this policy for ``evidence`` on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget, policies
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target = LearningTarget(id="T", title="Ratios")
            >>> policies.Highest().evaluate(scores_to_history([2, 3.5, 3]), target).value
            3.5
        """
        ...


@runtime_checkable
class IncrementalPolicy(Policy, Protocol):
    """**Protocol:** a policy that folds evidence into a running state one piece at a time.

    The contract, on top of :class:`Policy`:

    - ``start(target)`` returns the state before any evidence; ``update(state, evidence)``
      returns a new state (the old one is unchanged: states are frozen values) and
      ``result(state)`` the :class:`~mastery_grading.TargetResult`.
    - ``result`` after updates with any evidence, in any order, equals ``evaluate`` on the same
      evidence: the value within 1e-9, the same ``None``-ness, level and mastery.
    - ``update`` with evidence that arrives in time order costs O(1); late evidence costs at
      most a recomputation from the retained history, and is never wrong.
    - A state belongs to one student on one target: ``update`` with evidence of another target
      than ``start``'s, or of another student than the evidence already folded in, raises
      :class:`~mastery_grading.exceptions.TargetMismatchError` naming both.
    - States of any length can be printed, compared, pickled and deep-copied (the built-ins
      keep their history in a flat :class:`~mastery_grading.policies.History`, not a linked
      list).

    Built-ins that follow it: ``Mean``, ``MostRecent``, ``DecayingAverage``, ``Highest``,
    ``NTimes`` and ``WeightedAverage``. Windowed policies (``MeanOfRecent``, ...), the median
    and the mode do not: their state would not be O(1).

    Example:
        >>> from mastery_grading.policies import Mean
        >>> from mastery_grading.protocols import IncrementalPolicy
        >>> isinstance(Mean(), IncrementalPolicy)
        True
    """

    def start(self, target: LearningTarget) -> Any:
        """Return the state before any evidence on ``target``.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Highest
            >>> state = Highest().start(LearningTarget(id="T", title="Ratios"))
            >>> Highest().result(state).reason
            'no evidence'
        """
        ...

    def update(self, state: Any, evidence: Evidence) -> Any:
        """Return the state with ``evidence`` folded in.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Highest
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> policy, state = Highest(), Highest().start(LearningTarget(id="T", title="Ratios"))
            >>> for evidence in scores_to_history([2, 3.5, 3]):
            ...     state = policy.update(state, evidence)
            >>> policy.result(state).value
            3.5
        """
        ...

    def result(self, state: Any) -> TargetResult:
        """Return the result of the state.

        Example:
            >>> from mastery_grading import LearningTarget
            >>> from mastery_grading.policies import Mean
            >>> from mastery_grading.testing.examples import scores_to_history
            >>> target, policy = LearningTarget(id="T", title="Ratios"), Mean()
            >>> state = policy.start(target)
            >>> for evidence in scores_to_history([2, 4]):
            ...     state = policy.update(state, evidence)
            >>> policy.result(state) == policy.evaluate(scores_to_history([2, 4]), target)
            True
        """
        ...


# --------------------------------------------------------------------------------------------
# Grade converters


@runtime_checkable
class GradeReportLike(Protocol):
    """**Protocol:** what a grade converter returns: at least the letter it gives.

    The built-in converters return a :class:`~mastery_grading.grades.GradeReport` (the letter,
    what decided it, one line per target, and next steps), which follows this protocol. The
    contract is only the ``letter`` so that a converter of your own may return any report
    with one. ``protocols`` is the bottom layer of the library and names no class of
    :mod:`mastery_grading.grades`; this protocol is how it describes a report.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, results_from_scores
        >>> from mastery_grading.protocols import GradeReportLike
        >>> report = AverageCutoffs.marzano_2010().convert(results_from_scores({"T": 3.0}))
        >>> isinstance(report, GradeReportLike), report.letter
        (True, 'A')
    """

    @property
    def letter(self) -> str:
        """The letter given, one of the converter's ``letters`` or ``"Incomplete"``."""
        ...


@runtime_checkable
class GradeConverter(Protocol):
    """**Protocol:** turns one student's target results into a course grade.

    Any object with these members is a converter; no base class is needed. The contract:

    - **Letters.** ``letters`` lists every letter the converter gives, best first.
    - **Input.** ``convert(results)`` takes one :class:`~mastery_grading.TargetResult` per
      target of one student, in any order. Only the targets present are graded; a result with
      ``value=None`` (no evidence yet) is handled by the converter's explicit choice (the
      built-ins take ``missing="incomplete" | "not_yet" | "exclude"``), never silently as 0.
    - **Output.** ``convert`` returns a report (:class:`GradeReportLike`) whose ``letter`` is
      one of ``letters``, or ``"Incomplete"`` when no letter can be given yet. A profile the
      converter cannot grade (a gap or an overlap of a rule set) raises
      :class:`~mastery_grading.exceptions.InvalidValueError`, never a guessed letter.
    - **Claims.** ``claims`` names which of ``"monotone"`` (raising one target never lowers the
      letter), ``"complete"`` (every profile gets a letter) and ``"unambiguous"`` (no profile
      gets two) truly hold; :func:`mastery_grading.testing.check_converter` tests them.
    - **Value.** The converter is a frozen value, so equal configurations compare equal, and
      ``to_spec()`` returns a JSON-safe dict that rebuilds it (for the built-ins, with
      :func:`mastery_grading.grades.converter_from_spec`).
    - **Purity.** Converting never mutates the converter or its input.

    The built-ins (:class:`~mastery_grading.grades.AverageCutoffs`,
    :class:`~mastery_grading.grades.RuleSet`) follow it and return a full
    :class:`~mastery_grading.grades.GradeReport`.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs, RuleSet
        >>> from mastery_grading.protocols import GradeConverter
        >>> isinstance(AverageCutoffs.marzano_2010(), GradeConverter)
        True
        >>> isinstance(RuleSet.sbgrader2(), GradeConverter)
        True
    """

    @property
    def letters(self) -> tuple[str, ...]:
        """Every letter the converter gives, best first.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs
            >>> AverageCutoffs.marzano_2010().letters
            ('A', 'B', 'C', 'D', 'F')
        """
        ...

    @property
    def claims(self) -> frozenset[Claim]:
        """The properties (``monotone``, ``complete``, ``unambiguous``) that hold.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs
            >>> sorted(AverageCutoffs.marzano_2010().claims)
            ['complete', 'monotone', 'unambiguous']
        """
        ...

    def convert(self, results: Iterable[TargetResult]) -> GradeReportLike:
        """Return the grade report of one student's results, one result per target.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs, results_from_scores
            >>> results = results_from_scores({"LE.1": 3.0, "LE.2": 2.0})
            >>> AverageCutoffs.marzano_2010().convert(results).letter
            'B'
        """
        ...

    def to_spec(self) -> Mapping[str, object]:
        """Return the JSON-safe spec of the converter.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs
            >>> AverageCutoffs.percent().to_spec()["converter"]
            'average_cutoffs'
        """
        ...
