"""One shape for instant feedback: a list of checks, each right or wrong with its reason.

The notebooks' Check buttons and the instructor's grader both use these, so a learner sees
exactly what the grader will count.
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class Check:
    item: str  # what was checked, e.g. "weights_only / retrain" or "license_id"
    given: Any
    expected: Any
    correct: bool
    why: str
    # What the learner reads for given / expected when the stored value is an id ("with_resources"
    # is shown as "with enough resources"); None shows the value itself.
    given_label: str | None = None
    expected_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def shown_given(self) -> str:
        return self.given_label if self.given_label is not None else _show(self.given)

    @property
    def shown_expected(self) -> str:
        return self.expected_label if self.expected_label is not None else _show(self.expected)


def score(checks: Iterable[Check]) -> tuple[int, int]:
    checks = list(checks)
    return sum(c.correct for c in checks), len(checks)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        from .i18n import t

        return t("common.yes") if value else t("common.no")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    return str(value)


def checks_html(checks: Iterable[Check], title: str = "", show_expected: bool = True, caption: bool = True) -> str:
    """The checks as a table. ``caption=False`` leaves out the "n/m right" line (a result that shows its
    score already, as :class:`checking.QuestionResult` does, must not show it twice)."""
    from .i18n import t

    checks = list(checks)
    right, total = score(checks)
    rows = "".join(
        f"<tr><td>{'✅' if c.correct else '❌'}</td><td>{html.escape(c.item)}</td><td>{html.escape(c.shown_given)}</td>"
        + (f"<td>{html.escape(c.shown_expected)}</td>" if show_expected else "")
        + f"<td style='text-align:left'>{html.escape(c.why) if not c.correct or show_expected else ''}</td></tr>"
        for c in checks)
    head = (f"<tr><th></th><th>{html.escape(t('grading.table.item'))}</th>"
            f"<th>{html.escape(t('grading.table.given'))}</th>"
            + (f"<th>{html.escape(t('grading.table.expected'))}</th>" if show_expected else "")
            + f"<th style='text-align:left'>{html.escape(t('grading.table.why'))}</th></tr>")
    line = html.escape(t("grading.table.right", right=right, total=total))
    if not caption:
        top = f"<p><b>{html.escape(title)}</b></p>" if title else ""
    else:
        top = f"<p><b>{html.escape(title)}</b> {line}</p>" if title else f"<p>{line}</p>"
    return f"<div class='course-feedback'>{top}<table>{head}{rows}</table></div>"
