"""Community pages: discussions, questions and the topic page every community kind shares."""

from django.http import Http404


def _not_built(request, *args, **kwargs):
    raise Http404("Not built yet")


home = discussions = questions = new_topic = suggest = topic = reply = updates = accept = follow = (
    _not_built
)
