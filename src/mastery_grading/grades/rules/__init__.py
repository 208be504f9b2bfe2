"""The language of letter rules: conditions, letter rules, their compiled form and presets.

A letter rule is a conjunction of conditions, and every condition only depends on how many
targets of a tag group lie in a range of values (:mod:`~mastery_grading.grades.rules.conditions`).
A list of rules is compiled to counts per (tag group, value band)
(:mod:`~mastery_grading.grades.rules._compiled`), the form both the rule set
(:class:`~mastery_grading.grades.RuleSet`) and its coverage check
(:mod:`~mastery_grading.grades.coverage`) work on. The rule set itself lives one layer up, in
:mod:`mastery_grading.grades.ruleset`, because its claims come from the coverage check.
"""

from mastery_grading.grades.rules.conditions import (
    ENGLISH_WORDS,
    RULE_MESSAGES,
    Condition,
    ConditionSpec,
    LetterRule,
    LetterRuleSpec,
    MasteredAndProgressing,
    MasteredAndProgressingSpec,
    Op,
    RuleWords,
    Tally,
    TallySpec,
    count_at_or_above,
    no_target_below,
    share_at_or_above,
    share_between,
    some_target_below,
)

__all__ = [
    "ENGLISH_WORDS",
    "RULE_MESSAGES",
    "Condition",
    "ConditionSpec",
    "LetterRule",
    "LetterRuleSpec",
    "MasteredAndProgressing",
    "MasteredAndProgressingSpec",
    "Op",
    "RuleWords",
    "Tally",
    "TallySpec",
    "count_at_or_above",
    "no_target_below",
    "share_at_or_above",
    "share_between",
    "some_target_below",
]
