from shuangsuiji.disclosure.masking import mask_cert, mask_name, mask_person


def test_names_keep_first_and_last_character():
    assert mask_name("张三") == "张*"
    assert mask_name("张小明") == "张*明"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("王") == "*"
    assert mask_name("") == ""


def test_certificate_numbers_keep_four_and_four():
    assert mask_cert("370100001234") == "3701****1234"
    assert mask_cert("3703220001") == "3703****0001"
    assert mask_cert("ZF0012") == "Z****2"
    assert mask_cert("1234") == "****"


def test_person():
    assert mask_person("李执法", "370322000001") == "李*法（3703****0001）"
