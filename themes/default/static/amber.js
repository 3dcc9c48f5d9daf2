/* amber: progressive enhancement only (theme, share, continue, code tools, index filter).
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

    /* Share: the system's share sheet on phones, else the link is copied */
    $$('button[data-share]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () {
        var url = button.getAttribute('data-share') || location.href;
        var coarse = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
        if (navigator.share && coarse) {
          navigator.share({title: button.getAttribute('data-share-title') || doc.title, url: url})
            .catch(function () { /* dismissed */ });
          return;
        }
        copyText(url).then(function (ok) { flash(button, ok, 'Link copied'); });
      });
    });

    /* Continue: the Markdown is fetched when the menu opens, so a click can copy it */
    var markdown = {};
    function fetchMarkdown(href) {
      if (!(href in markdown)) {
        markdown[href] = null;
        fetch(href, {credentials: 'same-origin'})
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (text) { markdown[href] = text; })
          .catch(function () { delete markdown[href]; });
      }
    }
    var mdNodes = $$('[data-copy-md]');
    $$('[data-needs-js]').forEach(function (node) { node.hidden = false; });
    mdNodes.forEach(function (node) {
      var href = node.getAttribute('data-copy-md');
      var menu = node.closest('details');
      if (menu) menu.addEventListener('toggle', function () { if (menu.open) fetchMarkdown(href); });
      node.addEventListener('click', function () {
        var text = markdown[href];
        var isLink = node.tagName === 'A';
        if (typeof text !== 'string') {
          if (!isLink) flash(node, false, '');
          fetchMarkdown(href);
          return;
        }
        var ok = fallbackCopy(text);
        if (isLink) announce(ok ? 'Conversation copied as Markdown: paste it in the app' : 'Could not copy');
        else flash(node, ok, 'Conversation copied as Markdown');
      });
    });

    /* A link to a collapsed part (a tool line, the system prompt) opens it */
    function openTarget() {
      var node = location.hash && doc.getElementById(decodeURIComponent(location.hash.slice(1)));
      for (; node; node = node.parentElement) if (node.tagName === 'DETAILS') node.open = true;
    }
    openTarget();
    window.addEventListener('hashchange', openTarget);

    /* Menus close with Escape or a click elsewhere */
    var menus = $$('details[data-menu]');
    doc.addEventListener('click', function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
    });
    doc.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') return;
      menus.forEach(function (menu) {
        if (!menu.open) return;
        menu.open = false;
        menu.querySelector('summary').focus();
      });
    });

    /* Code tools: Copy and Wrap, in the header of a block or floating over it */
    $$('.code-block').forEach(function (block) {
      var pre = block.querySelector('pre');
      if (!pre) return;
      var header = block.querySelector('.code-header');
      var tools = doc.createElement('div');
      tools.className = 'code-tools';
      var lang = header && header.querySelector('.code-lang');
      var name = (lang ? lang.textContent.trim() + ' ' : '') + 'code';
      var button = doc.createElement('button');
      button.type = 'button';
      button.className = 'copy-code';
      button.textContent = 'Copy';
      button.setAttribute('aria-label', 'Copy ' + name);
      button.addEventListener('click', function () {
        var code = pre.querySelector('code') || pre;
        copyText(code.textContent.replace(/\n$/, '')).then(function (ok) {
          flash(button, ok, 'Code copied');
        });
      });
      tools.appendChild(button);
      if (pre.scrollWidth > pre.clientWidth + 1) {
        var wrap = doc.createElement('button');
        wrap.type = 'button';
        wrap.className = 'copy-code wrap-code';
        wrap.textContent = 'Wrap';
        wrap.setAttribute('aria-pressed', 'false');
        wrap.setAttribute('aria-label', 'Wrap long lines of ' + name);
        wrap.addEventListener('click', function () {
          var on = block.classList.toggle('code-wrap');
          wrap.setAttribute('aria-pressed', on ? 'true' : 'false');
        });
        tools.appendChild(wrap);
      }
      if (header) header.appendChild(tools);
      else block.insertBefore(tools, pre);
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
    function remember() {
      var params = new URLSearchParams(location.search);
      if (input.value) params.set('q', input.value);
      else params.delete('q');
      var search = params.toString();
      try {
        history.replaceState(history.state, '', location.pathname + (search ? '?' + search : '') + location.hash);
      } catch (e) { /* a file: page may refuse */ }
    }
    input.addEventListener('input', function () {
      apply();
      remember();
      load().then(apply);
    });
    var query = new URLSearchParams(location.search).get('q');
    if (query) {
      input.value = query;
      load().then(apply);
    }
  });
})();
