"""The kernel of a custom policy (:func:`~mastery_grading.policies.custom_policy`), and its check.

Requires numpy; registered by :mod:`mastery_grading.policies.custom` for the custom policies
made with ``kernel=``, and loaded on first use. :func:`custom_kernel` runs your kernel on the
non-empty groups only and words the reason of every ``None`` as the policy does;
:func:`check_kernel` compares your kernel with your rule on random histories when the policy
is made.

Example:
    >>> import numpy as np
    >>> from mastery_grading.policies import custom_policy, kernel_for
    >>> def best_kernel(policy, seg):
    ...     return np.maximum.reduceat(seg.score, seg.starts)
    >>> best = custom_policy(max, name="best", kernel=best_kernel)
    >>> kernel_for(best) is custom_kernel
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from mastery_grading._extras import require
from mastery_grading.evidence import Evidence, EvidenceKind
from mastery_grading.exceptions import InvalidTypeError, InvalidValueError
from mastery_grading.policies.segments import (
    FloatArray,
    GroupReasons,
    KernelOutput,
    Segments,
)
from mastery_grading.results import TargetResult
from mastery_grading.scales import Scale
from mastery_grading.targets import LearningTarget

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="custom_policy(..., kernel=...)")

__all__ = ["CHECK_HISTORIES", "PolicyWithKernel", "check_kernel", "custom_kernel"]


class PolicyWithKernel(Protocol):
    """What the kernel and its check read of a :class:`~mastery_grading.policies.CustomPolicy`."""

    @property
    def fn(self) -> Callable[..., float | None]:
        """The rule."""
        ...

    @property
    def name(self) -> str:
        """The name in reasons and messages."""
        ...

    @property
    def takes_evidence(self) -> bool:
        """Whether the rule gets evidence rather than scores."""
        ...

    @property
    def kernel(self) -> Callable[[Any, Segments], Any] | None:
        """The kernel."""
        ...

    def evaluate(self, evidence: Sequence[Evidence], target: LearningTarget) -> TargetResult:
        """The rule's result."""
        ...


#: How many random histories of each kind :func:`check_kernel` compares.
CHECK_HISTORIES = 80

#: The pairs (rule, kernel, takes_evidence) already checked, by identity: each is checked once.
_CHECKED: dict[tuple[int, int, bool], tuple[Any, Any]] = {}


def _filled(seg: Segments) -> Segments:
    """The segments of the non-empty groups only (the positions are the same)."""
    if seg.all_nonempty:
        return seg
    ne = seg.nonempty
    renumber = np.cumsum(ne) - 1

    def keep(values: FloatArray | None) -> FloatArray | None:
        return None if values is None else values[ne]

    return Segments(
        score=seg.score,
        weight=seg.weight,
        summative=seg.summative,
        group=renumber[seg.group],
        starts=seg.firsts,
        counts=seg.filled_counts,
        mastery=keep(seg.mastery),
        scale_min=keep(seg.scale_min),
        scale_max=keep(seg.scale_max),
        columns=seg.columns,
        rows=seg.rows,
        facts=seg.facts,
    )


def _mask(values: Any, size: int, what: str, name: str) -> Any:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    flags = np.asarray(values, dtype=np.bool_)
    if flags.shape != (size,):
        msg = (
            f"the kernel of custom policy {name!r} gave {what} of shape {flags.shape} for "
            f"{size} groups; expected one flag per group"
        )
        raise InvalidValueError(msg)
    return flags


