"""The row rules, by table: anchoring, figures, measures, scopes, relations, corroborations, sentences. Coverage is a
rule over the seed text itself."""

from checks.validate.rules.anchoring import RULES as ANCHORING
from checks.validate.rules.corroborations import RULES as CORROBORATIONS
from checks.validate.rules.figures import RULES as FIGURES
from checks.validate.rules.invisible import rule_for as invisible_rule_for
from checks.validate.rules.measures import RULES as MEASURES
from checks.validate.rules.relations import RULES as RELATIONS
from checks.validate.rules.scopes import RULES as SCOPES
from checks.validate.rules.sentences import RULES as SENTENCES

ROW_RULES = [*ANCHORING, *FIGURES, *MEASURES, *SCOPES, *RELATIONS, *CORROBORATIONS, *SENTENCES]


def rules_for(table: str):
    return [rule for rule in ROW_RULES if rule.table == table] + [invisible_rule_for(table)]
