"""What moderation templates need besides what their routes pass: the words for a decision, its
target, a rule and a hold, and the decision form a moderator finds under a thread."""
from flask import Flask

from app.moderation import policy
from app.moderation.forms import decision_form
from app.moderation.services import action_label, actions_for, decision_label, post_status_label, target_label


def register(app: Flask) -> None:
    app.jinja_env.filters.update(decision_label=decision_label, target_label=target_label,
                                 reason_label=policy.reason_label, hold_label=policy.hold_label,
                                 trust_label=policy.trust_label, post_status_label=post_status_label,
                                 action_label=action_label)
    app.jinja_env.globals.update(decision_form=decision_form, moderation_actions=actions_for)