def custom_kernel(policy: PolicyWithKernel, seg: Segments) -> KernelOutput | None:
    """Run ``policy.kernel`` on the groups with evidence, and word the reason of each ``None``.

    Your kernel may return an array of values (each of which may differ from your rule's by
    float rounding: they are all flagged ``inexact``, so a value near a level threshold is
    recomputed by the rule) or a :class:`~mastery_grading.policies.segments.KernelOutput`
    (whose unflagged values must equal the rule's bit for bit; its reasons are not used). A
    value that is neither finite nor ``NaN`` is left to the rule (``force``), which then
    raises its error. ``None`` leaves every group to the rule.

    Raises:
        InvalidTypeError: If the kernel returns something else.
        InvalidValueError: If it returns a number of values other than one per group.
    """
    if policy.kernel is None:
        return None
    inner = _filled(seg)
    size = inner.counts.shape[0]
    out = policy.kernel(policy, inner)
    if out is None:
        return None
    raw: Any
    if isinstance(out, KernelOutput):
        raw, inexact, force = out.values, out.inexact, out.force
    elif isinstance(out, np.ndarray | list | tuple):
        raw, inexact, force = out, np.ones(size, dtype=np.bool_), None
    else:
        raw = None
    try:
        values = None if raw is None else np.array(raw, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    if values is None:
        msg = (
            f"the kernel of custom policy {policy.name!r} returned {type(out).__name__}; "
            "expected an array of one number per group, a KernelOutput or None"
        )
        raise InvalidTypeError(msg)
    if values.shape != (size,):
        msg = (
            f"the kernel of custom policy {policy.name!r} gave values of shape {values.shape} "
            f"for {size} groups; expected one value per group"
        )
        raise InvalidValueError(msg)
    inexact = _mask(inexact, size, "inexact", policy.name)
    force = _mask(force, size, "force", policy.name) | np.isinf(values)
    reasons = GroupReasons(seg.counts.shape[0])
    spread = seg.per_group(values)
    reasons.fill(np.flatnonzero(np.isnan(spread) & seg.nonempty), f"{policy.name} gave no value")
    return KernelOutput(spread, seg.per_group(inexact, False), reasons, seg.per_group(force, False))


# -- the check -----------------------------------------------------------------------------------

_CHECK_TARGETS = {
    "marzano": LearningTarget(id="CHECK", title="kernel check"),
    "percent": LearningTarget(id="CHECK", title="kernel check", scale=Scale.percent()),
}
_START = datetime(2026, 9, 1, tzinfo=UTC)


def _random_scores(rng: np.random.Generator, kind: str, n: int) -> FloatArray:
    if kind == "halves":
        return rng.integers(0, 9, n) / 2.0
    if kind == "floats":
        return rng.uniform(0.0, 4.0, n)
    return rng.integers(0, 101, n).astype(np.float64)


def _batches(
    rng: np.random.Generator,
) -> list[tuple[LearningTarget, list[tuple[Evidence, ...]], bool, bool]]:
    """Random histories: half points, any floats with both kinds, percents with weights.

    Each batch is ``(target, histories, with_kinds, with_weights)``; lengths run from 1 to 10
    and about one history in six repeats one score.
    """
    batches = []
    for kind, scale_name, with_kinds, with_weights in (
        ("halves", "marzano", False, False),
        ("floats", "marzano", True, False),
        ("percents", "percent", True, True),
    ):
        target = _CHECK_TARGETS[scale_name]
        histories = []
        for _ in range(CHECK_HISTORIES):
            n = int(rng.integers(1, 11))
            scores = _random_scores(rng, kind, n)
            if rng.random() < 1 / 6:
                scores[:] = scores[0]
            summative = rng.random(n) < 0.6 if with_kinds else np.ones(n, dtype=np.bool_)
            weights = rng.choice([0.5, 1.0, 2.0], n) if with_weights else np.ones(n)
            histories.append(
                tuple(
                    Evidence(
                        student_id="s",
                        target_id=target.id,
                        score=float(scores[k]),
                        observed_at=_START + timedelta(days=k),
                        kind=EvidenceKind.SUMMATIVE if summative[k] else EvidenceKind.FORMATIVE,
                        weight=float(weights[k]),
                    )
                    for k in range(n)
                )
            )
        batches.append((target, histories, with_kinds, with_weights))
    return batches


def _segments_of(
    histories: list[tuple[Evidence, ...]], target: LearningTarget, kinds: bool, weights: bool
) -> Segments:
    counts = np.array([len(h) for h in histories], dtype=np.int64)
    starts = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    flat = [e for h in histories for e in h]
    scale = target.scale
    return Segments(
        score=np.array([e.score for e in flat], dtype=np.float64),
        weight=np.array([e.weight for e in flat], dtype=np.float64) if weights else None,
        summative=np.array([e.is_summative for e in flat], dtype=np.bool_) if kinds else None,
        group=np.repeat(np.arange(counts.size, dtype=np.int64), counts),
        starts=starts,
        counts=counts,
        mastery=np.full(counts.size, float(scale.mastery)),
        scale_min=np.full(counts.size, float(scale.min)),
        scale_max=np.full(counts.size, float(scale.max)),
    )


def _describe(history: tuple[Evidence, ...], scale: Scale) -> str:
    text = f"scores ({', '.join(f'{e.score:g}' for e in history)})"
    if not all(e.is_summative for e in history):
        text += f", kinds ({', '.join(e.kind.value for e in history)})"
    if any(e.weight != 1 for e in history):
        text += f", weights ({', '.join(f'{e.weight:g}' for e in history)})"
    return f"{text} on a {scale.min:g}-{scale.max:g} scale"


def _agrees(got: float, want: float | None, inexact: bool, span: float) -> bool:
    if want is None or math.isnan(got):
        return want is None and math.isnan(got)
    if not inexact:
        return got == want
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12 * span)


