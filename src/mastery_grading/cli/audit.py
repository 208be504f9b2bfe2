"""``mastery-grading audit``: the fairness axioms each policy satisfies."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from mastery_grading._extras import require
from mastery_grading.cli._common import Progress, emit, labelled_policies
from mastery_grading.policies import available_policies


def command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Audit each ``--policy`` (default: every built-in) and print the table of axioms.

    Example:
        >>> import io
        >>> from mastery_grading.cli import build_parser
        >>> out = io.StringIO()
        >>> args = build_parser().parse_args(
        ...     ["audit", "--policy", "most_recent", "--max-examples", "5", "--format", "json"])
        >>> command(args, out, io.StringIO()), '"label": "most_recent"' in out.getvalue()
        (0, True)
    """
    require("hypothesis", extra="fairness", feature="mastery-grading audit")
    from mastery_grading.testing import AuditTable, audit

    policies = labelled_policies(args.policy) if args.policy else available_policies()
    progress = Progress("auditing policies", args=args, stream=stderr)
    reports = []
    for done, policy in enumerate(policies.values(), start=1):
        reports.append(audit(policy, max_examples=args.max_examples))
        progress(done, len(policies))
    table = AuditTable(names=list(policies), reports=reports)
    if args.format == "json":
        document = {
            "audits": [
                {"label": label, **report.to_dict()}
                for label, report in zip(policies, reports, strict=True)
            ]
        }
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    elif args.format == "markdown":
        text = table.to_markdown() + "\n"
    elif args.format == "html":
        text = table.to_html("Policy audit")
    else:
        text = str(table) + "\n"
    emit(text, args.output, stdout)
    return 0
