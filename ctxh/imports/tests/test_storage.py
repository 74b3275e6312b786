import pytest

from ctxh.imports.storage import UploadNotFound, discard_upload, load_upload, stash_upload
from ctxh.testing import make_user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_upload_is_kept_for_its_owner_only(db):
    owner, other = make_user("chu"), make_user("khac")
    token = stash_upload(user=owner, data=b"noi dung", meta={"filename": "to-chuc.xlsx"})

    assert load_upload(user=owner, token=token) == (b"noi dung", {"filename": "to-chuc.xlsx"})
    with pytest.raises(UploadNotFound):
        load_upload(user=other, token=token)
    discard_upload(user=owner, token=token)
    with pytest.raises(UploadNotFound):
        load_upload(user=owner, token=token)


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 31, "a/" * 16])
def test_a_malformed_token_opens_nothing(db, token):
    with pytest.raises(UploadNotFound):
        load_upload(user=make_user("chu"), token=token)
