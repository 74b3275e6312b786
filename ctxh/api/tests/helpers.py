"""Small readers of API responses shared by the API tests."""


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(response) -> list[str]:
    return [row["code"] for row in results(response)]


def names(response) -> list[str]:
    return [row["name"] for row in results(response)]


def errors(response, param: str) -> str:
    """The 400 messages about one parameter, joined."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert param in body, body
    return " ".join(body[param])
