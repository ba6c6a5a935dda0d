from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def populate_username(self, request, user):
        # Logins are by e-mail; the username column mirrors the address.
        user.username = (user.email or "").lower()[:150]