def check_kernel(policy: PolicyWithKernel) -> None:
    """Check ``policy.kernel`` against ``policy.fn`` on random histories; raise at the first miss.

    The histories (:data:`CHECK_HISTORIES` of each kind, from a fixed seed, lengths 1 to 10):
    half points on Marzano's 0-4 scale, all summative; any floats on 0-4 with formative and
    summative evidence; whole percents on 0-100 with both kinds and weights 0.5, 1 and 2. On
    every one the kernel must give the rule's value: ``NaN`` for ``None``, the same float where
    it does not flag the value ``inexact``, and within ``1e-9`` (relative) where it does.
    Values it flags ``force`` are the rule's by definition. The kernel may decline (return
    ``None``) the segments with weights or kinds, never the plain first ones. A pair of rule
    and kernel is checked once; making the policy again does not repeat the check.

    Raises:
        InvalidValueError: Naming the first history on which the kernel and the rule differ,
            or if the kernel declines the plain histories.

    Example:
        >>> import numpy as np
        >>> from mastery_grading.policies import custom_policy
        >>> def last_kernel(policy, seg):
        ...     return seg.score[seg.starts + seg.counts - 1]
        >>> custom_policy(lambda s: s[0], name="first", kernel=last_kernel)
        Traceback (most recent call last):
        ...
        mastery_grading.exceptions.InvalidValueError: the kernel of custom policy 'first' gives 1.0 for the scores (4, 0, 3, 1, 2.5, 0, 0.5, 2, 1) on a 0-4 scale, where the rule gives 4.0; a kernel must give the rule's value on every history (NaN for None)
    """  # noqa: E501
    kernel = policy.kernel
    if kernel is None:
        return
    key = (id(policy.fn), id(kernel), policy.takes_evidence)
    if key in _CHECKED:
        return
    rng = np.random.default_rng(20)
    for number, (target, histories, kinds, weights) in enumerate(_batches(rng)):
        out = custom_kernel(policy, _segments_of(histories, target, kinds, weights))
        if out is None:
            if number == 0:
                msg = (
                    f"the kernel of custom policy {policy.name!r} declined plain scores (no "
                    "weights, all summative); a kernel must compute from the segments' scores"
                )
                raise InvalidValueError(msg)
            continue
        inexact = np.zeros(len(histories), dtype=np.bool_) if out.inexact is None else out.inexact
        force = np.zeros(len(histories), dtype=np.bool_) if out.force is None else out.force
        span = target.scale.max - target.scale.min
        for g, history in enumerate(histories):
            if force[g]:
                continue
            want = policy.evaluate(history, target).value
            got = float(out.values[g])
            if not _agrees(got, want, bool(inexact[g]), span):
                shown = "NaN (no value)" if math.isnan(got) else repr(got)
                msg = (
                    f"the kernel of custom policy {policy.name!r} gives {shown} for the "
                    f"{_describe(history, target.scale)}, where the rule gives {want!r}; a "
                    "kernel must give the rule's value on every history (NaN for None)"
                )
                raise InvalidValueError(msg)
    _CHECKED[key] = (policy.fn, kernel)
