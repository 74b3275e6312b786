# English pages keep the Vietnamese conventions for dates and numbers (dd/mm/yyyy, 1.234.567).
from ctxh.formats.vi.formats import *  # noqa: F403
