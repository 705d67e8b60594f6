"""Test app (tests/test_data_is_never_markup.py): each hostile string of the matrix rendered through
md_escape in every Markdown-rendering element the dashboard uses, one container per case."""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from dashboard.text import md_escape  # noqa: E402

cases = json.loads(Path(os.environ["ASL_MARKDOWN_MATRIX"]).read_text(encoding="utf-8"))


def render() -> None:
    for index, text in enumerate(cases):
        with st.container(key=f"case-{index}"):
            st.markdown(md_escape(text))
            st.caption(md_escape(text))
            st.title(md_escape(text))
            st.error(md_escape(text))
            st.markdown(f"| a | b |\n|---|---|\n| {md_escape(text)} | x |")  # a table cell, as in the brief
            st.page_link(page, label=md_escape(text))


page = st.Page(render, title="Matrix", url_path="matrix", default=True)
st.navigation([page], position="hidden").run()
