"""Keeps a checked upload between "validate" and "confirm": a file under MEDIA_ROOT/imports.

The file is named by the user's id and a random token, so a token alone opens nothing: only the user who
uploaded it can confirm or discard it. Files older than a day are removed on the next upload.
"""

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE_SECONDS = 24 * 3600


class UploadNotFound(Exception):
    """The token is unknown, expired or belongs to someone else."""


def _directory() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _paths(user_id: int, token: str) -> tuple[Path, Path]:
    if not TOKEN_PATTERN.match(token or ""):
        raise UploadNotFound(token)
    base = _directory() / f"{int(user_id)}-{token}"
    return base.with_suffix(".xlsx"), base.with_suffix(".json")


def stash_upload(*, user, data: bytes, meta: dict[str, Any]) -> str:
    """Stores the upload and its metadata; returns the token that names it."""
    purge_stale()
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(user.pk, token)
    data_path.write_bytes(data)
    data_path.chmod(0o600)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, default=str))
    meta_path.chmod(0o600)
    return token


def load_upload(*, user, token: str) -> tuple[bytes, dict[str, Any]]:
    data_path, meta_path = _paths(user.pk, token)
    if not data_path.exists() or not meta_path.exists():
        raise UploadNotFound(token)
    if time.time() - data_path.stat().st_mtime > MAX_AGE_SECONDS:
        discard_upload(user=user, token=token)
        raise UploadNotFound(token)
    return data_path.read_bytes(), json.loads(meta_path.read_text())


def update_meta(*, user, token: str, meta: dict[str, Any]) -> None:
    _data_path, meta_path = _paths(user.pk, token)
    if not meta_path.exists():
        raise UploadNotFound(token)
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, default=str))


def discard_upload(*, user, token: str) -> None:
    try:
        paths = _paths(user.pk, token)
    except UploadNotFound:
        return
    for path in paths:
        path.unlink(missing_ok=True)


def purge_stale(max_age: int = MAX_AGE_SECONDS) -> None:
    limit = time.time() - max_age
    for path in _directory().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
