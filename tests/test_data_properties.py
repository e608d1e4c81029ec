"""Property tests: whatever bytes arrive, the loader ends in a validation error."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairrec_core.data import load_dataset
from fairrec_core.errors import DataValidationError

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_end_in_validation_error(data):
    try:
        load_dataset(data)
    except DataValidationError as exc:
        assert exc.report.errors, "a DataValidationError must carry its errors"
        assert all(i.message for i in exc.report.errors)
    else:
        raise AssertionError("random bytes were accepted as interactions")


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@SETTINGS
@given(st.lists(st.lists(cell, min_size=1, max_size=4), min_size=0, max_size=30),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "gb18030"]))
def test_csv_like_text_never_raises_anything_else(rows, sep, codec):
    header = "user_id,item_id,rating,timestamp".replace(",", sep)
    body = "\n".join(sep.join(r) for r in rows)
    data = (header + "\n" + body).encode(codec, errors="replace")
    try:
        ds = load_dataset(data, users=None)
    except DataValidationError as exc:
        assert exc.report.errors
    else:
        assert ds.n_users >= 2 and ds.report.ok
