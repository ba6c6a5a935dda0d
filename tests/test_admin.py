from accounts.models import Role


def test_admin_changing_a_role_makes_replies_official(ada_client, maria):
    url = f"/admin/accounts/user/{maria.pk}/change/"
    page = ada_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "groups"}
    data.update(
        {
            "role": Role.AGENT,
            "date_joined_0": maria.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": maria.date_joined.strftime("%H:%M:%S"),
            "is_active": "on",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("user_permissions", None)
    response = ada_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    maria.refresh_from_db()
    maria.person.refresh_from_db()
    assert maria.role == Role.AGENT and maria.person.is_staff_member


def test_admin_is_for_admins_only(maria_client, alex_client, db):
    assert maria_client.get("/admin/").status_code == 302
    assert alex_client.get("/admin/").status_code == 302
