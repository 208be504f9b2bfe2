"""The columns of a result table for frames: numbers, and text as categories plus codes.

Each text column (student, target, level, reason) is held as its distinct labels (the students,
the targets, the level names, the distinct reasons) and one small integer code per row (-1
where there is none: a level or reason of no value). A frame's text column is gathered from
the labels by Arrow (pandas' ``str``, Arrow ``large_string``, polars ``String``), or, with
``text="category"``, is the labels and codes themselves (a pandas Categorical, an Arrow
DictionaryArray): never a Python object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Literal, NamedTuple, cast

from mastery_grading._extras import available, require
from mastery_grading.exceptions import InvalidValueError
from mastery_grading.targets import LearningTarget

__all__ = [
    "TEXT_FORMS",
    "TextForm",
    "TextPart",
    "arrow_table",
    "check_text",
    "column_parts",
    "pandas_frame",
    "polars_frame",
    "reason_part",
]

#: How :meth:`ResultTable.to_pandas <mastery_grading.ResultTable.to_pandas>` and its kin give
#: the text columns: ``"str"`` (strings, per row) or ``"category"`` (labels plus codes).
TextForm = Literal["str", "category"]
TEXT_FORMS: tuple[TextForm, ...] = ("str", "category")


class TextPart(NamedTuple):
    """A text column: its labels, ``None`` last, and each row's code in them.

    The labels before the last are distinct; code -1 (numpy's index of the last label) is a
    row without text, so ``numpy.asarray(labels, dtype=object)[codes]`` is the column of
    Python objects (a pair of labels and index, as the results CSV writer reads it). The
    codes are of the smallest signed integer type pandas keeps a Categorical's codes in (int8
    below 127 labels).
    """

    labels: Sequence[str | None]
    codes: Any

    @property
    def texts(self) -> Sequence[str]:
        """The labels without the last ``None``: a Categorical's categories."""
        return cast("Sequence[str]", self.labels[:-1])


def _code_type(n_labels: int) -> Any:
    """The integer type pandas gives the codes of ``n_labels`` categories."""
    require("numpy", extra="data", feature="ResultTable frames")
    import numpy as np

    for code_type in (np.int8, np.int16, np.int32):
        if n_labels < np.iinfo(code_type).max:
            return code_type
    return np.int64


def check_text(text: str) -> TextForm:
    """``text`` if it is one of :data:`TEXT_FORMS`, else ``InvalidValueError``."""
    for form in TEXT_FORMS:
        if text == form:
            return form
    msg = f"text={text!r} must be one of {', '.join(map(repr, TEXT_FORMS))}"
    raise InvalidValueError(msg)


def column_parts(
    *,
    values: Any,
    counts: Any,
    reasons: Mapping[int, str],
    students: Sequence[str],
    targets: Sequence[LearningTarget],
    distinct_students: bool | None = None,
) -> dict[str, Any]:
    """The numeric columns (arrays), and each text column as a :class:`TextPart`.

    ``distinct_students``: whether no student is named twice (``None``: found here). A
    hand-made table may name one twice; its rows then share one label (one category).

    The values, levels and mastery are read on the (student, target) grid: per target where
    the targets' scales differ, else by one comparison per level minimum over all values.
    """
    require("numpy", extra="data", feature="ResultTable columns")
    import numpy as np

    n_targets, n_students = len(targets), len(students)
    values = np.asarray(
        [np.nan if v is None else v for v in values] if not hasattr(values, "dtype") else values,
        dtype=np.float64,
    )
    student_codes = np.repeat(np.arange(n_students, dtype=_code_type(n_students)), n_targets)
    target_codes = np.tile(np.arange(n_targets, dtype=_code_type(n_targets)), n_students)
    masteries = {t.scale.mastery for t in targets}
    if len(masteries) <= 1:  # one mastery threshold (or no target, no row)
        mastered = values >= (masteries.pop() if masteries else 0.0)
    else:
        mastery = np.asarray([t.scale.mastery for t in targets], dtype=np.float64)
        mastered = (values.reshape(-1, n_targets) >= mastery).reshape(-1)
    reason_labels, reason_codes = reason_part(reasons, values, coded=True)
    return {
        "student_id": (
            TextPart([*students, None], student_codes)
            if (
                len(set(students)) == n_students if distinct_students is None else distinct_students
            )
            else _merged(TextPart([*students, None], student_codes))
        ),
        "target_id": TextPart([*(t.id for t in targets), None], target_codes),
        "value": values,
        "level": _level_part(values, targets),
        "mastered": mastered,
        "evidence_count": np.asarray(counts, dtype=np.int64),
        "reason": TextPart([*reason_labels, None], reason_codes),
    }


