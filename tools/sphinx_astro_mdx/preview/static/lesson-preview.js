// sphinx_astro_mdx.preview: keep a linked section in view while diagrams are drawn.
//
// Mermaid draws the diagrams after the page has loaded, and each grows from
// a few lines of source text to a tall picture. A reader who followed a link
// to a section below a diagram (page.html#section) would be left looking at
// some other part of the page. So while the page settles, every change of
// a diagram's size brings the target back into view; the first time the
// reader scrolls, clicks or types, the page is theirs and this stops.
// (The diagrams are watched, not <body>: furo gives <body> a fixed height.)
(() => {
  const SETTLE_MS = 10000;
  const target = () => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  };
  const observer = new ResizeObserver(() => target()?.scrollIntoView());
  const stop = () => observer.disconnect();
  for (const event of ['wheel', 'touchstart', 'keydown', 'mousedown']) {
    window.addEventListener(event, stop, { once: true, passive: true, capture: true });
  }
  const start = () => {
    for (const diagram of document.querySelectorAll('.mermaid')) observer.observe(diagram);
    window.setTimeout(stop, SETTLE_MS);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
