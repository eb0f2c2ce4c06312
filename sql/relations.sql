-- The declared relations, evaluated in SQL: the second of two independent evaluations
-- (the first is src/checks/validate/rules/relations.py; `python -m checks validate` asserts they agree).
-- Needs the table views of sql/tables.sql. All arithmetic is on base values.
CREATE OR REPLACE VIEW relation_results AS
WITH terms AS (
    SELECT t.relation_id, t.role, f.base_value
    FROM relation_terms AS t
    LEFT JOIN figures AS f USING (figure_id)
),
sides AS (
    SELECT
        relation_id,
        count(*) FILTER (WHERE role = 'part')     AS n_part,
        count(*) FILTER (WHERE role = 'total')    AS n_total,
        count(*) FILTER (WHERE role = 'whole')    AS n_whole,
        count(*) FILTER (WHERE role = 'member')   AS n_member,
        count(*) FILTER (WHERE role = 'earlier')  AS n_earlier,
        count(*) FILTER (WHERE role = 'later')    AS n_later,
        count(*) FILTER (WHERE role = 'increase') AS n_increase,
        count(*) FILTER (WHERE role = 'fall')     AS n_fall,
        count(*) FILTER (WHERE role = 'rise')     AS n_rise,
        count(*) FILTER (WHERE role = 'count')    AS n_count,
        count(*) FILTER (WHERE role = 'factor')   AS n_factor,
        count(*) = count(base_value)              AS all_valued,
        sum(base_value) FILTER (WHERE role = 'part')     AS parts,
        product(base_value) FILTER (WHERE role = 'factor') AS factors,
        max(base_value) FILTER (WHERE role = 'total')    AS total,
        max(base_value) FILTER (WHERE role = 'whole')    AS whole,
        min(base_value) FILTER (WHERE role = 'member')   AS member_min,
        max(base_value) FILTER (WHERE role = 'member')   AS member_max,
        max(base_value) FILTER (WHERE role = 'earlier')  AS earlier,
        max(base_value) FILTER (WHERE role = 'later')    AS later,
        max(base_value) FILTER (WHERE role = 'increase') AS increase,
        coalesce(-max(base_value) FILTER (WHERE role = 'fall'), max(base_value) FILTER (WHERE role = 'rise')) AS change,
        max(base_value) FILTER (WHERE role = 'count')    AS stated_count
    FROM terms
    GROUP BY relation_id
),
fitted AS (
    SELECT
        r.relation_id, r.kind, r.tolerance, r.list_is_open, r.holds AS declared_holds,
        CASE WHEN r.items IS NULL THEN 0 ELSE len(string_split(r.items, ' | ')) END AS n_items,
        s.*,
        coalesce(CASE r.kind
            WHEN 'sum'            THEN n_part >= 2 AND n_total = 1 AND n_part + n_total = n_all
            WHEN 'product'        THEN n_factor >= 2 AND n_total = 1 AND n_factor + n_total = n_all
            WHEN 'not_more_than'  THEN n_part >= 1 AND n_whole = 1 AND n_part + n_whole = n_all
            WHEN 'equal'          THEN n_member >= 2 AND n_member = n_all
            WHEN 'difference'     THEN n_earlier = 1 AND n_later = 1 AND n_increase = 1 AND n_all = 3
            WHEN 'percent_change' THEN n_earlier = 1 AND n_later = 1 AND n_fall + n_rise = 1 AND n_all = 3
            WHEN 'count_of_items' THEN n_count = 1 AND n_all = 1
        END, false) AS terms_fit
    FROM relations AS r
    LEFT JOIN (
        SELECT *, n_part + n_total + n_whole + n_member + n_earlier + n_later + n_increase + n_fall + n_rise + n_count + n_factor AS n_all
        FROM sides
    ) AS s USING (relation_id)
),
evaluated AS (
    SELECT
        relation_id, kind, tolerance, list_is_open, declared_holds, terms_fit AND coalesce(all_valued, false) AS evaluable,
        CASE kind
            WHEN 'sum'            THEN parts
            WHEN 'product'        THEN factors
            WHEN 'not_more_than'  THEN parts
            WHEN 'equal'          THEN member_min
            WHEN 'difference'     THEN later - earlier
            WHEN 'percent_change' THEN (later - earlier) / earlier * 100
            WHEN 'count_of_items' THEN n_items
        END AS lhs,
        CASE kind
            WHEN 'sum'            THEN total
            WHEN 'product'        THEN total
            WHEN 'not_more_than'  THEN whole
            WHEN 'equal'          THEN member_max
            WHEN 'difference'     THEN increase
            WHEN 'percent_change' THEN change
            WHEN 'count_of_items' THEN stated_count
        END AS rhs,
        earlier
    FROM fitted
)
SELECT
    relation_id, kind, lhs, rhs,
    CASE WHEN NOT evaluable THEN NULL ELSE CASE kind
        WHEN 'sum'            THEN abs(lhs - rhs) <= tolerance
        WHEN 'product'        THEN abs(lhs - rhs) <= tolerance
        WHEN 'not_more_than'  THEN lhs <= rhs + tolerance
        WHEN 'equal'          THEN rhs - lhs <= tolerance
        WHEN 'difference'     THEN abs(lhs - rhs) <= tolerance
        WHEN 'percent_change' THEN abs(lhs - rhs) <= tolerance AND earlier = floor(earlier)
        WHEN 'count_of_items' THEN CASE WHEN list_is_open THEN lhs <= rhs ELSE lhs = rhs END
    END END AS holds,
    declared_holds
FROM evaluated
ORDER BY relation_id;
COMMENT ON VIEW relation_results IS 'Every declared relation evaluated in SQL on base values: lhs, rhs, whether it holds, and what the data declares.';
COMMENT ON COLUMN relation_results.relation_id IS 'Identifier of the relation (see relations).';
COMMENT ON COLUMN relation_results.kind IS 'The kind of relation: sum, product, not_more_than, equal, difference, percent_change, count_of_items.';
COMMENT ON COLUMN relation_results.lhs IS 'Left-hand side, from the base values of the terms: the sum of the parts, the product of the factors, the smallest member, later - earlier, the percentage change, or the number of items listed.';
COMMENT ON COLUMN relation_results.rhs IS 'Right-hand side: the stated total, whole, largest member, increase, change or count.';
COMMENT ON COLUMN relation_results.holds IS 'Whether lhs and rhs agree within the tolerance, as the kind says; empty when the terms do not fit the kind or a value is missing.';
COMMENT ON COLUMN relation_results.declared_holds IS 'Whether the data declares that the relation holds (relations.holds); validation asserts it equals holds.';
