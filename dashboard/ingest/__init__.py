from dashboard.ingest.publish import *  # noqa: F401,F403
from dashboard.ingest.publish import (MAX_PROBLEMS_KEPT, _check_columns, _first_unread_line, _fsync_dir,  # noqa: F401
                                      _not_a_regular_file, _scan_problem, _show_value)
