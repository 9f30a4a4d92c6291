// The live view's glue (scripts/cluster view serves it): mounts RaftView with the fault
// buttons, draws every `frame` server-sent event from /events, and sends each button's action
// to POST /api/<verb> as JSON, answered {"ok":true,"output":...} or {"ok":false,"error":...}.
(function () {
  'use strict';
  var conn = document.getElementById('rv-conn');
  function status(state, text) {
    conn.setAttribute('data-conn', state);
    conn.textContent = text;
  }
  function onAction(verb, args) {
    return fetch('api/' + encodeURIComponent(verb), {method: 'POST',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify(args || {})})
      .then(function (r) { return r.json(); });
  }
  RaftView.mount(document.getElementById('raft-view'), {actions: true, onAction: onAction});
  // EventSource reconnects by itself after a lost connection. The server replays the recent
  // timeline on connect; a restarted server numbers its events afresh, so a reconnect starts
  // the drawing over rather than skip events whose numbers it has seen.
  var source = new EventSource('events');
  var lost = false;
  source.addEventListener('open', function () {
    if (lost) { RaftView.reset(); }
    lost = false;
    status('open', 'live: connected');
  });
  source.addEventListener('error', function () {
    lost = true;
    status('lost', 'connection to the view server lost; retrying…');
  });
  source.addEventListener('frame', function (e) {
    RaftView.render(JSON.parse(e.data));
  });
})();
