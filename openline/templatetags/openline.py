"""Lets the Django templates of django-allauth share the Jinja header and footer."""

from django import template
from django.template.loader import get_template

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name):
    request = context.get("request")
    return get_template(name, using="jinja2").render({"page_title": ""}, request)
