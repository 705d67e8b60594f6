-- asl_levels: the AI Safety Levels defined in the snapshot.
SELECT asl_level, name, description FROM asl_levels ORDER BY asl_level
