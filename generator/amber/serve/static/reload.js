/* amber serve: live reload. Served by the preview server only, never part of a built site.
   The page carries the epoch of the build it was rendered from; the server answers on an
   event stream as soon as its epoch differs, and the page reloads. Only visible pages keep
   a connection open (browsers allow a handful per host); a page that becomes visible again
   reconnects and reloads at once if it missed a rebuild. */
(function () {
  'use strict';
  var script = document.currentScript;
  var epoch = (script && script.getAttribute('data-amber-epoch')) || '';
  var source = null;

  function connect() {
    if (source || document.visibilityState === 'hidden' || !window.EventSource) return;
    source = new EventSource('/_amber/events?epoch=' + encodeURIComponent(epoch));
    source.addEventListener('reload', function () {
      source.close();
      source = null;
      window.location.reload();
    });
    /* On errors (server restarting) EventSource retries by itself, every second. */
  }

  function disconnect() {
    if (source) {
      source.close();
      source = null;
    }
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') disconnect();
    else connect();
  });
  window.addEventListener('pagehide', disconnect);
  window.addEventListener('pageshow', connect);
  connect();
})();
