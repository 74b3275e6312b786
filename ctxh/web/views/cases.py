"""Pages: people in need and their cases."""

urlpatterns: list = []
