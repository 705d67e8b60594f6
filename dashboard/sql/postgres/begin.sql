-- One consistent read of every table: they are all read as of the same moment, and nothing is written.
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY
