-- Topic views: the questions a researcher asks, answered without joins.
-- Needs the tables (sql/tables.sql, or the Python loader), sql/views.sql and sql/relations.sql.
-- Runs unchanged in DuckDB 2.0 (Python) and the DuckDB 1.5 CLI.

-- The columns most questions need, one row per figure; the topic views select from it.
CREATE OR REPLACE VIEW figures_brief AS
SELECT figure_id, topic, stated, indicator_id, indicator_en, indicator_zh, value, unit, base_value, base_unit,
       measure, per, qualifier, period_start, period_end, period_text, scope_zh, scope_en, quote
FROM figures_labelled;
COMMENT ON VIEW figures_brief IS 'Every figure with its labels, value, unit, base value, measure and per, qualifier, period and scope: the columns most questions need.';

CREATE OR REPLACE VIEW money AS
SELECT figure_id, indicator_en AS purpose_en, indicator_zh AS purpose_zh, stated, value, unit,
       base_value AS cny, base_value / 100000000 AS yi_yuan, measure, per, qualifier,
       period_start, period_end, period_text, scope_zh, scope_en, quote
FROM figures_brief
WHERE base_unit = 'CNY'
ORDER BY figure_id;
COMMENT ON VIEW money IS 'Every money figure in yuan (cny) and in 亿元 (yi_yuan, 1e8 yuan), with its measure and per (sum only within one of each), what it was for, its period and scope. The penalty standard (F048) lost its unit and is not here.';
COMMENT ON COLUMN money.yi_yuan IS 'The amount in 亿元 (yi yuan, 100 million yuan): cny / 100000000.';

-- 622 villages, the 200 + 8 drawn from them (relation L03), and what the 208 reached (relation L07).
CREATE OR REPLACE VIEW village_cohort AS
WITH stages AS (
    SELECT figure_id,
           CASE role WHEN 'whole' THEN 1 ELSE 2 END AS step,
           CASE role WHEN 'whole' THEN 'all villages of the district' ELSE 'selected for paired assistance' END AS stage
    FROM relation_terms WHERE relation_id = 'L03'
    UNION ALL
    SELECT figure_id, 3, 'what the 208 reached' FROM relation_terms WHERE relation_id = 'L07'
)
SELECT s.step, s.stage, f.figure_id, f.indicator_en, f.indicator_zh, CAST(f.base_value AS BIGINT) AS villages,
       f.period_start, f.period_end, f.period_text, f.quote
FROM stages AS s
JOIN figures_brief AS f USING (figure_id)
ORDER BY s.step, f.figure_id;
COMMENT ON VIEW village_cohort IS 'The village cohort: the district''s 622 villages, the 200 + 8 selected from them, and what the 208 reached.';
COMMENT ON COLUMN village_cohort.step IS 'Order of the stage in the story: 1 all villages, 2 the villages selected, 3 what the 208 reached.';
COMMENT ON COLUMN village_cohort.stage IS 'The stage, in English: all villages of the district; selected for paired assistance; what the 208 reached.';
COMMENT ON COLUMN village_cohort.villages IS 'How many villages (the figure''s base value, as an integer).';

CREATE OR REPLACE VIEW industry_projects AS
SELECT f.figure_id, f.indicator_en AS projects_en, f.indicator_zh AS projects_zh, CAST(f.base_value AS BIGINT) AS projects,
       t.role AS role_in_sum, f.period_text, f.quote
FROM figures_brief AS f
LEFT JOIN (
    SELECT figure_id, role FROM relation_terms
    WHERE relation_id IN (SELECT relation_id FROM relations WHERE kind = 'sum')
) AS t USING (figure_id)
WHERE f.topic = 'industry' AND f.base_unit = 'count' AND f.indicator_id LIKE '%projects%'
ORDER BY f.figure_id;
COMMENT ON VIEW industry_projects IS 'The industrial projects by type (14 agriculture + 2 logistics + 10 commercial buildings = 26), and those operating, supported and fostered.';
COMMENT ON COLUMN industry_projects.projects IS 'How many projects (the figure''s base value, as an integer).';
COMMENT ON COLUMN industry_projects.role_in_sum IS 'The figure''s role in the sum of projects by type (part or total; see relation_terms); empty if it is in none.';

CREATE OR REPLACE VIEW party_building AS
SELECT * EXCLUDE (topic) FROM figures_brief WHERE topic = 'organisation' ORDER BY figure_id;
COMMENT ON VIEW party_building IS 'Organisation and Party building (section 1): branches, cadres, committees, rules, service centres, operating funds.';

