-- obligation_list: the obligations of DESIGN section 9 this snapshot holds (empty without obligations.csv).
SELECT obligation_id, name, jurisdiction, threshold_flop, measure, clock, deadline_days, applies_from, source,
       deadline_hours, categories
FROM obligations
ORDER BY obligation_id
