-- model_levels: every model's ASL level as of a date (DESIGN 4a; the rule is levels_as_of() in
-- dashboard/sql/rules.sql, which status, at_risk and at_risk_models use too).
SELECT model_id, asl_level FROM levels_as_of($as_of) ORDER BY model_id
