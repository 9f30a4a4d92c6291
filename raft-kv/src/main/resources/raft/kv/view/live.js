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
  // EventSource reconnects by itself after a lost connection; the server replays the recent
  // timeline on connect, and RaftView skips events it has already shown (by seq).
  var source = new EventSource('events');
  source.addEventListener('open', function () { status('open', 'live: connected'); });
  source.addEventListener('error', function () {
    status('lost', 'connection to the view server lost; retrying…');
  });
  source.addEventListener('frame', function (e) {
    RaftView.render(JSON.parse(e.data));
  });
})();
