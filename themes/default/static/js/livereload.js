// Live reload for `lms serve`: reload the page when a rebuild finishes.
// An external file (no inline script) so it runs under the site's strict
// Content-Security-Policy; included only when the `live_reload` setting is on.
// The server (site_builder/serve.py) sends a `hello` event with a token on every
// connection and a plain message after each rebuild.
(function () {
  'use strict';
  if (!('EventSource' in window)) return;

  var first = null; // the token of the site this page was loaded from
  var source = null;
  var delay = 1000;

  function connect() {
    source = new EventSource('/__livereload');

    source.addEventListener('hello', function (event) {
      delay = 1000;
      if (first === null) {
        first = event.data;
      } else if (event.data !== first) {
        // Rebuilt (or restarted) while we were disconnected.
        window.location.reload();
      }
    });

    source.onmessage = function () {
      window.location.reload();
    };

    source.onerror = function () {
      // The browser retries by itself after a network error; it gives up only when the
      // server answered with something other than an event stream. Retry quietly then,
      // slower and slower, until `lms serve` is back.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      }
    };
  }

  // Close before leaving, so the browser does not report an interrupted connection.
  window.addEventListener('pagehide', function () {
    if (source !== null) source.close();
  });
  // Back from the back-forward cache: listen again (a missed rebuild shows in `hello`).
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) connect();
  });

  connect();
})();
