"""Dates are honest: researched facts vs a live-Hub refresh, and a refresh that refreshed nothing."""
import json
import shutil
from datetime import date

import pytest

from course_utils import data, hub
from course_utils.errors import CourseError
from course_utils.refresh import refresh_snapshot


def test_shipped_snapshot_is_labelled_as_researched_course_facts():
    day = hub.snapshot()[0]
    assert hub.snapshot_source() == f"course facts researched {day} (sources listed)"
    assert hub.model_summary("facebook/opt-6.7b").source == hub.snapshot_source()


def test_refresh_that_refreshed_nothing_changes_nothing(live_hub, tmp_path):
    live_hub({})  # the fake Hub answers 404 for every model
    out = tmp_path / "snap.json"
    with pytest.raises(CourseError, match="refreshed nothing") as err:
        refresh_snapshot(out=str(out), progress=False)
    assert hub.snapshot()[0] in str(err.value) and not out.exists()


def test_partial_refresh_labels_each_record_by_where_it_came_from(live_hub, tmp_path, monkeypatch):
    from fakehub import record

    researched = hub.snapshot_source()
    live_hub({"facebook/opt-6.7b": record("facebook/opt-6.7b", license="other",
                                          cardData={"license": "other", "license_name": "opt-175b"})})
    target = tmp_path / "data"
    shutil.copytree(data.data_dir(), target)
    result = refresh_snapshot(out=str(target / "hub_snapshot.json"), progress=False)
    doc = json.loads((target / "hub_snapshot.json").read_text())
    assert result.refreshed == 1 and doc["kind"] == "hub" and doc["snapshot_date"] == date.today().isoformat()
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(target))
    today = date.today().isoformat()
    assert hub.snapshot_source() == f"Hub, {today}" and hub.snapshot_source("facebook/opt-6.7b") == f"Hub, {today}"
    assert hub.snapshot_source("bigscience/bloom-7b1") == researched  # not refreshed: keeps its label
