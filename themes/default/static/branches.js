/* Versions of a message, on a share of every branch: "‹ 2 / 3 ›" switches in place.
   Without this script the same links show a version through CSS :target (branches.css).
   Each fork is marked data-switch, and then only its version-current child shows. */
(function () {
  'use strict';
  var doc = document;

  function showVersion(version) {
    Array.prototype.forEach.call(version.parentNode.children, function (v) {
      v.classList.toggle('version-current', v === version);
    });
  }

  /* A link to a version, or to a message inside one, shows every version around it */
  function revealTarget() {
    var id = location.hash ? decodeURIComponent(location.hash.slice(1)) : '';
    var node = id ? doc.getElementById(id) : null;
    for (; node && node !== doc.body; node = node.parentNode) {
      if (node.classList.contains('version') && node.parentNode.hasAttribute('data-fork')) {
        showVersion(node);
      }
    }
  }

  var liveTimer;
  function announce(text) {
    var live = doc.querySelector('[data-live]');
    if (!live) return;
    live.textContent = '';
    clearTimeout(liveTimer);
    liveTimer = setTimeout(function () { live.textContent = text; }, 50);
  }

  function step(event) {
    var link = event.currentTarget;
    var version = doc.getElementById(link.getAttribute('href').slice(1));
    var own = link.closest('.version');
    if (!version || !own || version.parentNode !== own.parentNode) return;
    event.preventDefault();
    showVersion(version);
    /* An encrypted page's fragment is its key: keep it (amber-seal.js marks the page). */
    if (!doc.documentElement.hasAttribute('data-keep-hash')) {
      history.replaceState(null, '', '#' + version.id);
    }
    var nav = version.querySelector('.version-switch');
    var way = link.getAttribute('data-version-step');
    var next = nav.querySelector('a[data-version-step="' + way + '"]') ||
      nav.querySelector('a[data-version-step]');
    if (next) next.focus();
    var count = nav.querySelector('.version-count');
    if (count) announce(count.textContent.replace(/\s*\/\s*/, ' ').replace(/\s+/g, ' ').trim());
  }

  function start() {
    var forks = doc.querySelectorAll('[data-fork]');
    Array.prototype.forEach.call(forks, function (fork) {
      var shared = Array.prototype.filter.call(fork.children, function (v) {
        return v.classList.contains('version-shared');
      })[0];
      fork.setAttribute('data-switch', '');
      if (shared) showVersion(shared);
    });
    revealTarget();
    window.addEventListener('hashchange', revealTarget);
    Array.prototype.forEach.call(doc.querySelectorAll('a[data-version-step]'), function (link) {
      link.addEventListener('click', step);
    });
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})();
