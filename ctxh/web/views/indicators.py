"""Pages: indicators."""

urlpatterns: list = []