CREATE OR REPLACE VIEW governance_and_petitions AS
SELECT * EXCLUDE (topic) FROM figures_brief WHERE topic = 'governance' ORDER BY figure_id;
COMMENT ON VIEW governance_and_petitions IS 'Governance (section 4): civilised villages, volunteers, Sharp Eyes cameras, and petitions, with the derived count of the year before.';

CREATE OR REPLACE VIEW social_protection AS
SELECT * EXCLUDE (topic) FROM figures_brief WHERE topic = 'social_protection' ORDER BY figure_id;
COMMENT ON VIEW social_protection IS 'Basic social protection (section 5): people in need, contact cadres, students, medical insurance, housing, jobs.';

-- The sentence around each figure, computed from the seed text (table source_text). A sentence ends at 。！？
-- or a line break. A derived figure has no words of its own: it gets those of the relation that implies it.
CREATE OR REPLACE VIEW figures_in_context AS
WITH spans AS (
    SELECT figure_id, char_start, char_end FROM figures WHERE char_start IS NOT NULL
    UNION ALL
    SELECT t.figure_id, r.char_start, r.char_end
    FROM figures AS f
    JOIN relation_terms AS t USING (figure_id)
    JOIN relations AS r USING (relation_id)
    WHERE f.char_start IS NULL
),
chars AS (
    SELECT unnest(range(0, length("text"))) AS pos, "text" FROM source_text
),
breaks AS (  -- pos: offset of the break; a sentence starts after it, and ends at stop (after 。, before a line break)
    SELECT pos, CASE WHEN substring("text", pos + 1, 1) = chr(10) THEN pos ELSE pos + 1 END AS stop
    FROM chars
    WHERE substring("text", pos + 1, 1) IN ('。', '！', '？', chr(10))
),
bounds AS (
    SELECT s.figure_id, s.char_start, s.char_end,
           coalesce((SELECT max(b.pos) FROM breaks AS b WHERE b.pos < s.char_start) + 1, 0) AS sentence_start,
           coalesce((SELECT min(b.stop) FROM breaks AS b WHERE b.pos >= s.char_end), (SELECT length("text") FROM source_text)) AS sentence_end
    FROM spans AS s
)
SELECT f.figure_id, f.stated, f.indicator_en, f.value, f.unit, f.measure, f.per, f.quote, b.char_start, b.char_end,
       b.sentence_start, b.sentence_end,
       substring(x."text", b.sentence_start + 1, b.sentence_end - b.sentence_start) AS sentence
FROM bounds AS b
JOIN figures_brief AS f USING (figure_id)
CROSS JOIN source_text AS x
ORDER BY f.figure_id;
COMMENT ON VIEW figures_in_context IS 'Every figure with the sentence of the text around it (code-point offsets into the seed; derived figures: the sentence of the relation that implies them).';
COMMENT ON COLUMN figures_in_context.char_start IS 'Start of the figure''s span in the seed (0-based code point); for a derived figure, of the words of the relation that implies it.';
COMMENT ON COLUMN figures_in_context.char_end IS 'End of that span, exclusive.';
COMMENT ON COLUMN figures_in_context.sentence_start IS 'Start of the sentence around the span (0-based code point): after the previous 。！？ or line break.';
COMMENT ON COLUMN figures_in_context.sentence_end IS 'End of the sentence, exclusive: after its 。！？, or before the line break that ends it.';
COMMENT ON COLUMN figures_in_context.sentence IS 'The sentence of the seed text around the figure.';

CREATE OR REPLACE VIEW relations_explained AS
SELECT r.relation_id, r.kind, r.description, r.implied_by, r.tolerance, r.list_is_open, r.items, t.terms,
       x.lhs, x.rhs, x.holds, x.declared_holds
FROM relations AS r
JOIN relation_results AS x USING (relation_id)
LEFT JOIN (
    SELECT relation_id, string_agg(figure_id || ' ' || role, ', ' ORDER BY figure_id) AS terms
    FROM relation_terms GROUP BY relation_id
) AS t USING (relation_id)
ORDER BY r.relation_id;
COMMENT ON VIEW relations_explained IS 'Every declared relation with the words that imply it, its figures and roles, tolerance, whether the list is open, and the SQL result.';
COMMENT ON COLUMN relations_explained.terms IS 'The relation''s figures, each as figure_id and role (see relation_terms), separated by commas.';
