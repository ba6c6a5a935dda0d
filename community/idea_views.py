"""Idea pages: the list, votes, status changes, merging and the roadmap."""

from django.http import Http404


def _not_built(request, *args, **kwargs):
    raise Http404("Not built yet")


ideas = my_votes = roadmap = vote = set_status = merge = _not_built
