// The What-if slider's instant redraw (fairrec_core/dashboard/whatif_live.py).
// Runs in the component's same-origin iframe; reads the page's λ slider and
// rewrites the metric cards' numbers for the slider's step from the inline
// payload, before the server's rerun arrives (which then writes the same text).
// No network: everything it needs is in the payload.
(() => {
  const data = JSON.parse(document.getElementById("fairrec-live").textContent);
  const doc = window.parent.document;
  const steps = new Map(data.steps.map((s) => [s[0], s]));
  const norm = (s) => s.replace(/\s+/g, " ").trim();
  // Streamlit renders a card's text through its markdown element: change the text
  // node's value in place so React's own later update lands on the same node.
  const textNode = (el) => {
    if (!el) return null;
    const walk = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) if (n.nodeValue.trim()) return n;
    return null;
  };
  const put = (el, value) => {
    const n = textNode(el);
    if (n && n.nodeValue !== value) n.nodeValue = value;
  };
  const negative = (s) => /^\s*[-−]/.test(s);
  const cards = () => {
    const all = [...doc.querySelectorAll('[data-testid="stMetric"]')];
    return data.labels.map((label) => all.find((c) => {
      const l = c.querySelector('[data-testid="stMetricLabel"]');
      return l && norm(l.textContent) === label;
    }));
  };
  const draw = (lam) => {
    const step = steps.get(lam);
    if (!step) return;
    const found = cards();
    step[1].forEach(([value, delta], i) => {
      const card = found[i];
      if (!card) return;
      put(card.querySelector('[data-testid="stMetricValue"]'), value);
      // The arrow and colour follow the sign: only a delta of the same sign is
      // rewritten here; a sign change waits for the server's redraw.
      const d = textNode(card.querySelector('[data-testid="stMetricDelta"]'));
      if (d && delta && negative(d.nodeValue) === negative(delta) && d.nodeValue !== delta) {
        d.nodeValue = delta;
      }
    });
    const last = found[found.length - 1];
    if (last) put(last.querySelector('[data-testid="stMetricValue"]'), step[2]);
    if (doc.body.dataset.fairrecLam !== lam) doc.body.dataset.fairrecLam = lam;
  };
  // Streamlit's slider is a React Aria range input: its value and aria-valuetext
  // change in the browser at the key press, before the widget's value reaches the server.
  const read = () => {
    const thumb = doc.querySelector('[data-testid="stSlider"] input[type="range"]');
    const v = thumb ? Number(thumb.value) : NaN;
    if (Number.isFinite(v)) draw(v.toFixed(2));
  };
  // Attribute changes of the thumb, and any redraw of the cards (a late rerun for
  // an earlier step must not leave its numbers under the slider's newer value).
  const watch = new MutationObserver(read);
  watch.observe(doc.body, {subtree: true, childList: true, characterData: true,
                           attributes: true, attributeFilter: ["aria-valuetext"]});
  window.addEventListener("pagehide", () => watch.disconnect());
  read();
})();
