-- Views for readers: figures with their labels, units and section headings in both languages.
-- Needs the table views of sql/tables.sql.
CREATE OR REPLACE VIEW figures_labelled AS
SELECT
    f.figure_id, f.stated, s.section_id, s.heading_en AS section_en, s.heading_zh AS section_zh,
    f.indicator_id, i.label_en AS indicator_en, i.label_zh AS indicator_zh, i.topic, i.concept_id, c.label_en AS concept_en, c.label_zh AS concept_zh,
    f.quote, f.char_start, f.char_end,
    f.value, f.date_value, f.unit, u.label_en AS unit_en, f.base_value, f.base_unit, f.qualifier, f.measure, f.per,
    f.period_start, f.period_end, f.period_text, f.scope_zh, f.scope_en, f.formula, f.note
FROM figures AS f
JOIN sections AS s USING (section_id)
JOIN indicators AS i USING (indicator_id)
JOIN concepts AS c USING (concept_id)
LEFT JOIN units AS u USING (unit)
ORDER BY f.figure_id;
COMMENT ON VIEW figures_labelled IS 'Every figure with its indicator, topic, unit and section labelled in Chinese and English.';

-- Every reading with the figures that depend on it (none for readings that only record damage).
CREATE OR REPLACE VIEW readings_with_figures AS
SELECT r.reading_id, r.kind, r.status, r.written, r.adopted, r.char_start, r.char_end,
       string_agg(fr.figure_id || ':' || fr.aspect, ' ' ORDER BY fr.figure_id) AS figures, r.reason
FROM readings AS r
LEFT JOIN figure_readings AS fr USING (reading_id)
GROUP BY ALL
ORDER BY r.reading_id;
COMMENT ON VIEW readings_with_figures IS 'Every reading of damaged or ambiguous text, with the figures (and aspects) that depend on it.';
COMMENT ON COLUMN readings_with_figures.figures IS 'The figures that depend on the reading, each as figure_id:aspect (see figure_readings), separated by spaces; empty when none does.';

-- Every figure that another published source corroborates: how many sources, and with which verdicts.
CREATE OR REPLACE VIEW figures_corroborated AS
SELECT f.figure_id, f.quote, f.value, f.unit, f.measure, f.per, f.scope_en,
       count(*) AS corroborations,
       count(*) FILTER (WHERE c.verdict = 'agrees')  AS agrees,
       count(*) FILTER (WHERE c.verdict = 'differs') AS differs,
       count(*) FILTER (WHERE c.verdict = 'refines') AS refines,
       array_to_string(list_sort(list(DISTINCT c.source_id)), ' ') AS sources
FROM figures AS f
JOIN corroborations AS c USING (figure_id)
GROUP BY f.figure_id, f.quote, f.value, f.unit, f.measure, f.per, f.scope_en
ORDER BY f.figure_id;
COMMENT ON VIEW figures_corroborated IS 'Every figure that another published source corroborates, with how many sources and their verdicts.';
COMMENT ON COLUMN figures_corroborated.corroborations IS 'How many corroborations (see corroborations) the figure has.';
COMMENT ON COLUMN figures_corroborated.agrees IS 'How many of them agree with the figure.';
COMMENT ON COLUMN figures_corroborated.differs IS 'How many of them state a different number.';
COMMENT ON COLUMN figures_corroborated.refines IS 'How many of them state the number more precisely or for a narrower scope.';
COMMENT ON COLUMN figures_corroborated.sources IS 'The corroborating sources (see sources), their source_id separated by spaces.';
