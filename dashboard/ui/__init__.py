"""What every page shares, by concern (pages use `ui.<name>`):

- `cache`: the snapshot, cached figures and views (the data itself: dashboard/questions);
- `url`: URL parameters checked, widgets kept in the address bar, links to a view;
- `scope`: the as-of date and policy, the header, page context and error reports;
- `layout`: styles, tiles, print copies, the snapshot summary and data caveats."""
from __future__ import annotations

from dashboard.ui.cache import (
    current_snapshot,
    figure,
    figure_of,
    text_of,
)
from dashboard.ui.url import (
    SCOPE_PARAMS,
    raw_param,
    check_choices,
    check_flag,
    stop_with_problem,
    write_to_url,
    write_list_to_url,
    put_in_url,
    show_in_widget,
    view_url,
    link_to_this_view,
    scope_query_params,
    link_query,
    page_menu,
)
from dashboard.ui.scope import (
    PageContext,
    model_labels,
    scope_controls,
    header,
    page_context,
    pinned_context,
    report_unexpected,
)
from dashboard.ui.layout import (
    PRINT_ROWS,
    page_styles,
    metric_rows,
    shown_frame,
    grid_of,
    status_counts,
    print_table,
    print_table_of,
    screen_hint,
    shown_and_all_downloads,
    snapshot_summary,
    row_counts,
    data_caveats,
    review_decisions,
)

__all__ = [
    "current_snapshot",
    "figure",
    "figure_of",
    "text_of",
    "SCOPE_PARAMS",
    "raw_param",
    "check_choices",
    "check_flag",
    "stop_with_problem",
    "write_to_url",
    "write_list_to_url",
    "put_in_url",
    "show_in_widget",
    "view_url",
    "link_to_this_view",
    "scope_query_params",
    "link_query",
    "page_menu",
    "PageContext",
    "model_labels",
    "scope_controls",
    "header",
    "page_context",
    "pinned_context",
    "report_unexpected",
    "PRINT_ROWS",
    "page_styles",
    "metric_rows",
    "shown_frame",
    "grid_of",
    "status_counts",
    "print_table",
    "print_table_of",
    "screen_hint",
    "shown_and_all_downloads",
    "snapshot_summary",
    "row_counts",
    "data_caveats",
    "review_decisions",
]
