"""The ``intake-chat`` console script: one module per command group."""

from __future__ import annotations

import click

from . import analytics_commands as analytics
from . import db_commands as db
from . import flow_commands as flow
from . import init_command
from . import notify_commands as notify
from . import questionnaire_commands as questionnaire
from . import referral_commands as referral
from . import safety_commands as safety
from . import serve_command as serve
from . import staff_commands as staff


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """intake-chat: a self-hosted chat intake assistant for therapy practices."""


main.add_command(flow.group)
main.add_command(safety.group)
main.add_command(staff.group)
main.add_command(notify.group)
main.add_command(serve.serve)
main.add_command(db.group)
main.add_command(referral.group)
main.add_command(init_command.init)
main.add_command(questionnaire.group)
main.add_command(analytics.analytics_command)
