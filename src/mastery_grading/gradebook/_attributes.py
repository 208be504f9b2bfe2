"""Student attributes: what a gradebook knows of each student besides evidence (a section, ...).

A :class:`~mastery_grading.Gradebook` keeps, per attribute name, each student's value or values
as a tuple of strings, and hands them to every :class:`~mastery_grading.ResultTable` it returns;
:meth:`ResultTable.aggregate(by="section") <mastery_grading.ResultTable.aggregate>` groups by
one. They come from:

- ``student_attributes=`` on the gradebook's constructors: attribute name -> a mapping (or a
  pandas Series) of student id -> value, or -> several values (a student in two sections);
- a frame's other columns (:meth:`Gradebook.from_frame <mastery_grading.Gradebook.from_frame>`):
  every column that is not an evidence field and holds one value per student (every row of a
  student agrees, blanks aside) is an attribute; a **section** column (named ``section``,
  ``sections``, ``section_id``, ``section id``, ``section_name`` or ``section name``, in any
  case) collects every value of a student, who then belongs to each of those sections.

Values are kept as written; integers (and integral floats, as pandas stores an integer column
with blanks) are written as integers, ``95`` -> ``"95"``.

Example:
    >>> found = StudentAttributes.read({"section": {"ana": "P1", "ben": ("P1", "P2")}})
    >>> dict(found["section"])
    {'ana': ('P1',), 'ben': ('P1', 'P2')}
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, cast

from mastery_grading.exceptions import InvalidTypeError, InvalidValueError

__all__ = ["SECTION_COLUMNS", "StudentAttributes", "memberships"]

#: Column names (compared in lower case) read as a student's set of sections.
SECTION_COLUMNS = frozenset(
    {"section", "sections", "section_id", "section id", "section_name", "section name"}
)

Groups = Mapping[str, tuple[str, ...]]


def _name(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    msg = f"{what}={value!r} must be a str (or an int id), not {type(value).__name__}"
    raise InvalidTypeError(msg)


def memberships(given: Any, what: str) -> dict[str, tuple[str, ...]]:
    """Read a mapping (or pandas Series) of student id -> value or values, as tuples.

    Raises:
        InvalidTypeError: If ``given`` is not a mapping, or a student or value is not a str
            (or an int id).

    Example:
        >>> memberships({"ana": "P1", 7: ["P1", "P2", "P1"]}, "by")
        {'ana': ('P1',), '7': ('P1', 'P2')}
    """
    items = getattr(given, "items", None)
    if isinstance(given, str | bytes) or not callable(items):
        msg = (
            f"{what}={given!r} must be a mapping of student id -> value (or several values), "
            "such as read_canvas_results(...).sections or {'ana': 'Period 2'}"
        )
        raise InvalidTypeError(msg)
    if type(given) is dict and all(type(k) is str and type(v) is str for k, v in given.items()):
        return {key: (value,) for key, value in given.items()}  # the common case, at once
    found: dict[str, tuple[str, ...]] = {}
    for key, value in cast(Callable[[], Any], items)():
        student = _name(key, f"{what}: a student id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            values: tuple[str, ...] = (_name(value, f"{what}[{student!r}]"),)
        elif isinstance(value, Collection):
            values = tuple(_name(item, f"{what}[{student!r}]: a value") for item in value)
        else:
            values = (_name(value, f"{what}[{student!r}]"),)
        found[student] = tuple(dict.fromkeys(found.get(student, ()) + values))
    return found


class StudentAttributes(Mapping[str, Groups]):
    """Attribute name -> student id -> the student's values (a tuple of strings).

    ``not_attributes`` names the frame columns that are not attributes, each with why (a
    student whose rows disagree), for the message of an unknown name. ``single`` are the
    names whose students must keep one value when more rows are added.

    Example:
        >>> found = StudentAttributes.read({"period": {"ana": "2"}})
        >>> found.groups("period"), list(found)
        ({'ana': ('2',)}, ['period'])
    """

    def __init__(
        self,
        values: Mapping[str, Groups] | None = None,
        *,
        not_attributes: Mapping[str, str] | None = None,
        single: Collection[str] = (),
    ) -> None:
        self._values: dict[str, Groups] = dict(values or {})
        self.not_attributes: dict[str, str] = dict(not_attributes or {})
        self.single = frozenset(single)

    def __getitem__(self, name: str) -> Groups:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"StudentAttributes({self._values!r})"

    @classmethod
    def read(cls, given: Mapping[str, Any] | None) -> StudentAttributes:
        """Read ``student_attributes=``: name -> mapping (or Series) of student -> value(s).

        Raises:
            InvalidTypeError: If it is not a mapping of names to such mappings.

        Example:
            >>> StudentAttributes.read({3: {}})
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.InvalidTypeError: student_attributes key 3 must be an attribute name (a str), not int
        """  # noqa: E501
        if given is None:
            return _NONE
        if isinstance(given, StudentAttributes):
            return given
        if not isinstance(given, Mapping):
            msg = (
                f"student_attributes={given!r} must be a mapping of attribute name -> "
                "{student id: value}, such as {'section': read_canvas_results(...).sections}"
            )
            raise InvalidTypeError(msg)
        values = {}
        for name, mapping in given.items():
            if not isinstance(name, str):
                msg = (
                    f"student_attributes key {name!r} must be an attribute name (a str), "
                    f"not {type(name).__name__}"
                )
                raise InvalidTypeError(msg)
            values[name] = memberships(mapping, f"student_attributes[{name!r}]")
        return cls(values)

    def merged(self, other: StudentAttributes) -> StudentAttributes:
        """Return these and ``other``'s, a student's values joined; see :meth:`read`.

        A name that must keep one value per student (a frame column) and gets a second value
        for some student stops being an attribute.

        Example:
            >>> a = StudentAttributes.read({"section": {"ana": "P1"}})
            >>> dict(a.merged(StudentAttributes.read({"section": {"ana": "P2"}}))["section"])
            {'ana': ('P1', 'P2')}
        """
        values = dict(self._values)
        not_attributes = {**self.not_attributes, **other.not_attributes}
        single = self.single | other.single
        for name, groups in other.items():
            joined = dict(values.get(name, {}))
            for student, found in groups.items():
                joined[student] = tuple(dict.fromkeys(joined.get(student, ()) + found))
                if name in single and len(joined[student]) > 1:
                    not_attributes[name] = _disagree(name, student, joined[student])
            values[name] = joined
        for name in not_attributes:
            values.pop(name, None)
        return StudentAttributes(values, not_attributes=not_attributes, single=single)

    def replaced(self, other: StudentAttributes) -> StudentAttributes:
        """Return these with ``other``'s: a name of ``other`` replaces the same name here.

        Example:
            >>> a = StudentAttributes.read({"section": {"ana": "P1"}, "period": {"ana": "2"}})
            >>> b = a.replaced(StudentAttributes.read({"section": {"ana": "P2"}}))
            >>> {name: dict(groups) for name, groups in b.items()}
            {'section': {'ana': ('P2',)}, 'period': {'ana': ('2',)}}
        """
        not_attributes = {**self.not_attributes, **other.not_attributes}
        for name in other:
            not_attributes.pop(name, None)
        return StudentAttributes(
            {**self._values, **other._values},
            not_attributes=not_attributes,
            single=self.single | other.single,
        )

    def groups(self, name: str) -> Groups:
        """Return the attribute ``name`` (student -> values), for ``aggregate(by=name)``.

        Raises:
            InvalidValueError: If there is no such attribute, naming those there are.

        Example:
            >>> StudentAttributes.read({"period": {"ana": "2"}}).groups("section")
            Traceback (most recent call last):
            ...
            mastery_grading.exceptions.InvalidValueError: by='section' is not a student attribute of this table; its attributes are ['period']
        """  # noqa: E501
        if name in self._values:
            return self._values[name]
        known = sorted(self._values)
        msg = f"by={name!r} is not a student attribute of this table; " + (
            f"its attributes are {known}"
            if known
            else "it has none: give Gradebook.from_evidence(..., student_attributes="
            "{'section': {student id: section}}), a frame column, or by={student id: section}"
        )
        if name in self.not_attributes:
            msg += f" ({self.not_attributes[name]})"
        raise InvalidValueError(msg)


#: No attributes: what every gradebook and table without any shares (it is never written to).
_NONE = StudentAttributes()


def _disagree(name: str, student: str, values: tuple[str, ...]) -> str:
    shown = ", ".join(repr(v) for v in values[:3])
    return f"column {name!r} is not one value per student: student {student!r} has {shown}"


def _text(value: Any) -> str | None:
    """A frame cell as an attribute value or a student id (``None``: blank)."""
    if value is None or isinstance(value, str | bool):
        return value if value is None or isinstance(value, str) else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):  # pandas.NA cannot be compared
        return None
    return str(value)


def _pairs(
    frame: Any, student_column: str, column: Any, *, lazy: bool, polars: bool, collect: bool
) -> Iterator[tuple[Any, Any]]:
    """The distinct (student, value) pairs of a column, blanks left out.

    For a column that must hold one value per student and does not, only the pairs of the
    first student with two values: found by hashing, not by a Python loop over every row.
    """
    if polars:
        pairs = frame.select([student_column, str(column)]).drop_nulls().unique(maintain_order=True)
        pairs = pairs.collect() if lazy else pairs
        twice = pairs.to_series(0).is_duplicated()
        if not collect and twice.any():
            pairs = pairs.filter(pairs.to_series(0) == pairs.to_series(0).filter(twice)[0])
        return zip(pairs.to_series(0), pairs.to_series(1), strict=True)
    pairs = frame[[student_column, column]].dropna().drop_duplicates()
    twice = pairs.iloc[:, 0].duplicated()
    if not collect and twice.any():
        pairs = pairs[pairs.iloc[:, 0] == pairs.iloc[:, 0][twice].iloc[0]]
    return zip(pairs.iloc[:, 0], pairs.iloc[:, 1], strict=True)


def from_frame(frame: Any, exclude: Collection[str], student_column: str) -> StudentAttributes:
    """Read the student attributes among a pandas or polars frame's columns.

    ``exclude`` are the frame's evidence columns. Columns whose values cannot be compared
    (lists, objects) are left out.

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"student_id": ["a", "a", "b"], "section": ["1", "2", "1"],
        ...                       "period": [2, 2, None], "note": ["x", "y", "z"]})
        >>> found = from_frame(frame, {"student_id"}, "student_id")
        >>> {name: dict(groups) for name, groups in found.items()}
        {'section': {'a': ('1', '2'), 'b': ('1',)}, 'period': {'a': ('2',)}}
        >>> found.not_attributes["note"]
        "column 'note' is not one value per student: student 'a' has 'x', 'y'"
    """
    polars = type(frame).__module__.startswith("polars")
    lazy = polars and type(frame).__name__ == "LazyFrame"
    values: dict[str, Groups] = {}
    not_attributes: dict[str, str] = {}
    single: list[str] = []
    for column in frame.collect_schema().names() if lazy else frame.columns:
        name = str(column)
        if name in exclude or name == student_column:
            continue
        collect = name.lower() in SECTION_COLUMNS
        try:
            rows = _pairs(frame, student_column, column, lazy=lazy, polars=polars, collect=collect)
        except (TypeError, ValueError):  # unhashable or incomparable cells: not an attribute
            continue
        if not collect:
            single.append(name)
        found: dict[str, dict[str, None]] = {}
        for raw_student, raw_value in rows:
            student, value = _text(raw_student), _text(raw_value)
            if student is None or value is None:
                continue
            found.setdefault(student, {})[value] = None
            if not collect and len(found[student]) > 1:  # stop at the first disagreement
                not_attributes[name] = _disagree(name, student, tuple(found[student]))
                break
        else:
            values[name] = {student: tuple(seen) for student, seen in found.items()}
    return StudentAttributes(values, not_attributes=not_attributes, single=single)
