"""Pages: Excel import and export (workforce_io)."""

urlpatterns: list = []
