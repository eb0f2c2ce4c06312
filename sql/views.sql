-- Views for readers: figures with their labels, units and section headings in both languages.
-- Needs the table views of sql/tables.sql.
CREATE OR REPLACE VIEW figures_labelled AS
SELECT
    f.figure_id, f.stated, s.section_id, s.heading_en AS section_en, s.heading_zh AS section_zh,
    f.indicator_id, i.label_en AS indicator_en, i.label_zh AS indicator_zh, i.topic,
    f.quote, f.char_start, f.char_end,
    f.value, f.date_value, f.unit, u.label_en AS unit_en, f.base_value, f.base_unit, f.qualifier,
    f.period_start, f.period_end, f.period_text, f.scope_zh, f.scope_en, f.formula, f.note
FROM figures AS f
JOIN sections AS s USING (section_id)
JOIN indicators AS i USING (indicator_id)
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
