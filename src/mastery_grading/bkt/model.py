"""``BKTModel``: fit Bayesian Knowledge Tracing to a class's answers, predict, evaluate.

An API a pyBKT user recognises: ``fit(df)``, ``predict(df)``, ``evaluate(df, metric=...)``,
``crossvalidate(df, folds=5)`` and ``params()``, plus ``mastery(df)`` and ``policy(target)``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from mastery_grading import _validators as v
from mastery_grading._extras import require
from mastery_grading.bkt._data import Sequences, check_students, read_answers
from mastery_grading.bkt._em import (
    DEFAULT_BOUNDS,
    PARAMETERS,
    EngineName,
    Fit,
    fit_em,
    make_engine,
    observed_information_intervals,
    prior_only_row,
)
from mastery_grading.bkt._metrics import Metric, metric_function
from mastery_grading.exceptions import InvalidValueError, MasteryGradingError
from mastery_grading.policies.bkt import BKT

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
else:
    np = require("numpy", extra="data", feature="mastery_grading.bkt")
    pd = require("pandas", extra="data", feature="mastery_grading.bkt")

__all__ = ["BKTModel", "InsufficientDataWarning", "NotFittedError"]


class InsufficientDataWarning(UserWarning):
    """A target has too little data to fit: it gets the bounded prior-only parameters."""


class NotFittedError(MasteryGradingError, RuntimeError):
    """A model was asked to predict before :meth:`BKTModel.fit`."""


def _bounds(value: Mapping[str, tuple[float, float]] | None) -> dict[str, tuple[float, float]]:
    merged = dict(DEFAULT_BOUNDS)
    for name, pair in (value or {}).items():
        merged[name] = (float(pair[0]), float(pair[1]))
    return merged


def _check_bounds(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for name, (lo, hi) in value.items():
        if name not in PARAMETERS:
            msg = f"bounds={value!r} names {name!r}; expected parameters of {list(PARAMETERS)}"
            raise InvalidValueError(msg)
        if not (0.0 <= lo <= hi <= 1.0):
            msg = f"bounds[{name!r}]=({lo}, {hi}) must satisfy 0 <= low <= high <= 1"
            raise InvalidValueError(msg)
    if value["guess"][1] + value["slip"][1] >= 1.0:
        msg = (
            f"bounds guess <= {value['guess'][1]} and slip <= {value['slip'][1]} allow "
            "guess + slip >= 1 (a fit where a correct answer is evidence against mastery); "
            "expected upper bounds that sum to less than 1"
        )
        raise InvalidValueError(msg)


def _check_prior(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    for name, pair in value.items():
        ok = name in PARAMETERS and len(pair) == 2 and all(float(x) > 0.0 for x in pair)
        if not ok or not all(math.isfinite(float(x)) for x in pair):
            msg = (
                f"prior={value!r}: {name!r} must be a parameter of {list(PARAMETERS)} with a "
                "Beta(a, b) prior given as (a, b), both positive"
            )
            raise InvalidValueError(msg)


@attrs.define(kw_only=True)
class BKTModel:
    """Bayesian Knowledge Tracing, fitted by expectation-maximisation on every target at once.

    Each target (skill) has its own ``prior``, ``learn``, ``guess``, ``slip`` (and ``forget``
    when ``forgets``); each (target, student) pair is one sequence of answers. The fit runs
    EM (Baum-Welch) over every sequence of every target together, compiled with numba when it
    is installed (the ``bkt`` extra) and in plain numpy otherwise (same results, slower on
    long sequences), from ``restarts`` random starts; each target keeps its best.

    Args:
        restarts: Random starts per target; the one of highest likelihood is kept.
        seed: Seed of the random starts.
        forgets: Whether to fit a forget probability (else it is 0).
        bounds: Parameter -> (low, high), on top of the defaults: guess and slip at most 0.3,
            learn at least 1e-4. Upper bounds of guess and slip must sum to less than 1, so no
            fit has a correct answer count against mastery.
        prior: Parameter -> (a, b): a Beta(a, b) prior on it (MAP-EM); ``None`` for none.
        min_students: A target with fewer students is not fitted (default 10).
        min_rows: A target with fewer answers is not fitted (default 50).
        tol: EM stops for a target when its log-likelihood moves less than this per answer.
        max_iter: The most EM iterations per restart.
        engine: ``"auto"`` (numba when installed), ``"numba"`` or ``"numpy"``.

    Raises:
        InvalidValueError: For bounds outside [0, 1], bounds that allow guess + slip >= 1, or
            an invalid prior.

    Example:
        >>> import pandas as pd
        >>> from mastery_grading.simulation import simulate_bkt
        >>> answers = simulate_bkt(n=500, answers=8, prior=0.3, learn=0.2, guess=0.2,
        ...                        slip=0.1, seed=1)
        >>> model = BKTModel(restarts=2).fit(answers)
        >>> fitted = model.params().set_index("parameter")["value"]
        >>> round(float(fitted["learn"]), 1), round(float(fitted["slip"]), 1)
        (0.2, 0.1)
        >>> round(model.evaluate(answers, metric="auc"), 2)
        0.78
    """

    restarts: int = attrs.field(default=5, validator=v.int_in_range(1, 1000))
    seed: int = attrs.field(default=0, validator=v.instance_of(int, "an int"))
    forgets: bool = attrs.field(default=False, validator=v.instance_of(bool, "a bool"))
    bounds: dict[str, tuple[float, float]] = attrs.field(
        default=None, converter=_bounds, validator=_check_bounds
    )
    prior: dict[str, tuple[float, float]] | None = attrs.field(default=None, validator=_check_prior)
    min_students: int = attrs.field(default=10, validator=v.int_in_range(2))
    min_rows: int = attrs.field(default=50, validator=v.int_in_range(1))
    tol: float = attrs.field(default=1e-6, validator=v.positive_number)
    max_iter: int = attrs.field(default=200, validator=v.int_in_range(1))
    engine: EngineName = attrs.field(default="auto", validator=v.one_of(("auto", "numba", "numpy")))

    _targets: tuple[str, ...] = attrs.field(init=False, default=())
    _fit: Fit | None = attrs.field(init=False, default=None, repr=False)
    _intervals: tuple[Any, Any] | None = attrs.field(init=False, default=None, repr=False)
    _columns: dict[str, Any] = attrs.field(init=False, factory=dict, repr=False)

    # -- fitting ----------------------------------------------------------------------------

    def fit(
        self,
        data: Any,
        *,
        student: str = "student_id",
        target: str = "target_id",
        correct: str = "correct",
        order: str | None = None,
        intervals: bool = False,
    ) -> BKTModel:
        """Fit every target of ``data``; returns the model itself.

        ``data`` is a pandas or polars frame, one row per answer, or a
        :class:`~mastery_grading.Gradebook` (a score is correct when it reaches its target's
        mastery threshold; evidence in chronological order). Rows are in time order within a
        student when ``order`` is ``None`` (as in pyBKT's files), else sorted by ``order``.
        Target names are plain strings (``51`` is ``"51"``), matched exactly.

        Args:
            data: The answers.
            student: The column of student ids.
            target: The column of target (skill) names.
            correct: The column of 0/1 (or true/false) answers.
            order: A column to sort each student's answers by, or ``None``.
            intervals: Also compute 95% intervals (Wald, from the observed information: a
                numerical Hessian of each target's log-likelihood at the fit).

        Raises:
            BulkValidationError: Naming the rows: missing columns, empty ids, a correct value
                other than 0/1/true/false, a non-finite order, a target with one student.

        Warns:
            InsufficientDataWarning: For targets with fewer than ``min_students`` students or
                ``min_rows`` answers; they get the prior-only parameters (the Beta prior's
                mode, else defaults, within the bounds), marked in :meth:`params`.
        """
        self._columns = {"student": student, "target": target, "correct": correct, "order": order}
        seqs = read_answers(data, student=student, target=target, correct=correct, order=order)
        check_students(seqs)
        fitted = (seqs.students_per_target() >= self.min_students) & (
            seqs.rows_per_target() >= self.min_rows
        )
        if not fitted.all():
            small = [seqs.targets[k] for k in np.flatnonzero(~fitted).tolist()]
            shown = ", ".join(repr(t) for t in small[:10]) + (" ..." if len(small) > 10 else "")
            warnings.warn(
                f"{len(small)} target(s) have fewer than {self.min_students} students or "
                f"{self.min_rows} answers and get the prior-only parameters: {shown}",
                InsufficientDataWarning,
                stacklevel=2,
            )
        engine = make_engine(seqs, self.engine)
        fit = fit_em(
            engine,
            fitted,
            restarts=self.restarts,
            seed=self.seed,
            forgets=self.forgets,
            bounds=self.bounds,
            prior=self.prior,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        self._targets = seqs.targets
        self._fit = fit
        self._intervals = (
            observed_information_intervals(engine, fit.params, fitted, self.forgets)
            if intervals
            else None
        )
        return self

    @property
    def targets(self) -> tuple[str, ...]:
        """The targets of the fit, sorted by name."""
        return self._targets

    def _fitted(self) -> Fit:
        if self._fit is None:
            msg = "this BKTModel is not fitted yet; call fit(data) first"
            raise NotFittedError(msg)
        return self._fit

    # -- reading the fit --------------------------------------------------------------------

    def params(self) -> pd.DataFrame:
        """The fitted parameters: one row per (target, parameter).

        Columns ``target``, ``parameter`` (prior, learn, forget, guess, slip), ``value``,
        ``fit`` (``"em"`` or ``"prior only"`` for a target with too little data), and with
        ``fit(..., intervals=True)`` also ``lower`` and ``upper``: the Wald 95% interval from
        the observed information, clipped to [0, 1], ``NaN`` where the information is not
        positive definite (often a parameter at a bound), for prior-only targets and for a
        forget fixed at 0.

        Raises:
            NotFittedError: Before :meth:`fit`.
        """
        fit = self._fitted()
        k = len(self._targets)
        frame = pd.DataFrame(
            {
                "target": np.repeat(np.array(self._targets, dtype=object), 5),
                "parameter": np.tile(np.array(PARAMETERS, dtype=object), k),
                "value": fit.params.reshape(-1),
                "fit": np.repeat(np.where(fit.prior_only, "prior only", "em"), 5),
            }
        )
        if self._intervals is not None:
            frame["lower"] = self._intervals[0].reshape(-1)
            frame["upper"] = self._intervals[1].reshape(-1)
        return frame

    def policy(self, target_id: str, *, mastered: float = 0.95) -> BKT:
        """The :class:`~mastery_grading.policies.BKT` policy of one fitted target.

        Raises:
            NotFittedError: Before :meth:`fit`.
            InvalidValueError: For a target the model was not fitted on.
        """
        fit = self._fitted()
        if target_id not in self._targets:
            known = list(self._targets)[:10]
            msg = f"target_id={target_id!r} was not fitted; expected one of {known}"
            raise InvalidValueError(msg)
        row = fit.params[self._targets.index(target_id)]
        prior, learn, forget, guess, slip = (float(x) for x in row)
        return BKT(
            prior=prior, learn=learn, guess=guess, slip=slip, forget=forget, mastered=mastered
        )

    # -- predicting -------------------------------------------------------------------------

    def _run(
        self, data: Any, columns: Mapping[str, Any]
    ) -> tuple[Sequences, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        fit = self._fitted()
        names = {**self._columns, **{k: val for k, val in columns.items() if val is not None}}
        seqs = read_answers(
            data,
            student=names["student"],
            target=names["target"],
            correct=names["correct"],
            order=names.get("order"),
        )
        index = {name: k for k, name in enumerate(self._targets)}
        known = np.array([name in index for name in seqs.targets], dtype=np.bool_)
        params = np.empty((len(seqs.targets), 5))
        if known.any():
            params[known] = fit.params[[index[n] for n in seqs.targets if n in index]]
        if not known.all():
            unseen = [name for name, ok in zip(seqs.targets, known, strict=True) if not ok]
            warnings.warn(
                f"{len(unseen)} target(s) were not fitted and are predicted from the "
                f"prior-only parameters: {', '.join(repr(t) for t in unseen[:10])}",
                InsufficientDataWarning,
                stacklevel=3,
            )
            lo = np.array([self.bounds[p][0] for p in PARAMETERS])
            hi = np.array([self.bounds[p][1] for p in PARAMETERS])
            if not self.forgets:
                lo[2] = hi[2] = 0.0
            params[~known] = prior_only_row(self.prior, lo, hi)
        engine = make_engine(seqs, self.engine)
        predicted, mastery = engine.forward(params)
        out_p: npt.NDArray[np.float64] = np.empty(seqs.n_rows)
        out_m: npt.NDArray[np.float64] = np.empty(seqs.n_rows)
        out_p[seqs.rows] = predicted
        out_m[seqs.rows] = mastery
        return seqs, out_p, out_m

    def predict(self, data: Any, **columns: str | None) -> npt.NDArray[np.float64]:
        """P(correct) of each row given only the earlier rows of its student and target.

        One step ahead, as pyBKT's ``predict``; in the rows' input order. Column names are
        those of :meth:`fit` unless given (``student=``, ``target=``, ``correct=``, ``order=``).
        A target the model was not fitted on is predicted from the prior-only parameters,
        with an :class:`InsufficientDataWarning`.

        Raises:
            NotFittedError: Before :meth:`fit`.
            BulkValidationError: As :meth:`fit` does, naming the rows.
        """
        return self._run(data, columns)[1]

    def mastery(self, data: Any, **columns: str | None) -> npt.NDArray[np.float64]:
        """P(mastered) after each row, given that row and the earlier ones of its student.

        The value :class:`~mastery_grading.policies.BKT` gives after the same answers.

        Raises:
            NotFittedError: Before :meth:`fit`.
        """
        return self._run(data, columns)[2]

    def evaluate(self, data: Any, metric: str | Metric = "rmse", **columns: str | None) -> float:
        """A metric of :meth:`predict` against the rows' answers.

        Args:
            data: The answers, as for :meth:`fit`.
            metric: ``"auc"``, ``"rmse"`` (default, as pyBKT), ``"accuracy"`` (predictions
                >= 0.5 count as correct), or a callable ``(correct, predicted) -> float``.
            columns: Column names, if not those of :meth:`fit`.
        """
        function = metric_function(metric)
        seqs, predicted, _ = self._run(data, columns)
        correct = np.empty(seqs.n_rows, dtype=np.int8)
        correct[seqs.rows] = seqs.correct
        return float(function(correct, predicted))

    def crossvalidate(
        self,
        data: Any,
        *,
        folds: int = 5,
        metric: str | Metric = "rmse",
        student: str = "student_id",
        target: str = "target_id",
        correct: str = "correct",
        order: str | None = None,
    ) -> npt.NDArray[np.float64]:
        """The metric on each of ``folds`` folds by student, fitting on the other folds.

        Students are dealt to folds in a random order drawn from ``seed``, so a student's
        answers are never both fitted and tested. Each fold's fit is a fresh copy of this
        model's configuration; this model is left as it was.

        Raises:
            InvalidValueError: If ``folds`` is less than 2 or more than the students.
        """
        function = metric_function(metric)
        ids = pd.Series(np.asarray(data[student].to_numpy()), dtype=object).astype(str)
        students = np.array(sorted(set(ids.tolist())), dtype=object)
        if not 2 <= folds <= len(students):
            msg = f"folds={folds!r} must be between 2 and the number of students, {len(students)}"
            raise InvalidValueError(msg)
        rng = np.random.default_rng(self.seed)
        dealt = rng.permutation(students).tolist()
        fold_of = dict(zip(dealt, (np.arange(len(students)) % folds).tolist(), strict=True))
        row_fold = ids.map(fold_of).to_numpy()
        scores = []
        for k in range(folds):
            train = data[row_fold != k]
            test = data[row_fold == k]
            model = attrs.evolve(self)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InsufficientDataWarning)
                model.fit(train, student=student, target=target, correct=correct, order=order)
                scores.append(
                    model.evaluate(
                        test, function, student=student, target=target, correct=correct, order=order
                    )
                )
        return np.array(scores)
