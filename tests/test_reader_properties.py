"""Properties of the strict reader that no list of examples can cover: it never raises, and the
fast and precise paths agree on every file they both accept."""

from __future__ import annotations

from datetime import date

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdata.records.yamlread import parse_fast, parse_precise, read_yaml, reads_as_number_in_yaml12

YAMLISH = st.text(
    alphabet=st.sampled_from([*"ab:-[]{}&*!<>,#'\"\n \t|?%@`0123456789.~中文", "\x00", "\ufeff"]), max_size=200
)

# PyYAML's dumper leaves text such as 1e3 unquoted (it is text in YAML 1.1); the reader refuses it because
# YAML 1.2 tools read a number there. That refusal has its own tests; here text is unambiguous.
text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda text: not reads_as_number_in_yaml12(text)
)
scalars = st.one_of(
    text_values, st.integers(-(10**6), 10**6), st.booleans(), st.dates(date(1990, 1, 1), date(2030, 12, 31))
)
records = st.dictionaries(
    st.text(alphabet="abcdefghij_", min_size=1, max_size=8),
    st.one_of(
        scalars, st.lists(scalars, max_size=3), st.dictionaries(st.sampled_from(["x", "y"]), scalars, max_size=2)
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_no_text_makes_the_reader_raise(text: str) -> None:
    parsed = read_yaml(text.encode("utf-8"), "x.yaml")
    if parsed.data is None:
        assert parsed.problems, "a file that yields no data must say why"
    else:
        assert isinstance(parsed.data, dict)
    for problem in parsed.problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_no_bytes_make_the_reader_raise(raw: bytes) -> None:
    parsed = read_yaml(raw, "x.yaml")
    assert parsed.data is not None or parsed.problems


@settings(max_examples=300)
@given(records)
def test_dumped_records_read_back_unchanged_on_both_paths(record: dict[str, object]) -> None:
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    fast = parse_fast(text.encode("utf-8"))
    precise = parse_precise(text.encode("utf-8"), "x.yaml")
    assert precise.problems == []
    assert precise.data == record
    if fast is not None:  # the fast path may decline (e.g. a '!' in text), never disagree
        assert fast == record
