-- DESIGN section 9: threshold_flop a finite FLOP count > 0 (below 1e6 it is taken for log10 FLOP,
-- as everywhere else); measure and clock from their lists; deadline_days a whole number of days
-- (0 to 100000), required for after_crossing and empty for before_first_deployment; applies_from a
-- date or empty. DESIGN section 12: a clock after_awareness starts when the lab becomes aware of an
-- incident, not at a crossing: threshold_flop, measure and deadline_days empty; deadline_hours a
-- whole number of hours (1 to 100000) and categories (incident categories separated by ";", each a
-- lowercase word of letters and "_") required, and both empty for the other clocks. categories is
-- published as its words, sorted, without repeats, joined by ";".
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
       parse_int(deadline_hours) AS deadline_hours,
       nullif(array_to_string(list_sort(list_distinct(parse_list(categories))), ';'), '') AS categories,
       problems([
           chk_id('obligation_id', obligation_id, 'an obligation id'),
           CASE WHEN trim(clock) = 'after_awareness'
                THEN CASE WHEN NOT blank(threshold_flop)
                          THEN problem('threshold_flop', threshold_flop,
                                       'empty for clock after_awareness (an incident starts it, not a crossing)') END
                ELSE chk_flop('threshold_flop', threshold_flop, false) END,
           CASE WHEN trim(clock) = 'after_awareness'
                THEN CASE WHEN NOT blank(measure)
                          THEN problem('measure', measure, 'empty for clock after_awareness (it has no line)') END
                ELSE chk_enum('measure', measure, ['training_flop', 'effective_compute']) END,
           chk_enum('clock', clock, ['after_crossing', 'before_first_deployment', 'after_awareness']),
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
               WHEN trim(clock) = 'after_awareness' AND NOT blank(deadline_days)
                   THEN problem('deadline_days', deadline_days,
                                'empty for clock after_awareness (its deadline is deadline_hours)')
           END,
           chk_date('applies_from', applies_from, true),
           CASE
               WHEN NOT blank(deadline_hours) AND (NOT is_int_text(deadline_hours)
                                                   OR parse_int(deadline_hours) < 1 OR parse_int(deadline_hours) > 100000)
                   THEN problem('deadline_hours', deadline_hours, 'a whole number of hours from 1 to 100000')
               WHEN trim(clock) = 'after_awareness' AND blank(deadline_hours)
                   THEN problem('deadline_hours', deadline_hours,
                                'a whole number of hours (1 or more), required for clock after_awareness')
               WHEN trim(clock) IS DISTINCT FROM 'after_awareness' AND NOT blank(deadline_hours)
                   THEN problem('deadline_hours', deadline_hours, 'empty unless the clock is after_awareness')
           END,
           CASE
               WHEN trim(clock) = 'after_awareness' AND len(parse_list(categories)) = 0
                   THEN problem('categories', categories,
                                'incident categories separated by ";" (such as death;serious_harm), '
                                || 'required for clock after_awareness')
               WHEN NOT blank(categories) AND (length(categories) > 1000
                    OR NOT list_bool_and(list_transform(parse_list(categories),
                                                        lambda item: regexp_full_match(item, '[a-z_]{1,64}'))))
                   THEN problem('categories', categories,
                                'incident categories separated by ";", each a lowercase word of letters a-z and "_" '
                                || '(at most 64 characters), such as death;serious_harm')
               WHEN trim(clock) IS DISTINCT FROM 'after_awareness' AND NOT blank(categories)
                   THEN problem('categories', categories, 'empty unless the clock is after_awareness')
           END
       ]) AS problems
FROM raw_obligations;