def _level_part(values: Any, targets: Sequence[LearningTarget]) -> TextPart:
    """The level names (in the order the targets' scales first name them) and each row's."""
    require("numpy", extra="data", feature="ResultTable frames")
    import numpy as np

    from mastery_grading.gradebook._engine import small_level_codes

    codes = small_level_codes(values, targets)
    names: dict[str, int] = {}
    table = []  # per target: -1 (no value), then the name's index of each of its levels
    plain = True  # every target's levels are the first names, in order: the codes are theirs
    for target in targets:
        table.append(-1)
        for code, level in enumerate(target.scale.levels):
            index = names.setdefault(level.name, len(names))
            plain = plain and index == code
            table.append(index)
    code_type = _code_type(len(names))
    if plain:
        return TextPart([*names, None], codes.astype(code_type, copy=False))
    starts = np.cumsum([0, *(len(t.scale.levels) + 1 for t in targets[:-1])]) + 1
    rows = codes.reshape(-1, len(targets)) + starts.astype(_code_type(len(table)))
    return TextPart([*names, None], np.take(np.asarray(table, dtype=code_type), rows.reshape(-1)))


def reason_part(
    reasons_of: Mapping[int, str], values: Any, *, coded: bool = False
) -> tuple[list[str | None], Any]:
    """The distinct reasons and each row's index into them (only rows whose value is NaN).

    With ``coded``: the reasons alone, and -1 for a row without one (codes of a
    :class:`TextPart`). Otherwise ``None`` is the last reason, the index of the rows without.
    """
    require("numpy", extra="data", feature="ResultTable columns")
    import numpy as np

    labels: list[str | None]
    n_rows = len(values)
    coded_by = getattr(reasons_of, "codes", None)
    texts = getattr(reasons_of, "texts", None)
    if coded_by is not None and texts is not None:  # the engine's: codes into a few texts
        labels = list(texts)
        code_type = _code_type(len(labels)) if coded else np.int64
        undecided = np.isnan(values)
        if undecided.any():
            index = coded_by.astype(code_type)
            index[~undecided] = -1
        else:
            index = np.full(n_rows, -1, dtype=code_type)
    else:
        labels = []
        seen: dict[str, int] = {}
        index = np.full(n_rows, -1)
        for row, why in reasons_of.items():
            if np.isnan(values[row]):
                index[row] = seen.setdefault(why, len(seen))
                if len(labels) < len(seen):
                    labels.append(why)
    if coded:
        return labels, index.astype(_code_type(len(labels)), copy=False)
    index[index < 0] = len(labels)
    return [*labels, None], index


