from ctxh.core.text import fold, nfc


def test_fold_removes_vietnamese_diacritics_and_case():
    assert fold("Nguyễn Văn Ấ") == "nguyen van a"
    assert fold("Đồng  Đăng") == "dong dang"
    assert fold("Xã Phú Thịnh") == fold("xa phu thinh")


def test_nfc_composes_decomposed_input():
    decomposed = "Tuye\u0302\u0300n Quang"
    assert nfc(decomposed) == "Tuyền Quang"
    assert len(nfc(decomposed)) < len(decomposed)
