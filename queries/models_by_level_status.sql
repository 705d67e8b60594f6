-- models_by_level_status: how many models at each ASL level are in each lifecycle status.
SELECT asl_level, status, count(*) AS models FROM models GROUP BY asl_level, status ORDER BY asl_level, status