def _pandas_string_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (``str`` in pandas 3, else object).

    Asked each time (a few microseconds): ``pandas.options.future.infer_string`` may change.
    """
    require("pandas", extra="data", feature="ResultTable.to_pandas()")
    import pandas as pd

    return pd.Series(["a"]).dtype


def _gathered(parts: Mapping[str, Any]) -> dict[str, Any]:
    """Every text column of ``parts`` gathered into ``large_string`` (null for -1).

    Labels of one length (ids such as ``stu0000001``) are gathered by numpy as fixed-width
    items (:func:`_fixed_width`), the others by Arrow's ``take``. From :data:`_THREADED_ROWS`
    rows, the students' and targets' gathers run on the engine's second thread
    (:func:`~mastery_grading.gradebook._threads.run_all`) while this one gathers the others:
    both release the GIL. The labels are made first, on this thread (they are Python
    objects). ``to_pandas()`` of 10^6 groups took 22-31 ms with Arrow's take for every column
    and the students alone on the second thread, 19-22 ms with this (interleaved runs).
    """
    from mastery_grading.gradebook._threads import run_all

    texts = {name: part for name, part in parts.items() if isinstance(part, TextPart)}
    inputs = {name: (_arrow_labels(part), part.codes) for name, part in texts.items()}
    ids: dict[str, Any] = {n: inputs.pop(n) for n in ("student_id", "target_id") if n in inputs}

    def gather(some: dict[str, Any]) -> dict[str, Any]:
        return {name: _take(*both) for name, both in some.items()}

    rows = len(next(iter(texts.values())).codes) if texts else 0
    threads = None if rows >= _THREADED_ROWS else 1
    rest, gathered = run_all([partial(gather, inputs), partial(gather, ids)], threads=threads)
    return {**gathered, **rest}


#: The rows from which :func:`_gathered` uses a second thread. Below, handing the work over
#: cost more than it saved: 10^4 rows took 0.7 ms on one thread and 0.7-7 ms on two, the worse
#: when the other core was busy (the second thread waits for the GIL).
_THREADED_ROWS = 1 << 19


def _take(labels: Any, codes: Any) -> Any:
    """``labels[codes]`` as ``large_string`` (null for code -1): all null without labels.

    ``codes``: a numpy array. Labels of one length are gathered by :func:`_fixed_width`.
    """
    require("pyarrow", extra="fast", feature="ResultTable frames")
    import pyarrow as pa

    if labels is None:
        return pa.nulls(len(codes), type=pa.large_string())
    fixed = _fixed_width(labels, codes)
    if fixed is not None:
        return fixed
    return labels.take(_arrow_codes(codes))


def _fixed_width(labels: Any, codes: Any) -> Any:
    """``labels[codes]`` gathered by numpy when every label has one length and no code is -1.

    The labels' bytes are then items of one width (numpy's ``V<width>``): one ``take`` of the
    rows' items is the column's data, and its offsets step by the width. Returns ``None``
    otherwise. On 10^6 rows of ``stu0000001`` this took 2.8 ms, Arrow's ``take`` 4.8 ms.

    Example:
        >>> import numpy as np, pyarrow as pa
        >>> labels = pa.array(["ab", "cd"], type=pa.large_string())
        >>> _fixed_width(labels, np.array([1, 1, 0], np.int8)).to_pylist()
        ['cd', 'cd', 'ab']
        >>> _fixed_width(pa.array(["a", "bc"], type=pa.large_string()), np.array([0])) is None
        True
    """
    require("pyarrow", extra="fast", feature="ResultTable frames")
    require("numpy", extra="data", feature="ResultTable frames")
    import numpy as np
    import pyarrow as pa

    _, offset_buffer, data_buffer = labels.buffers()
    n_labels = len(labels)
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[
        labels.offset : labels.offset + n_labels + 1
    ]
    width = int(offsets[1] - offsets[0])
    if width <= 0 or labels.null_count or not (np.diff(offsets) == width).all():
        return None
    if codes.shape[0] and int(codes.min()) < 0:
        return None
    start = int(offsets[0])
    items = np.frombuffer(data_buffer, dtype=np.uint8)[start : start + width * n_labels]
    data = np.take(items.view(f"V{width}"), codes)
    steps = np.arange(0, (codes.shape[0] + 1) * width, width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(codes.shape[0], pa.py_buffer(steps), pa.py_buffer(data))


def _arrow_labels(part: TextPart) -> Any:
    """The labels of ``part`` as pyarrow ``large_string``, or ``None`` when it has none."""
    require("pyarrow", extra="fast", feature="ResultTable frames")
    import pyarrow as pa

    return pa.array(part.texts, type=pa.large_string()) if part.texts else None


def _arrow_codes(codes: Any) -> Any:
    """A text column's codes as a pyarrow array, null for -1 (a mask only where there is one)."""
    require("pyarrow", extra="fast", feature="ResultTable frames")
    import pyarrow as pa

    mask = codes < 0
    return pa.array(codes, mask=mask if mask.any() else None)


