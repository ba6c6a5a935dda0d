import re

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Identity, Person, Role, User
from accounts.services import add_identity, create_staff, person_for_user, set_role
from tests.conftest import PASSWORD


def test_sign_up_verify_and_be_addressed_by_name(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Maria Keller",
            "email": "Maria@Example.com",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email__iexact="maria@example.com")
    assert user.role == Role.CUSTOMER
    assert user.person.display_name == "Maria Keller"
    assert user.person.first_name == "Maria"
    assert Identity.objects.filter(person=user.person, kind="email").exists()
    # Verification is mandatory: the link is in the e-mail.
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    assert client.post(path).status_code == 302
    assert user.emailaddress_set.get().verified


def test_sign_up_honeypot_rejects_bots(client, db):
    client.post(
        "/accounts/signup/",
        {
            "display_name": "Bot",
            "email": "bot@example.com",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "website": "http://spam.example",
        },
    )
    assert not User.objects.filter(email="bot@example.com").exists()


def test_sign_up_requires_a_name(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "x@example.com",
            "password1": "a long passphrase!",
            "password2": "a long passphrase!",
        },
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("role", "answer", "publish", "moderate", "report", "configure"),
    [
        (Role.CUSTOMER, False, False, False, False, False),
        (Role.AGENT, True, False, False, False, False),
        (Role.BLOGGER, True, True, False, False, False),
        (Role.MODERATOR, True, False, True, False, False),
        (Role.MANAGER, True, False, False, True, False),
        (Role.ADMIN, True, True, True, True, True),
    ],
)
def test_capabilities_by_role(db, role, answer, publish, moderate, report, configure):
    user = User(username="u", role=role)
    got = [user.can(c) for c in ("answer", "publish", "moderate", "report", "configure")]
    assert got == [answer, publish, moderate, report, configure]
    assert user.is_staff_member == (role != Role.CUSTOMER)


def test_inactive_users_can_do_nothing(db):
    assert not User(username="u", role=Role.ADMIN, is_active=False).can("answer")


def test_staff_sign_with_name_and_title(db):
    person = create_staff(
        email="Lionel@Example.com",
        display_name="Lionel M.",
        title="Chief Blogger",
        role=Role.BLOGGER,
    )
    assert person.byline == "Lionel M., Chief Blogger"
    assert person.is_staff_member
    assert person.user.email == "lionel@example.com"
    with pytest.raises(ValueError):
        create_staff(email="c@example.com", display_name="C", title="", role=Role.CUSTOMER)


def test_person_for_user_creates_once(db):
    user = User.objects.create_user(username="root", email="root@example.com", password="x")
    person = person_for_user(user)
    assert person_for_user(user) == person
    assert person.display_name == "root"
    assert Person.objects.count() == 1


def test_set_role_makes_replies_official(maria):
    set_role(maria, Role.AGENT)
    maria.person.refresh_from_db()
    assert maria.person.is_staff_member and not maria.is_superuser
    set_role(maria, Role.ADMIN)
    assert maria.is_staff and maria.is_superuser  # Django's admin site too
    set_role(maria, Role.CUSTOMER)
    maria.person.refresh_from_db()
    assert not (maria.is_staff or maria.is_superuser or maria.person.is_staff_member)


def test_identities_are_unique_case_insensitively(maria):
    same = add_identity(maria.person, "email", "MARIA@example.com")
    assert same.person == maria.person
    handle = add_identity(maria.person, "mastodon", "@Maria@Mastodon.Social")
    assert handle.value == "maria@mastodon.social"
    assert Identity.objects.filter(person=maria.person).count() == 2


def test_createsuperuser_is_an_admin(db):
    call_command(
        "createsuperuser", interactive=False, username="root", email="root@example.com", verbosity=0
    )
    user = User.objects.get(username="root")
    assert user.role == Role.ADMIN and user.can("configure")


def test_account_pages_share_the_site_layout(client, db):
    html = client.get("/accounts/signup/").content.decode()
    assert '<link rel="stylesheet"' in html  # the shared head, not escaped text
    assert '<a class="skip" href="#main">' in html
    assert "&lt;header" not in html
    assert "· Openline</title>" in html


def test_password_reset_by_email(client, maria):
    response = client.post("/accounts/password/reset/", {"email": "maria@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["maria@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    changed = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link.group(1),
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )
    assert changed.status_code == 302
    maria.refresh_from_db()
    assert maria.check_password("a brand new passphrase")


def test_repeated_failed_logins_are_rate_limited(client, maria):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "maria@example.com", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "maria@example.com", "password": "still wrong"}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    ok = client.post("/accounts/login/", {"login": "maria@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # even the right password waits
    assert ok.status_code == 200
