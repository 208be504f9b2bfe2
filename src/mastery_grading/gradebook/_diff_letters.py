"""The letters of a policy diff: each student's letter before and after, as codes into labels.

A letter is one of the converter's ``letters`` (best first), or one of two states without a
letter, each its own label (a row and a column of the transition matrix, listed after the
letters, only when some student is in it, before or after):

- ``"Incomplete"`` (:data:`~mastery_grading.grades.INCOMPLETE`): no letter yet, by the
  converter's own rule for missing results (``missing="incomplete"``, or no target counted);
- ``"No letter"`` (:data:`~mastery_grading.grades.NO_LETTER`): no rule of the converter
  covers the student's results (a gap of a rule set); the diff never stops for it.

Both axes carry both states whenever either side has them, so that the matrix of one
converter is square and ``diff(a, b)``'s matrix is the transpose of ``diff(b, a)``'s.

A letter change counts in steps along the converter's letters (``A`` -> ``B`` is ``-1``: one
letter lower) when before and after give the same letters in the same order; a change from or
to a state without a letter, or between converters with other letters, has no steps.

Example:
    >>> from mastery_grading import Gradebook, policies
    >>> from mastery_grading.examples import load_example_class
    >>> from mastery_grading.grades import AverageCutoffs
    >>> example = load_example_class()
    >>> book = Gradebook.from_evidence(example.evidence, targets=example.targets)
    >>> marzano = AverageCutoffs.marzano_2010()
    >>> found = letter_columns(book.grades(marzano, policy=policies.Mean()),
    ...                        book.grades(marzano, policy=policies.DecayingAverage()))
    >>> found.labels_before, found.codes_before.tolist(), found.steps.tolist()
    (('A', 'B', 'C', 'D', 'F'), [0, 1, 2, 2, 0, 1, 2, 3], [0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from mastery_grading._extras import require
from mastery_grading.gradebook._grade_table import GradeTable
from mastery_grading.grades import INCOMPLETE, NO_LETTER

__all__ = ["NO_VALUE", "LetterColumns", "letter_columns"]

#: The level label of a cell (student, target) without a value, in the level transitions.
NO_VALUE = "no value"


@attrs.frozen(kw_only=True, eq=False)
class LetterColumns:
    """Every student's letter before and after, as codes into the labels of each side.

    Attributes:
        labels_before: The labels of the rows of the transition matrix: the letters before
            (best first), then the states without a letter that occur.
        labels_after: The same for the columns, after.
        codes_before: Per student (in the diff's order), the index of its label before.
        codes_after: The same after.
        steps: Per student, the letters gained (``NaN`` where a side has no letter); ``None``
            when before and after do not give the same letters.
        tables: The grade tables before and after (each student's reason).
    """

    labels_before: tuple[str, ...]
    labels_after: tuple[str, ...]
    codes_before: Any = attrs.field(repr=False)
    codes_after: Any = attrs.field(repr=False)
    steps: Any | None = attrs.field(repr=False)
    tables: tuple[GradeTable[Any], GradeTable[Any]] = attrs.field(repr=False)

    @property
    def changed(self) -> Any:
        """Per student, whether the label changed (a letter, or to or from no letter)."""
        return _label_array(self.labels_before, self.codes_before) != _label_array(
            self.labels_after, self.codes_after
        )


def _label_array(labels: Sequence[str], codes: Any) -> Any:
    require("numpy", extra="data", feature="Gradebook.diff()")
    import numpy as np

    return np.asarray(labels, dtype=object)[codes] if len(codes) else np.zeros(0, dtype=object)


def _labels_of(table: GradeTable[Any]) -> list[str]:
    """Each student's letter, or the state without a letter, in the table's row order."""
    return table._letters  # the table keeps "Incomplete" and "No letter" as labels


def letter_columns(before: GradeTable[Any], after: GradeTable[Any]) -> LetterColumns:
    """Code the letters of two grade tables of the same students (see the module).

    Args:
        before: The grade table before.
        after: The grade table after (the same students in the same order).

    Returns:
        The labels and codes of each side, and the steps.
    """
    require("numpy", extra="data", feature="Gradebook.diff()")
    import numpy as np

    found_before, found_after = _labels_of(before), _labels_of(after)
    seen_before, seen_after = set(found_before), set(found_after)
    states = [s for s in (INCOMPLETE, NO_LETTER) if s in seen_before | seen_after]

    def labels(letters: tuple[str, ...], seen: set[str]) -> tuple[str, ...]:
        # a letter the converter does not list (a converter of your own) follows its letters
        extra = sorted(seen - set(letters) - {INCOMPLETE, NO_LETTER})
        return (*letters, *extra, *states)

    def codes(labels: tuple[str, ...], found: list[str]) -> Any:
        index = {label: i for i, label in enumerate(labels)}
        return np.fromiter(map(index.__getitem__, found), dtype=np.int64, count=len(found))

    labels_before = labels(tuple(before.converter.letters), seen_before)
    labels_after = labels(tuple(after.converter.letters), seen_after)
    codes_before, codes_after = codes(labels_before, found_before), codes(labels_after, found_after)
    steps = None
    letters = tuple(before.converter.letters)
    if letters == tuple(after.converter.letters):
        n = len(letters)
        ranked = (codes_before < n) & (codes_after < n)
        steps = np.where(ranked, (codes_before - codes_after).astype(np.float64), np.nan)
    return LetterColumns(
        labels_before=labels_before,
        labels_after=labels_after,
        codes_before=codes_before,
        codes_after=codes_after,
        steps=steps,
        tables=(before, after),
    )
