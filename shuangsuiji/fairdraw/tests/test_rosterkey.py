"""The roster key check (spec §4.2.1, `--roster-key`): pure, with hand-made keys of both formats and suites."""

import pytest

from shuangsuiji import fairdraw as fd
from shuangsuiji.fairdraw.rosterkey import check_roster_key

SALTS = [bytes([i]) * 16 for i in range(3)]
CERTS = ["3703220001", "3703220002", "3703220003"]


def key(fmt="fairdraw-roster-key/2", suite="sha256"):
    entries = []
    for salt, cert in zip(SALTS, CERTS, strict=True):
        entry = {"inspector_id": fd.inspector_pseudonym(salt, cert, fd.get_suite(suite)), "cert_no": cert,
                 "name": "某某", "salt": salt.hex()}  # fmt: skip
        if fmt.endswith("/2"):
            entry["hash"] = suite
        entries.append(entry)
    return {"format": fmt, "draw_id": "D1", "roster_digest": "ab" * 32, "entries": entries}


@pytest.mark.parametrize(("fmt", "suite"), [("fairdraw-roster-key/1", "sha256"), ("fairdraw-roster-key/2", "sha256"),
                                            ("fairdraw-roster-key/2", "sm3")])  # fmt: skip
def test_a_true_key_checks(fmt, suite):
    k = key(fmt, suite)
    ids = [e["inspector_id"] for e in k["entries"]]
    check = check_roster_key(k, ids, "ab" * 32)
    assert check.ok and check.checked == 3 and "全部人员" in check.text()
    partial = dict(k, entries=k["entries"][:1])
    text = check_roster_key(partial, ids, "ab" * 32).text()
    assert text.startswith("化名对照核对通过：1 人（名录共 3 人，部分人员）")


def test_an_sm3_pseudonym_read_as_sha256_differs():
    k = key(suite="sm3")
    k["entries"][2]["hash"] = "sha256"
    check = check_roster_key(k, [e["inspector_id"] for e in k["entries"]], "ab" * 32)
    assert not check.ok and check.path == "entries[2].inspector_id"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda k: k["entries"][0].update(salt="AB" * 16), "ROSTER_KEY_SALT"),  # upper case
        (lambda k: k["entries"][0].update(salt="ab" * 15), "ROSTER_KEY_SALT"),  # 15 bytes
        (lambda k: k["entries"][0].pop("name"), "ROSTER_KEY_ENTRY"),
        (lambda k: k["entries"][0].update(hash="md5"), "ROSTER_KEY_ENTRY"),
        (lambda k: k["entries"].append(dict(k["entries"][0])), "ROSTER_KEY_ENTRY"),  # twice
        (lambda k: k.update(entries={}), "ROSTER_KEY_FORMAT"),
        (lambda k: k.update(entries=[]), "ROSTER_KEY_FORMAT"),
    ],
)
def test_malformed_keys_are_refused(change, code):
    k = key()
    ids = [e["inspector_id"] for e in k["entries"]]
    change(k)
    with pytest.raises(fd.MalformedInput) as err:
        check_roster_key(k, ids, "ab" * 32)
    assert err.value.code == code
