-- DESIGN section 9: threshold_flop a finite FLOP count > 0 (below 1e6 it is taken for log10 FLOP,
-- as everywhere else); measure and clock from their lists; deadline_days a whole number of days
-- (0 to 100000), required for after_crossing and empty for before_first_deployment; applies_from a
-- date or empty.
CREATE TABLE typed_obligations AS
SELECT row_index,
       clean_text(obligation_id) AS obligation_id,
       clean_text(name) AS name,
       clean_text(jurisdiction) AS jurisdiction,
       parse_num(threshold_flop) AS threshold_flop,
       clean_text(measure) AS measure,
       clean_text(clock) AS clock,
       parse_int(deadline_days) AS deadline_days,
       parse_date(applies_from) AS applies_from,
       clean_text(source) AS source,
       problems([
           chk_id('obligation_id', obligation_id, 'an obligation id'),
           chk_flop('threshold_flop', threshold_flop, false),
           chk_enum('measure', measure, ['training_flop', 'effective_compute']),
           chk_enum('clock', clock, ['after_crossing', 'before_first_deployment']),
           CASE
               WHEN NOT blank(deadline_days) AND NOT is_int_text(deadline_days)
                   THEN problem('deadline_days', deadline_days, 'a whole number of days (0 or more)')
               WHEN NOT blank(deadline_days) AND (parse_int(deadline_days) < 0 OR parse_int(deadline_days) > 100000)
                   THEN problem('deadline_days', deadline_days, 'a whole number of days from 0 to 100000')
               WHEN trim(clock) = 'after_crossing' AND blank(deadline_days)
                   THEN problem('deadline_days', deadline_days,
                                'a whole number of days (0 or more), required for clock after_crossing')
               WHEN trim(clock) = 'before_first_deployment' AND NOT blank(deadline_days)
                   THEN problem('deadline_days', deadline_days,
                                'empty for clock before_first_deployment (its deadline is the first deployment)')
           END,
           chk_date('applies_from', applies_from, true)
       ]) AS problems
FROM raw_obligations;
