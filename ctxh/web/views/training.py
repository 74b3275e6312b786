"""Pages: training."""

urlpatterns: list = []
