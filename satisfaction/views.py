"""The customer's side of a survey: reached only through the secret link in the e-mail."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openline.ratelimit import RateLimited
from satisfaction import services
from satisfaction.forms import CommentForm
from satisfaction.models import Score, Survey


def _survey_or_404(token: str) -> Survey:
    try:
        return services.survey_for_token(token)
    except services.UnknownSurvey:
        raise Http404("No such survey") from None


def _page(request, survey: Survey, *, form=None, thanks=False, status=200):
    form = form or CommentForm(initial={"comment": survey.comment})
    context = {"survey": survey, "form": form, "scores": Score.choices, "thanks": thanks}
    return render(request, "satisfaction/survey.html", context, status=status)


def _problem(request, error: services.RatingError, status: int):
    return render(request, "satisfaction/problem.html", {"error": str(error)}, status=status)


@never_cache
@require_safe
def survey(request, token):
    return _page(request, _survey_or_404(token))


@never_cache
@require_safe
def rate(request, token, score):
    """One click from the e-mail records the score. HEAD (link checkers, some mail
    scanners) shows the same page and records nothing."""
    if request.method == "HEAD":
        found = _survey_or_404(token)
        try:
            services.check_score(score)
        except services.RatingError as exc:
            return _problem(request, exc, 400)
        return _page(request, found)
    try:
        rated = services.rate(token, score)
    except services.UnknownSurvey:
        raise Http404("No such survey") from None
    except services.SurveyClosed as exc:
        return _problem(request, exc, 410)
    except services.RatingError as exc:
        return _problem(request, exc, 400)
    return _page(request, rated, thanks=True)


@never_cache
@require_POST
def comment(request, token):
    found = _survey_or_404(token)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.add_comment(token, form.cleaned_data["comment"], rate_limit_key=token)
        except services.SurveyClosed as exc:
            return _problem(request, exc, 410)
        except RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        except services.RatingError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Thank you: your comment is saved.")
            return redirect("satisfaction:survey", token)
    return _page(request, found, form=form, status=status)


@csrf_exempt  # a mail client's one-click POST (RFC 8058) has no CSRF token; the link is the secret
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request, token):
    """GET asks (mail scanners follow links); POST, also one-click from mail clients, stops."""
    if request.method == "POST":
        try:
            stopped = services.stop_surveys(token)
        except services.UnknownSurvey:
            raise Http404("No such survey") from None
        return render(request, "satisfaction/stop.html", {"survey": stopped, "done": True})
    found = _survey_or_404(token)
    done = found.stopped_at is not None
    return render(request, "satisfaction/stop.html", {"survey": found, "done": done})
