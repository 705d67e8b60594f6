"""Public sources made into an input folder, by source (epoch, models_dev) and by step (names,
matching, report); dashboard/public_import.py runs the steps."""
