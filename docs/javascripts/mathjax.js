// MathJax settings: \( \) and $ $ inline, \[ \] and $$ $$ display (the tutorials' notebooks use
// dollars, the Markdown pages pymdownx.arithmatex's brackets); code and pre blocks are skipped.
window.MathJax = {
  tex: {inlineMath: [["\\(", "\\)"], ["$", "$"]], displayMath: [["\\[", "\\]"], ["$$", "$$"]],
        processEscapes: true},
  svg: {fontCache: "global"}
};
document$.subscribe(() => { MathJax.typesetPromise(); });