def _arrow_dictionary(part: TextPart) -> Any:
    """``part`` as a pyarrow DictionaryArray of ``large_string`` labels (null for code -1).

    Not checked by Arrow (``safe=False``): the codes are in range by construction.
    """
    require("pyarrow", extra="fast", feature="ResultTable frames")
    import pyarrow as pa

    labels = pa.array(part.texts, type=pa.large_string())
    return pa.DictionaryArray.from_arrays(_arrow_codes(part.codes), labels, safe=False)


def _categorical(part: TextPart, string_dtype: Any, arrow: bool) -> Any:
    """``part`` as a pandas Categorical (NaN for code -1), its categories of ``string_dtype``.

    The categories are distinct by construction (students, targets, names and reasons each
    once), so the dtype is made without pandas' check of that: on 10^5 students the check
    costs more than the whole frame (it turns the Arrow strings into Python ones to hash).
    Arrow-backed categories are made by Arrow (pandas would first check every label is a
    string, which they are).
    """
    require("pandas", extra="data", feature="ResultTable frames")
    import pandas as pd

    if arrow:
        require("pyarrow", extra="fast", feature="ResultTable frames")
        import pyarrow as pa

        labels = pa.array(part.texts, type=pa.large_string())
        categories = pd.Index(pd.array(labels, dtype=string_dtype))
    else:
        categories = pd.Index(part.texts, dtype=string_dtype)
    dtype = None
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if fast is not None:
        try:
            dtype = fast(categories, False)
        except (TypeError, ValueError):  # a pandas whose private fast path differs
            dtype = None
    if dtype is None:
        dtype = pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(part.codes, dtype=dtype, validate=False)


