"""Vietnamese first: the language is the one the user chose with the language switch, else Vietnamese.

Django's LocaleMiddleware also follows the browser's Accept-Language header, so a computer set up in English
would get English pages. ctxh is a Vietnamese government application: it speaks Vietnamese until the user
picks English (the language cookie set by /i18n/setlang/). API clients, which keep no cookies, may still ask
for English with Accept-Language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


class LocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        api = request.path.startswith(API_PREFIX)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.languages:
            language = chosen
        elif api:
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if api else ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
