/* amber: progressive enhancement only (copy link, copy code, theme toggle).
   The page reads fully without this file. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  var KEY = 'amber-theme';

  function $$(selector, scope) {
    return Array.prototype.slice.call((scope || doc).querySelectorAll(selector));
  }

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

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (e) { /* fall through */ }
    }
    return fallbackCopy(text);
  }

  function flash(button, ok, done) {
    var label = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', label);
    button.textContent = ok ? 'Copied' : 'Copy failed';
    announce(ok ? done : 'Could not copy. Select the text and copy it by hand.');
    clearTimeout(button._amberTimer);
    button._amberTimer = setTimeout(function () { button.textContent = label; }, 2000);
  }

  /* Copy link buttons: <button data-copy="URL" hidden> */
  $$('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', async function () {
      flash(button, await copyText(button.getAttribute('data-copy') || location.href), 'Link copied');
    });
  });

  /* Copy code buttons in each .code-block */
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
    button.addEventListener('click', async function () {
      var code = pre.querySelector('code') || pre;
      flash(button, await copyText(code.textContent.replace(/\n$/, '')), 'Code copied');
    });
    header.appendChild(button);
  });

  /* Wide tables: make the scrolling wrapper reachable by keyboard */
  $$('.table-wrap').forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute('tabindex')) {
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', 'Table');
    }
  });

  /* Theme: data-theme on <html> overrides prefers-color-scheme */
  var media = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function systemDark() { return !!(media && media.matches); }
  function isDark() {
    var theme = root.getAttribute('data-theme');
    return theme ? theme === 'dark' : systemDark();
  }
  function store(value) {
    try { localStorage.setItem(KEY, value); } catch (e) { /* storage disabled */ }
  }
  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) { saved = null; }
  if (saved === 'light' || saved === 'dark') root.setAttribute('data-theme', saved);

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
      store(next);
      sync();
    });
  });
  if (media) {
    if (media.addEventListener) media.addEventListener('change', sync);
    else if (media.addListener) media.addListener(sync);
  }
  sync();

  /* Print in the light scheme, whatever is on screen */
  var beforePrint = null;
  window.addEventListener('beforeprint', function () {
    beforePrint = root.getAttribute('data-theme');
    root.setAttribute('data-theme', 'light');
  });
  window.addEventListener('afterprint', function () {
    if (beforePrint) root.setAttribute('data-theme', beforePrint);
    else root.removeAttribute('data-theme');
  });
})();
