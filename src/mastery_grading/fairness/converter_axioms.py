"""The grade-converter axioms: promises a rule from results to a letter can make.

A grade converter (``convert(results)`` giving a report with a ``letter``, and ``letters``
best first) can claim ``monotone``, ``complete`` and ``unambiguous``. Each axiom checks one
:class:`~mastery_grading.fairness.cases.ConverterCase` and returns ``None`` when it holds there,
or a counterexample in words. :data:`CONVERTER_AXIOMS` lists them.

Example:
    >>> list(CONVERTER_AXIOMS)
    ['monotone', 'complete', 'unambiguous']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, Protocol, runtime_checkable

import attrs

from mastery_grading.exceptions import OverlapError
from mastery_grading.fairness._common import EvaluationError, score_text, toward_top
from mastery_grading.fairness.cases import ConverterCase
from mastery_grading.protocols import Claim
from mastery_grading.results import TargetResult

__all__ = [
    "CONVERTER_AXIOMS",
    "INCOMPLETE",
    "ConverterAxiom",
    "ConverterComplete",
    "ConverterMonotone",
    "ConverterUnambiguous",
    "LetterConverter",
]

#: The letter a converter may give when evidence is missing, besides its ``letters``.
INCOMPLETE = "Incomplete"


@runtime_checkable
class LetterConverter(Protocol):
    """**Protocol:** what the converter axioms need of a grade converter.

    ``convert(results)`` returns a report with a ``letter`` (or the letter itself); the axioms
    also read ``letters`` (best first) and ``claims`` when present. Every
    :class:`~mastery_grading.protocols.GradeConverter` follows it.

    Example:
        >>> from mastery_grading.grades import AverageCutoffs
        >>> isinstance(AverageCutoffs.marzano_2010(), LetterConverter)
        True
    """

    def convert(self, results: list[TargetResult], /) -> object:
        """Return the report (or letter) of one student's ``results``.

        Example:
            >>> from mastery_grading.grades import AverageCutoffs
            >>> from mastery_grading.fairness.cases import classic_converter_cases
            >>> results = list(classic_converter_cases()[0].results)
            >>> AverageCutoffs.marzano_2010().convert(results).letter
            'D'
        """
        ...


class ConverterAxiom:
    """Base of the grade-converter axioms: a name, a one-sentence summary and a check.

    Every converter axiom is a virtue (:attr:`needed`): a converter that does not keep one is
    reported as breaking it.
    """

    #: The snake_case name used in ``claims`` and in reports.
    name: ClassVar[Claim]
    #: One sentence a teacher understands.
    summary: ClassVar[str]
    #: Whether every fair converter should keep it (``True`` for every converter axiom).
    needed: ClassVar[bool] = True

    def check(self, converter: LetterConverter, case: ConverterCase) -> str | None:
        """Return ``None`` if the axiom holds for ``converter`` on ``case``, else a counterexample.

        Args:
            converter: Any object with ``convert(results)`` returning a report with a
                ``letter``, and ``letters`` (best first).
            case: The generated profile of results.

        Example:
            >>> from mastery_grading.fairness.cases import classic_converter_cases
            >>> class Contrary:  # "A" while nothing is mastered: raising a target can cost it
            ...     letters = ("A", "B")
            ...     def convert(self, results):
            ...         return "B" if any(r.mastered for r in results) else "A"
            >>> case = classic_converter_cases()[3]  # one target at 2, raised to 4
            >>> print(CONVERTER_AXIOMS["monotone"].check(Contrary(), case))
            results T1: 2 give A; raising T1 to 4 gives B
        """
        try:
            return self._check(converter, case)
        except EvaluationError as error:
            return str(error)

    def _check(self, converter: LetterConverter, case: ConverterCase) -> str | None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<converter axiom {self.name}>"


def _convert(
    converter: LetterConverter,
    results: Sequence[TargetResult],
    *,
    refuse: bool = False,
    skip_overlaps: bool = False,
) -> str | None:
    """The letter ``converter`` gives, telling a gap (no letter) from an overlap (two letters).

    - A gap: :class:`~mastery_grading.exceptions.GapError`, or any other ``ValueError`` (a
      third-party converter's refusal). With ``refuse`` the profile has no letter (``None``:
      *monotone* and *unambiguous* skip it); without, it is a counterexample (*complete*).
    - An overlap: :class:`~mastery_grading.exceptions.OverlapError` (an unordered rule set where
      two letters' rules hold). With ``refuse`` it is a counterexample (*unambiguous* reports
      it), or ``None`` with ``skip_overlaps`` (for *monotone*); without ``refuse`` the profile
      does get a letter, the best of those that hold, so *complete* does not report it.
    """
    try:
        report = converter.convert(list(results))
    except OverlapError as error:
        if refuse and skip_overlaps:
            return None
        if not refuse and error.letters:
            return error.letters[0]
        raise EvaluationError(_profile(results), error) from error
    except ValueError as error:
        if refuse:
            return None
        raise EvaluationError(_profile(results), error) from error
    except Exception as error:
        raise EvaluationError(_profile(results), error) from error
    letter = getattr(report, "letter", report)
    if not isinstance(letter, str):
        msg = f"convert gave {letter!r}, not one letter"
        raise EvaluationError(_profile(results), TypeError(msg))
    return letter


def _profile(results: Sequence[TargetResult]) -> str:
    parts = []
    for r in results:
        value = "no evidence" if r.value is None else score_text(r.value)
        parts.append(f"{r.target.id}: {value}")
    return "results " + ", ".join(parts)


def _rank(converter: LetterConverter, letter: str) -> int | None:
    letters = tuple(getattr(converter, "letters", ()))
    return letters.index(letter) if letter in letters else None


class ConverterMonotone(ConverterAxiom):
    """**monotone** (converters): raising a target's result never lowers the letter.

    For every profile of results and every result in it that has a value: raising that value
    (on its scale) gives a letter at least as good, where ``letters`` are listed best first. A
    letter outside ``letters`` (such as ``"Incomplete"``) before the change makes the case
    vacuous; a letter in ``letters`` may not become one outside them. A profile the converter
    refuses with a ``ValueError`` (a gap in its rules) has no letter and is skipped, as in
    ``RuleSet.check()`` does: *complete* reports it.
    """

    name = "monotone"
    summary = "Raising a result on one target never lowers the letter."

    def _check(self, converter: LetterConverter, case: ConverterCase) -> str | None:
        if not case.results:
            return None
        i = case.index % len(case.results)
        old = case.results[i]
        if old.value is None:
            return None
        scale = old.target.scale
        new = toward_top(old.value, scale.max, case.share, strictly_above=True, step=scale.step)
        if new is None:
            return None
        raised = list(case.results)
        raised[i] = _raised_result(old, new)
        before = _convert(converter, case.results, refuse=True, skip_overlaps=True)
        after = _convert(converter, raised, refuse=True, skip_overlaps=True)
        if before is None or after is None:
            return None  # no single letter on one side: complete or unambiguous reports it
        rank_before, rank_after = _rank(converter, before), _rank(converter, after)
        if rank_before is None:
            return None
        if rank_after is not None and rank_after <= rank_before:
            return None
        return (
            f"{_profile(case.results)} give {before}; raising {old.target.id} to "
            f"{score_text(new)} gives {after}"
        )


def _raised_result(result: TargetResult, value: float) -> TargetResult:
    """The same result with a higher value (level and mastery follow the value)."""
    return attrs.evolve(result, value=value)


class ConverterComplete(ConverterAxiom):
    """**complete** (converters): every profile of results gets a letter.

    For every profile of results on distinct targets (values anywhere on their scales, some
    ``None``): ``convert`` returns, without an error, a report whose ``letter`` is one of the
    converter's ``letters`` or ``"Incomplete"``. A refusal (a gap in the rules) breaks it.
    """

    name = "complete"
    summary = "Every combination of results gets a letter."

    def _check(self, converter: LetterConverter, case: ConverterCase) -> str | None:
        letter = _convert(converter, case.results)
        letters = tuple(getattr(converter, "letters", ()))
        if letter in letters or letter == INCOMPLETE:
            return None
        return f"{_profile(case.results)} give {letter!r}, which is not one of {list(letters)}"


class ConverterUnambiguous(ConverterAxiom):
    """**unambiguous** (converters): a profile of results gets exactly one letter.

    For every profile of results: converting it twice, or in any other order of the results,
    gives the same letter (or, both times, no letter: a refusal with a ``ValueError``, which
    *complete* reports).
    """

    name = "unambiguous"
    summary = "The same results always get the same single letter, whatever their order."

    def _check(self, converter: LetterConverter, case: ConverterCase) -> str | None:
        first = _convert(converter, case.results, refuse=True)
        again = _convert(converter, case.results, refuse=True)
        if first != again:
            return f"{_profile(case.results)} give {first} the first time and {again} the second"
        order = case.input_order or tuple(reversed(range(len(case.results))))
        shuffled = [case.results[j] for j in order]
        other = _convert(converter, shuffled, refuse=True)
        if first == other:
            return None
        return f"{_profile(case.results)} give {first}; listed as {_profile(shuffled)} give {other}"


#: Every grade-converter axiom by name.
CONVERTER_AXIOMS: Mapping[Claim, ConverterAxiom] = {
    axiom.name: axiom
    for axiom in (ConverterMonotone(), ConverterComplete(), ConverterUnambiguous())
}
