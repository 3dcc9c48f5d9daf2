/* amber: progressive enhancement only (theme, copy link, copy code, index filter).
   The page reads fully without this file. It is loaded in <head> without defer so a
   remembered light/dark choice applies before the first paint; everything that
   touches the body waits for the document. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  var KEY = 'amber-theme';

  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) { saved = null; }
  if (saved === 'light' || saved === 'dark') root.setAttribute('data-theme', saved);

  function $$(selector, scope) {
    return Array.prototype.slice.call((scope || doc).querySelectorAll(selector));
  }

  function ready(fn) {
    if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  ready(function () {
    /* Screen-reader announcements */
    var live = doc.querySelector('[data-live]');
    var liveTimer;
    function announce(text) {
      if (!live) return;
      live.textContent = '';
      clearTimeout(liveTimer);
      liveTimer = setTimeout(function () { live.textContent = text; }, 50);
    }

    /* Clipboard */
    function fallbackCopy(text) {
      var active = doc.activeElement;
      var area = doc.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.setAttribute('aria-hidden', 'true');
      area.className = 'copy-buffer';
      doc.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand('copy'); } catch (e) { ok = false; }
      doc.body.removeChild(area);
      if (active && active.focus) active.focus();
      return ok;
    }

    function copyText(text) {
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text).then(
          function () { return true; },
          function () { return fallbackCopy(text); });
      }
      return Promise.resolve(fallbackCopy(text));
    }

    function flash(button, ok, done) {
      var label = button.getAttribute('data-label') || button.textContent;
      button.setAttribute('data-label', label);
      button.textContent = ok ? 'Copied' : 'Copy failed';
      announce(ok ? done : 'Could not copy. Select the text and copy it by hand.');
      clearTimeout(button.amberTimer);
      button.amberTimer = setTimeout(function () { button.textContent = label; }, 2000);
    }

    /* Copy link: <button data-copy="URL" hidden> */
    $$('button[data-copy]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () {
        copyText(button.getAttribute('data-copy') || location.href).then(function (ok) {
          flash(button, ok, 'Link copied');
        });
      });
    });

    /* Copy code: a button in the header of each .code-block */
    $$('.code-block').forEach(function (block) {
      var pre = block.querySelector('pre');
      if (!pre) return;
      var header = block.querySelector('.code-header');
      if (!header) {
        header = doc.createElement('div');
        header.className = 'code-header';
        block.insertBefore(header, block.firstChild);
      }
      var lang = header.querySelector('.code-lang');
      var button = doc.createElement('button');
      button.type = 'button';
      button.className = 'copy-code';
      button.textContent = 'Copy';
      button.setAttribute('aria-label', 'Copy ' + (lang ? lang.textContent.trim() + ' ' : '') + 'code');
      button.addEventListener('click', function () {
        var code = pre.querySelector('code') || pre;
        copyText(code.textContent.replace(/\n$/, '')).then(function (ok) {
          flash(button, ok, 'Code copied');
        });
      });
      header.appendChild(button);
    });

    /* Wide formulas scroll sideways: make those reachable by keyboard */
    function markScrollers() {
      $$('.math-display').forEach(function (box) {
        var wide = box.scrollWidth > box.clientWidth + 1;
        if (wide && !box.hasAttribute('tabindex')) {
          box.setAttribute('tabindex', '0');
          box.setAttribute('role', 'group');
          box.setAttribute('aria-label', 'Equation, scrolls sideways');
        } else if (!wide && box.hasAttribute('tabindex')) {
          box.removeAttribute('tabindex');
          box.removeAttribute('role');
          box.removeAttribute('aria-label');
        }
      });
    }
    markScrollers();
    var resizeTimer;
    window.addEventListener('resize', function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(markScrollers, 150);
    });

    /* Theme: data-theme on <html> overrides prefers-color-scheme */
    var media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    function isDark() {
      var theme = root.getAttribute('data-theme');
      return theme ? theme === 'dark' : !!(media && media.matches);
    }
    var toggles = $$('[data-theme-toggle]');
    function sync() {
      var dark = isDark();
      toggles.forEach(function (t) { t.setAttribute('aria-pressed', dark ? 'true' : 'false'); });
    }
    toggles.forEach(function (toggle) {
      toggle.hidden = false;
      toggle.addEventListener('click', function () {
        var next = isDark() ? 'light' : 'dark';
        root.setAttribute('data-theme', next);
        try { localStorage.setItem(KEY, next); } catch (e) { /* storage disabled */ }
        sync();
      });
    });
    if (media) {
      if (media.addEventListener) media.addEventListener('change', sync);
      else if (media.addListener) media.addListener(sync);
    }
    sync();

    /* Print the whole conversation: light scheme, reasoning opened */
    var printState = null;
    window.addEventListener('beforeprint', function () {
      printState = {theme: root.getAttribute('data-theme'), closed: $$('details:not([open])')};
      root.setAttribute('data-theme', 'light');
      printState.closed.forEach(function (d) { d.open = true; });
    });
    window.addEventListener('afterprint', function () {
      if (!printState) return;
      if (printState.theme) root.setAttribute('data-theme', printState.theme);
      else root.removeAttribute('data-theme');
      printState.closed.forEach(function (d) { d.open = false; });
      printState = null;
    });

    /* Index filter: matches titles and text from search.json, falls back to the cards */
    var form = doc.querySelector('form[data-filter]');
    if (!form) return;
    var input = form.querySelector('input');
    var count = form.querySelector('.filter-count');
    var empty = doc.querySelector('[data-filter-empty]');
    var cards = $$('.share-card[data-href]');
    var texts = {};
    var loading = null;

    function fold(text) {
      return String(text || '').toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    }
    cards.forEach(function (card) { texts[card.getAttribute('data-href')] = fold(card.textContent); });

    function load() {
      if (!loading) {
        loading = fetch(form.getAttribute('data-filter'), {credentials: 'same-origin'})
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (entries) {
            (Array.isArray(entries) ? entries : []).forEach(function (e) {
              if (!e || typeof e.href !== 'string' || !(e.href in texts)) return;
              texts[e.href] += ' ' + fold([e.title, e.excerpt, e.text].join(' '));
            });
          })
          .catch(function () { /* the cards' own text still filters */ });
      }
      return loading;
    }

    function plural(n) { return n + ' conversation' + (n === 1 ? '' : 's'); }
    var announceTimer;
    function apply() {
      var terms = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      cards.forEach(function (card) {
        var text = texts[card.getAttribute('data-href')];
        var match = terms.every(function (t) { return text.indexOf(t) >= 0; });
        card.hidden = !match;
        if (match) shown += 1;
      });
      var summary = terms.length ? shown + ' of ' + plural(cards.length) : plural(cards.length);
      count.textContent = summary;
      if (empty) empty.hidden = shown > 0;
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () { announce(summary); }, 500);
    }

    form.hidden = false;
    form.addEventListener('submit', function (event) { event.preventDefault(); });
    input.addEventListener('focus', load);
    input.addEventListener('input', function () {
      apply();
      load().then(apply);
    });
    var query = new URLSearchParams(location.search).get('q');
    if (query) {
      input.value = query;
      load().then(apply);
    }
  });
})();
