"""``smecluster tick``: the daily job of dynamic management, for cron.

It runs every duty as of one day (``oversight.tick.run_tick``): opens annual reporting and re-review
windows, reminds, flags overdue reports, expires clusters and proposes revocation; it also deletes the
objection form's expired challenges (CAPTCHA rows), and delivers the mail still waiting (failed or
never tried: ``notifications.mail.mail_deliver_pending``) and deletes the records of mail sent long ago
(``SMECLUSTER_EMAIL_KEEP_DAYS``). Each duty leaves a
record of what it did, so a second run as of the same day does nothing and prints an empty list. It ends
with the audit log's head (hash and number of events): kept outside the server, e.g. in cron's mail, it
lets ``smecluster audit verify --expect-head`` notice a truncated log later. The
database and key come from the environment, as for ``smecluster manage`` (DATABASE_URL,
SMECLUSTER_SECRET_KEY); ``--demo`` acts on the demo database.
"""

from __future__ import annotations

import contextlib
import json
import sys
import unicodedata
from datetime import date

import click

from smecluster.cli.params import ISO_DATE
from smecluster.cli.web_commands import _data_dir, _setup_django, _use_demo_database

ACTION_NAMES = {
    "opened": "开启",
    "reminded": "提醒",
    "flagged": "标记",
    "proposed": "提出撤销建议",
    "expired": "到期",
}
SUBJECT_NAMES = {
    "annual_report": "年度报告",
    "re_review": "复核",
    "major_change": "重大变动",
    "incident": "事件",
    "revocation": "撤销",
    "cluster": "集群",
}


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: list[list[str]]) -> list[str]:
    header = ["动作", "事项", "集群", "说明"]
    widths = [max(_width(row[index]) for row in [header, *rows]) for index in range(3)]
    lines = []
    for row in [header, *rows]:
        lines.append(
            "  ".join(_pad(cell, width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        )
    return lines


@click.command("tick")
@click.option(
    "--as-of",
    "as_of",
    type=ISO_DATE,
    default=None,
    help="The day to run as of (YYYY-MM-DD); default today in Beijing time (Asia/Shanghai).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what this run did as JSON.")
@click.option("--demo", "use_demo", is_flag=True, help="Act on the demo database (as `smecluster demo`).")
def tick(as_of: date | None, as_json: bool, use_demo: bool) -> None:
    """Run the day's duties of dynamic management once: open, remind, flag, expire, propose revocation."""
    if use_demo:
        _use_demo_database(_data_dir())
    _setup_django()
    # Imported after django.setup(): the app's models need the app registry ready.
    from django.utils import timezone

    from smecluster.apps.audit.chain import chain_head
    from smecluster.apps.notices.services import objection_challenges_purge, objection_lookup_misses_purge
    from smecluster.apps.notifications.mail import mail_deliver_pending, mail_deliveries_purge
    from smecluster.apps.oversight.tick import run_tick

    day = as_of or timezone.localdate()
    # Standard output carries the table or the JSON only: a console e-mail backend (the demo's) writes the
    # notifications' mails to stderr instead, so `--json` stays parseable.
    with contextlib.redirect_stdout(sys.stderr):
        actions = run_tick(day)
        # After the duties, whose own reminders went out as each committed: what failed then (or on an
        # earlier day) is tried again here.
        mail = mail_deliver_pending()
    # Housekeeping, not a duty of dynamic management: nothing to report, and a second run finds none left.
    objection_challenges_purge()
    objection_lookup_misses_purge()
    mail_deliveries_purge()
    head = chain_head()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "as_of": day.isoformat(),
                    "actions": [action.as_json() for action in actions],
                    "mail": mail.as_json(),
                    "audit_head": head.as_json(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if actions:
        rows = [
            [
                ACTION_NAMES.get(action.action, action.action),
                SUBJECT_NAMES.get(action.subject, action.subject),
                action.cluster,
                action.detail,
            ]
            for action in actions
        ]
        for line in _table(rows):
            click.echo(line)
    click.echo(
        f"{day.isoformat()}：本次运行完成 {len(actions)} 项"
        if actions
        else f"{day.isoformat()}：没有新的事项"
    )
    if mail.sent or mail.failed:
        click.echo(
            f"邮件：重新发送成功 {mail.sent} 封，失败 {mail.failed} 封（失败原因见管理后台“邮件投递”）"
        )
    click.echo(f"审计日志：{head.count} 条，链头哈希 {head.hash or '-'}")
