"""A hostile checkpoint uploaded on the Train page: a plain message, no misleading advice.

Issue 12 item 3: a crafted archive used to escape as a raw library error, and the
page then advised "Try a smaller learning rate". Driven through AppTest from
``app.py``, with an archive built for the sample data and then altered.
"""

from __future__ import annotations

import io
import json
import zipfile

from fairrec_core.data import split_dataset
from fairrec_core.models import BPR
from fairrec_core.models.checkpoint_archive import checkpoint_zip
from tests.test_app_pages import go, load_sample, new_app, texts


def _crafted_archive(dataset) -> bytes:
    """A genuine BPR checkpoint of ``dataset`` whose config now declares dim=4000."""
    model = BPR(dim=4, epochs=1, batch_size=4096, device="cpu")
    model.fit(dataset, split_dataset(dataset, method="temporal"))
    src = zipfile.ZipFile(io.BytesIO(checkpoint_zip(model)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in src.namelist():
            data = src.read(name)
            if name == "config.json":
                config = json.loads(data)
                config["params"]["dim"] = 4000
                data = json.dumps(config).encode()
            zf.writestr(name, data)
    return buf.getvalue()


def test_crafted_checkpoint_gets_a_plain_message_on_the_train_page(monkeypatch):
    at = new_app(monkeypatch)
    load_sample(at)
    data = _crafted_archive(at.session_state["dataset"])
    go(at, "train")
    at.file_uploader(key="train_ckpt_0").set_value(("model.zip", data, "application/zip"))
    at.run()
    at.button(key="load_checkpoint").click().run()
    assert not at.exception
    shown = texts(at.error)
    assert "the config and the weights do not belong together" in shown
    assert "learning rate" not in shown and "unexpected problem" not in shown
