def navigation(request):
    """Placeholder: the navigation by role is built by the UI shell work."""
    return {}