def category_part(name: str, part: TextPart) -> TextPart:
    """``part`` ready to be a Categorical or a dictionary array: each label once.

    A hand-made table may name a student (or a target) twice: such labels are merged, the
    first one's code standing for all. The reasons keep only those some row has, in the order
    rows first have them, so that both engines give the same categories (the vectorized one
    knows every wording a policy can give, such as each count of n-times).
    """
    require("numpy", extra="data", feature="ResultTable frames")
    import numpy as np

    if name == "reason" and part.texts:
        codes = part.codes
        firsts = []
        for code in range(len(part.texts)):
            hits = codes == code
            if hits.any():
                firsts.append((int(hits.argmax()), code))
        used = [code for _, code in sorted(firsts)]
        if used != list(range(len(part.texts))):
            remap = np.full(len(part.texts) + 1, -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            labels = [part.texts[code] for code in used]
            part = TextPart([*labels, None], remap[codes].astype(_code_type(len(labels))))
    if name == "student_id" or len(set(part.texts)) == len(part.texts):
        return part  # the students are made distinct with the table's columns
    return _merged(part)


def _merged(part: TextPart) -> TextPart:
    """``part`` with each label once, the first one's code standing for the repeats."""
    require("numpy", extra="data", feature="ResultTable frames")
    import numpy as np

    index: dict[str, int] = {}
    remap = np.asarray([*(index.setdefault(t, len(index)) for t in part.texts), -1], np.int64)
    return TextPart([*index, None], remap[part.codes].astype(_code_type(len(index))))


#: The numeric columns of :func:`column_parts` that may be a result table's own arrays.
_SHARED = frozenset({"value", "evidence_count"})


def pandas_frame(made: Callable[[], Mapping[str, Any]], text: TextForm) -> Any:
    """The columns ``made()`` (:func:`column_parts`) as a pandas DataFrame (``NaN`` for ``None``).

    ``text="str"``: text columns of the dtype pandas gives Python strings; when that is
    Arrow-backed (pandas' ``str``) gathered by Arrow from the labels, otherwise object arrays.
    ``text="category"``: pandas Categoricals of the labels and codes.
    """
    require("pandas", extra="data", feature="ResultTable.to_pandas()")
    require("numpy", extra="data", feature="ResultTable.to_pandas()")
    import numpy as np
    import pandas as pd

    parts = made()
    string_dtype = _pandas_string_dtype()
    arrow = getattr(string_dtype, "storage", None) == "pyarrow" and available("pyarrow")
    columns: dict[str, Any] = {}
    gathered = _gathered(parts) if arrow and text == "str" else {}
    for name, part in parts.items():
        if not isinstance(part, TextPart):  # the values and counts may be the table's own
            columns[name] = part.copy() if name in _SHARED else part
        elif text == "category":
            columns[name] = _categorical(category_part(name, part), string_dtype, arrow)
        elif arrow:
            columns[name] = pd.array(gathered[name], dtype=string_dtype)
        else:
            columns[name] = np.asarray(part.labels, dtype=object)[part.codes]
    # every column is new (or immutable Arrow data): no copy, and no block of several columns
    return pd.DataFrame(columns, copy=False)


def arrow_table(made: Callable[[], Mapping[str, Any]], text: TextForm) -> Any:
    """The columns ``made()`` (:func:`column_parts`) as a pyarrow Table (null for ``None``).

    Text columns are ``large_string`` gathered from their labels by Arrow, or with
    ``text="category"`` dictionary arrays of the labels (int codes, ``large_string`` values).
    """
    require("pyarrow", extra="fast", feature="ResultTable.to_arrow()")
    require("numpy", extra="data", feature="ResultTable.to_arrow()")
    import numpy as np
    import pyarrow as pa

    parts = made()
    gathered = _gathered(parts) if text == "str" else {}
    columns = {}
    for name, part in parts.items():
        if isinstance(part, TextPart):
            if text == "category":
                columns[name] = _arrow_dictionary(category_part(name, part))
            else:
                columns[name] = gathered[name]
        elif name == "value":
            undecided = np.isnan(part)
            columns[name] = pa.array(part, mask=undecided if undecided.any() else None)
        else:
            columns[name] = pa.array(part)
    return pa.table(columns)


def polars_frame(made: Callable[[], Mapping[str, Any]]) -> Any:
    """The columns ``made()`` (:func:`column_parts`) as a polars DataFrame (null for ``None``).

    Text columns are ``String`` gathered by polars from their labels. (Polars Categoricals read
    from Arrow dictionary arrays took longer than these gathers on 10^5 students: polars
    interns every label.)
    """
    require("polars", extra="fast", feature="ResultTable.to_polars()")
    require("numpy", extra="data", feature="ResultTable.to_polars()")
    import numpy as np
    import polars as pl

    parts = made()
    dtypes = {"value": pl.Float64, "mastered": pl.Boolean, "evidence_count": pl.Int64}
    columns = []
    for name, part in parts.items():
        if isinstance(part, TextPart):
            codes = part.codes
            missing = codes < 0
            if missing.any():  # -1 to the last label, None (polars reads no index from the end)
                codes = np.where(missing, len(part.labels) - 1, codes.astype(np.int64))
            column = pl.Series(name, part.labels, dtype=pl.String).gather(codes)
        else:
            column = pl.Series(name, part, dtype=dtypes[name], nan_to_null=name == "value")
        columns.append(column)
    return pl.DataFrame(columns)
