"""Pages to browse administrative units as of a date."""

urlpatterns: list = []
