"""The benchmark's baseline page: as many elements of each kind as the largest real page, drawn
from precomputed data (no queries, no computation): the largest page's chart specs and tables.
ASL_BENCH_BASELINE names the pickle to draw."""
from __future__ import annotations

import json
import os
import pickle

import streamlit as st

with open(os.environ["ASL_BENCH_BASELINE"], "rb") as handle:
    payload = pickle.load(handle)

for index in range(payload["caption"]):
    st.caption(f"caption {index}")
for index in range(payload["markdown"]):
    st.markdown(f"markdown {index}")
for index in range(payload["metric"]):
    st.metric(f"metric {index}", index)
for index, spec in enumerate(payload["plotly_chart"]):
    st.plotly_chart(json.loads(spec), key=f"chart-{index}")
for frame in payload["dataframe"]:  # the largest page's tables, precomputed
    st.dataframe(frame)
