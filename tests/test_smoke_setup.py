import pytest


@pytest.mark.django_db
def test_home_renders_for_admin(admin):
    response = admin.client.get("/")
    assert response.status_code == 200
    assert b"Your organisation" in response.content
