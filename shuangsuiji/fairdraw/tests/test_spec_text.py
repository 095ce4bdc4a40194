"""The specification's text agrees with the code it documents."""

import inspect
import pathlib
import re

from shuangsuiji.fairdraw import verify_manifest

SPEC = (pathlib.Path(__file__).resolve().parents[3] / "docs" / "fairdraw-spec.md").read_text(encoding="utf-8")


def _section(number: str) -> str:
    start = re.search(rf"^## {re.escape(number)}\. ", SPEC, re.M)
    end = re.search(r"^## ", SPEC[start.end() :], re.M)
    return SPEC[start.start() : start.end() + (end.start() if end else len(SPEC))]


def _parameters(text: str) -> list[str]:
    """Parameter names of the first ``verify_manifest(...)`` written in ``text``."""
    call = re.search(r"verify_manifest\((.*?)\)", text, re.S).group(1)
    names = [part.split("=")[0].strip() for part in call.split(",")]
    return [name for name in names if name and name != "*"]


def test_verify_manifest_signature_in_sections_10_and_12_is_the_codes():
    actual = list(inspect.signature(verify_manifest).parameters)
    assert _parameters(_section("10")) == actual
    assert _parameters(_section("12")) == actual


def test_section_9_does_not_call_inclusion_proofs_a_future_extension():
    section = _section("9")
    assert "future extension" not in section
    assert "§3.1" in section
