"""Pages for organizations: list, detail, create, edit, close, import, export."""

urlpatterns: list = []
