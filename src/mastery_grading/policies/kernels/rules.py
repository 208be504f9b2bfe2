"""Kernel of evidence rules (:mod:`mastery_grading.policies.rules`): a mask, then the inner kernel.

Requires numpy; registered by :mod:`mastery_grading.policies.rules` and loaded on first use.

Example:
    >>> from mastery_grading.policies import Filtered, Mean, kernel_for
    >>> kernel_for(Filtered(inner=Mean(), summative_only=True)) is filtered_kernel
    True
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mastery_grading._extras import require
from mastery_grading.policies.kernel_registry import kernel_for
from mastery_grading.policies.rules import INSUFFICIENT, Filtered
from mastery_grading.policies.segments import (
    GroupReasons,
    KernelOutput,
    Segments,
    compress,
    micros,
)

if TYPE_CHECKING:
    import numpy as np
else:
    np = require("numpy", extra="data", feature="the vectorized engine")

__all__ = ["filtered_kernel"]


def filtered_kernel(policy: Filtered, seg: Segments) -> KernelOutput | None:
    """Evidence rules as one mask, then the inner policy's kernel on the kept positions.

    Date (not datetime) bounds depend on each evidence's own time zone, so a policy with one,
    or with an inner policy without a kernel, is evaluated group by group instead; so is a rule
    on times, independence or contexts when the segments carry no evidence columns (as the
    simulation's score matrices).
    """
    inner = kernel_for(policy.inner)
    bounds = (policy.as_of, policy.start, policy.end)
    if inner is None or any(b is not None and not isinstance(b, datetime) for b in bounds):
        return None
    needs_columns = policy.independent_only or policy.contexts is not None
    if seg.columns is None and (needs_columns or any(b is not None for b in bounds)):
        return None
    keep = np.ones(seg.score.size, dtype=np.bool_)
    if policy.summative_only and seg.summative is not None:
        keep &= seg.summative
    if policy.independent_only:
        independent = seg.column("independent")
        if independent is not None:
            keep &= independent
    if any(b is not None for b in bounds):
        time = seg.column("time")
        if policy.as_of is not None:
            keep &= time <= micros(policy.as_of)  # type: ignore[arg-type]
        if policy.start is not None:
            keep &= time >= micros(policy.start)  # type: ignore[arg-type]
        if policy.end is not None:
            keep &= time <= micros(policy.end)  # type: ignore[arg-type]
    if policy.contexts is not None:
        labels = getattr(seg.columns, "context_labels", None) or []
        allowed = [i for i, label in enumerate(labels) if label in policy.contexts]
        context = seg.column("context")
        if context is None or not allowed:
            keep[:] = False
        else:
            keep &= np.isin(context, allowed)
    kept = compress(seg, keep)
    out = inner(policy.inner, kept)
    if out is None:
        return None
    values = out.values
    reasons = GroupReasons(seg.counts.shape[0])
    reasons.update(out.reasons)
    short = seg.nonempty & (kept.counts < policy.min_evidence)
    empty = seg.nonempty & (kept.counts == 0) & ~short
    if short.any():
        texts = [
            f"{INSUFFICIENT}: {n} {'piece passes' if n == 1 else 'pieces pass'} the rules, "
            f"{policy.min_evidence} needed"
            for n in range(policy.min_evidence)
        ]
        reasons.fill_coded(short, kept.counts, texts)
    reasons.fill(empty, f"no evidence passes the rules ({'; '.join(policy.rules)})")
    undecided = short | empty
    values[undecided] = np.nan
    inexact = None if out.inexact is None else out.inexact & ~undecided
    force = None if out.force is None else out.force & ~undecided
    return KernelOutput(values, inexact, reasons, force)
