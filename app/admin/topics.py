"""The topic tree that submissions are filed under (the submission core's service)."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app.admin import bp
from app.admin.forms import TopicForm
from app.common.rendering import form_page, run_form, see_other
from app.submissions import topics


@bp.route("/linh-vuc", methods=["GET", "POST"])
def topics_page():
    """Topics: the tree, and a form that adds one."""
    form = TopicForm()
    form.parent_id.choices = [("", _("None (a top-level topic)"))] + [(t.id, t.name) for t in topics.top_level_topics()]
    done, _topic = run_form(form, lambda: topics.add_topic(form.slug.data, form.name.data, form.parent_id.data))
    if done:
        flash(_("Saved."))
        return see_other("admin.topics_page")
    return form_page("admin/topics.html", form=form, topics=topics.topic_tree())


@bp.get("/chu-de")
def old_topics_address():
    """`chu-de` now means a forum thread; the topics page lives at /quan-tri/linh-vuc."""
    return redirect(url_for("admin.topics_page"), 301)
