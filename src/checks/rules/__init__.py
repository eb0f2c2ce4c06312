"""The row rules, by table: anchoring, figures, measures, relations, corroborations, sentences. Coverage is a rule over the seed text itself."""
from .anchoring import RULES as ANCHORING
from .corroborations import RULES as CORROBORATIONS
from .figures import RULES as FIGURES
from .measures import RULES as MEASURES
from .relations import RULES as RELATIONS
from .sentences import RULES as SENTENCES

ROW_RULES = [*ANCHORING, *FIGURES, *MEASURES, *RELATIONS, *CORROBORATIONS, *SENTENCES]


def rules_for(table: str):
    return [rule for rule in ROW_RULES if rule.table == table]
