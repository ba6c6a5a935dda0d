"""Lets the Django templates of django-allauth share the Jinja header and footer."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name):
    request = context.get("request")
    # The Jinja template escapes what it interpolates; its output is HTML to keep as is.
    return mark_safe(get_template(name, using="jinja2").render({}, request))


@register.simple_tag
def site_name():
    from django.conf import settings

    return settings.SITE_NAME
