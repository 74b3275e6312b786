"""Pages: workforce."""

urlpatterns: list = []
