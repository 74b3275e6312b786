"""Pages: Excel import and export (training_io)."""

urlpatterns: list = []
