-- The domain rules that both the reader and the ingest apply, written once as macros that read no
-- table: a table macro is bound to its tables when it is created, and the ingest session has no
-- store, so these cannot live in rules.sql. dashboard/store.py loads this file before rules.sql;
-- the ingest session loads it after ingest/macros.sql (dashboard/sql/ingest/publish.sql uses it).

-- Crossing a line (DESIGN 4a and 9). A line is a threshold on a measure, training_flop or
-- effective_compute; a checkpoint's figure on the line is the one its measure names, and the
-- checkpoint reaches the line when that figure is at least the threshold.
CREATE OR REPLACE MACRO measure_of(measure, training_flop, effective_compute) AS
    CASE measure WHEN 'training_flop' THEN training_flop ELSE effective_compute END;
CREATE OR REPLACE MACRO reaches_line(measure, threshold, training_flop, effective_compute) AS
    measure_of(measure, training_flop, effective_compute) >= threshold;
-- Of the checkpoints reaching a line, the crossing is the first one, the one at the lowest step
-- (not the earliest recorded): crossing_step() is its step and at_crossing() a figure of it, such
-- as its recorded_at (the crossing date). Both are aggregates over the reaching checkpoints.
CREATE OR REPLACE MACRO crossing_step(step) AS min(step);
CREATE OR REPLACE MACRO at_crossing(figure, step) AS arg_min(figure, step);
