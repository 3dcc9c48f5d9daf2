/* amber: open an encrypted share in the browser.
   The page holds only ciphertext (data-ct on [data-sealed]). The key is the link's
   fragment (#...), which browsers never send to a server, or it is derived from a
   passphrase with PBKDF2-SHA-256. WebCrypto decrypts (AES-256-GCM), the browser
   inflates (raw DEFLATE), and the plain page's <main> content goes in place, with
   its downloads and images as blob: URLs. Then amber.js runs as on a plain page.
   Format: amber's render/seal.py. Loaded in <head> without defer, like amber.js,
   so a remembered light/dark choice applies before the first paint. */
(function () {
  'use strict';
  var doc = document;
  var root = doc.documentElement;
  var script = doc.currentScript;
  var then = script && script.getAttribute('data-then');

  var saved = null;
  try { saved = localStorage.getItem('amber-theme'); } catch (e) { saved = null; }
  if (saved === 'light' || saved === 'dark') root.setAttribute('data-theme', saved);

  var MESSAGES = {
    decrypting: 'Decrypting the conversation…',
    deriving: 'Checking the passphrase… this takes a few seconds.',
    noKey: 'This link is missing its key. An encrypted conversation can be read only ' +
      'with the complete link, including the part after “#”. Ask the person who shared ' +
      'it for the whole link.',
    wrongKey: 'The key in this link does not open this conversation. The link may have ' +
      'been cut short or changed: ask the person who shared it for the whole link.',
    wrongPassphrase: 'That passphrase does not open this conversation. Check it and try again.',
    askPassphrase: 'This conversation is encrypted with a passphrase. Enter it to read ' +
      'the conversation; it never leaves your browser.',
    unsupported: 'This browser cannot decrypt the conversation here: it needs a secure ' +
      '(https) connection and a browser from 2023 or later.',
    broken: 'This page is damaged and cannot be decrypted.'
  };

  function bytes(base64) {
    var text = atob(base64);
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  function urlBytes(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('bad key');
    var padded = text.replace(/-/g, '+').replace(/_/g, '/');
    while (padded.length % 4) padded += '=';
    return bytes(padded);
  }

  function inflate(data) {
    var stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).text();
  }

  function open(box, keyBytes) {
    var subtle = crypto.subtle;
    var aad = new TextEncoder().encode(box.getAttribute('data-aad'));
    return subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['decrypt'])
      .then(function (key) {
        return subtle.decrypt({ name: 'AES-GCM', iv: bytes(box.getAttribute('data-iv')),
          additionalData: aad, tagLength: 128 }, key, bytes(box.getAttribute('data-ct')));
      })
      .then(function (plain) { return inflate(new Uint8Array(plain)); })
      .then(function (text) { return JSON.parse(text); });
  }

  function derive(box, passphrase) {
    var subtle = crypto.subtle;
    var typed = new TextEncoder().encode(passphrase.normalize('NFC'));
    return subtle.importKey('raw', typed, 'PBKDF2', false, ['deriveBits'])
      .then(function (base) {
        return subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256',
          salt: urlBytes(box.getAttribute('data-salt')),
          iterations: parseInt(box.getAttribute('data-iterations'), 10) }, base, 256);
      })
      .then(function (bits) { return new Uint8Array(bits); });
  }

  /* The canonical URL with what a reader needs to open it again: a link-key share's
     key rides along; a passphrase share's link never holds it. */
  function readerUrl(page, key) {
    return key ? page + '#' + key : page;
  }

  function show(main, payload, key) {
    var page = location.href.split('#')[0];
    var swaps = {};
    var names = {};
    (payload.files || []).forEach(function (file) {
      swaps[file.href] = URL.createObjectURL(new Blob([file.text], { type: file.type + ';charset=utf-8' }));
      names[swaps[file.href]] = file.name;
    });
    (payload.images || []).forEach(function (image) {
      swaps[image.href] = URL.createObjectURL(new Blob([bytes(image.data)], { type: image.type }));
    });
    if (payload.lang) root.setAttribute('lang', payload.lang);
    if (payload.title) doc.title = payload.title;
    /* In-page scripts (branch switching) must not put anything but the key after '#'. */
    root.setAttribute('data-keep-hash', '');
    var loaded = {};
    Array.prototype.forEach.call(doc.querySelectorAll('link[href], script[src]'), function (el) {
      loaded[el.getAttribute('href') || el.getAttribute('src')] = true;
    });
    if (then) loaded[then] = true;
    var scripts = [];
    (payload.assets || []).forEach(function (asset) {
      if (loaded[asset.href]) return;
      if (asset.kind === 'style') {
        var link = doc.createElement('link');
        link.rel = 'stylesheet';
        link.href = asset.href;
        doc.head.appendChild(link);
      } else {
        scripts.push(asset.href);
      }
    });
    main.innerHTML = payload.main;
    scripts.forEach(function (src) {
      var s = doc.createElement('script');
      s.src = src;
      doc.head.appendChild(s);
    });
    Array.prototype.forEach.call(main.querySelectorAll('[src], [href], [data-copy], [data-copy-md], [data-share]'), function (el) {
      ['src', 'href', 'data-copy-md'].forEach(function (name) {
        var value = el.getAttribute(name);
        if (value && Object.prototype.hasOwnProperty.call(swaps, value)) el.setAttribute(name, swaps[value]);
      });
      /* A blob: URL has no file name of its own: keep the one the plain page serves. */
      if (el.hasAttribute('download') && names[el.getAttribute('href')]) {
        el.setAttribute('download', names[el.getAttribute('href')]);
      }
      ['data-copy', 'data-share'].forEach(function (name) {
        var value = el.getAttribute(name);
        if (value && value.split('#')[0] === page) el.setAttribute(name, readerUrl(page, key));
      });
    });
    /* "amber fork URL" hints name the page: give them the link that opens it. */
    if (key) {
      Array.prototype.forEach.call(main.querySelectorAll('code'), function (code) {
        if (code.textContent === 'amber fork ' + page) code.textContent += '#' + key;
      });
    }
    var live = doc.querySelector('[data-live]');
    if (live) live.textContent = 'Conversation decrypted.';
  }

  /* In-page links (#m-3, the skip link) would replace the key in the address bar:
     scroll to their target instead, and keep the link as it was. */
  function keepFragment(event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link) return;
    var target = doc.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView();
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  }

  function loadEnhancements() {
    if (!then) return;
    var s = doc.createElement('script');
    s.src = then;
    doc.head.appendChild(s);
    then = null;
  }

  function start() {
    var box = doc.querySelector('[data-sealed]');
    var main = doc.getElementById('main');
    var status = doc.querySelector('[data-sealed-status]');
    if (!box || !main || !status) return;
    function say(text, alert) {
      status.hidden = false;
      status.textContent = text;
      status.setAttribute('role', alert ? 'alert' : 'status');
    }
    function done(payload, key) {
      show(main, payload, key);
      doc.addEventListener('click', keepFragment);
      loadEnhancements();
    }
    if (!(window.crypto && crypto.subtle && window.DecompressionStream && window.TextEncoder)) {
      say(MESSAGES.unsupported, true);
      loadEnhancements();
      return;
    }
    var form = doc.querySelector('[data-sealed-form]');
    if (box.hasAttribute('data-salt')) {
      if (!form) { say(MESSAGES.broken, true); loadEnhancements(); return; }
      var input = form.querySelector('input');
      var button = form.querySelector('button');
      say(MESSAGES.askPassphrase, false);
      form.hidden = false;
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (!input.value) return;
        button.disabled = true;
        input.setAttribute('aria-invalid', 'false');
        say(MESSAGES.deriving, false);
        derive(box, input.value)
          .then(function (key) { return open(box, key); })
          .then(function (payload) { done(payload, null); }, function () {
            button.disabled = false;
            input.setAttribute('aria-invalid', 'true');
            say(MESSAGES.wrongPassphrase, true);
            input.focus();
            input.select();
          });
      });
      return;  /* amber.js waits for the content, so its buttons reach it */
    }
    var key = location.hash.replace(/^#/, '');
    if (!key) { say(MESSAGES.noKey, true); loadEnhancements(); return; }
    var raw;
    try { raw = urlBytes(key); } catch (e) { raw = null; }
    if (!raw || raw.length !== 32) { say(MESSAGES.wrongKey, true); loadEnhancements(); return; }
    say(MESSAGES.decrypting, false);
    open(box, raw).then(function (payload) { done(payload, key); }, function () {
      say(MESSAGES.wrongKey, true);
      loadEnhancements();
    });
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
}());
