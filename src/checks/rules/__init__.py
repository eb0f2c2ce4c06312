"""The row rules, by table: anchoring, figures, relations, sentences. Coverage is a rule over the seed text itself."""
from .anchoring import RULES as ANCHORING
from .figures import RULES as FIGURES
from .relations import RULES as RELATIONS
from .sentences import RULES as SENTENCES

ROW_RULES = [*ANCHORING, *FIGURES, *RELATIONS, *SENTENCES]

#: The tables the rules read: each must be declared as a table resource, or the package cannot be validated.
REQUIRED_TABLES = ("sections", "indicators", "units", "readings", "figures", "figure_readings", "non_figures", "relations", "relation_terms", "sentences")


def rules_for(table: str):
    return [rule for rule in ROW_RULES if rule.table == table]
