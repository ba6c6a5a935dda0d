"""Where people find the insights: the staff menu, and the public footer when switched on."""

from __future__ import annotations


def test_staff_see_insights_in_the_menu_and_customers_do_not(settings, alex_client, maria_client):
    settings.PAGE_CACHE_SECONDS = 0
    assert 'href="/staff/insights/"' in alex_client.get("/").content.decode()
    assert 'href="/staff/insights/"' not in maria_client.get("/").content.decode()


def test_the_footer_links_the_transparency_page_only_when_it_is_on(settings, client, db):
    settings.PAGE_CACHE_SECONDS = 0
    settings.INSIGHTS_TRANSPARENCY_PAGE = False
    assert 'href="/transparency/"' not in client.get("/").content.decode()
    settings.INSIGHTS_TRANSPARENCY_PAGE = True
    assert 'href="/transparency/"' in client.get("/").content.decode()
