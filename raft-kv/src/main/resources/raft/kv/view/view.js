// The drawing code of raftkv's cluster view: one file, no dependencies. It draws frames (the
// schema is raft.kv.cluster.ViewFrame's, the issue 15 contract) and knows nothing about where
// they come from: live.js feeds it server-sent events from `scripts/cluster view`; the
// simulator's --html replay feeds it recorded frames (with options.actions false).
// Files a page needs: view.css and view.js (plus live.js for the live view only).
//
//   window.RaftView.mount(root, {actions: true, onAction: (verb, args) => Promise})
//   window.RaftView.render(frame)   draws one frame and appends frame.events to the timeline
//   window.RaftView.reset()         clears the drawing and the timeline (replay seeking)
//
// Test hooks: cards are [data-member=nK] with data-role, data-state, data-cut (comma list);
// buttons carry data-action; the ring's nodes are [data-ring-member=nK].
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var TYPES = ['heartbeat', 'append', 'vote', 'prevote', 'snapshot', 'response'];
  var MAX_EVENTS = 400;   // timeline entries kept in the page
  var MAX_DOTS = 240;     // message dots in flight at once (beyond that, counts are sampled)
  var DOTS_PER_EDGE = 4;  // at most this many dots per (from, to, type) per frame
  var FLIGHT_MS = 650;    // how long one dot takes along an edge
  var RING = {size: 360, radius: 130, node: 30};

  var st = null; // the mounted view's state

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
    return e;
  }

  /** RaftScope's language: one colour per term (golden-angle hues, so neighbours differ). */
  function termColor(term, light) {
    if (!term) { return '#ddd'; }
    var hue = Math.round((term * 137.508 + 200) % 360);
    return 'hsl(' + hue + ',' + (light ? '55%,85%)' : '60%,52%)');
  }

  function mount(root, options) {
    options = options || {};
    root.innerHTML = '';
    root.classList.add('raft-view');
    st = {root: root, actions: !!options.actions, onAction: options.onAction,
      cards: {}, ringNodes: {}, members: [], dots: [], seen: {}, anim: false};
    var head = el('header', {'class': 'rv-head'});
    head.appendChild(el('h1', {}, 'raftkv cluster'));
    st.clock = head.appendChild(el('span', {'class': 'rv-clock', id: 'rv-clock'}, '-'));
    st.leaderLabel = head.appendChild(el('span', {'class': 'rv-leader', id: 'rv-leader'}, ''));
    root.appendChild(head);
    if (st.actions) { root.appendChild(controls()); }
    var main = root.appendChild(el('div', {'class': 'rv-main'}));
    main.appendChild(ringPanel());
    st.cardBox = main.appendChild(el('div', {'class': 'rv-cards', id: 'rv-cards'}));
    var tl = root.appendChild(el('section', {'class': 'rv-timeline-box'}));
    tl.appendChild(el('h2', {}, 'Timeline (newest first)'));
    st.timeline = tl.appendChild(el('ol', {'class': 'rv-timeline', id: 'rv-timeline'}));
  }

  // ---- the controls above the drawing (live view only) ----

  function controls() {
    var box = el('section', {'class': 'rv-controls', id: 'rv-controls'});
    var part = box.appendChild(el('div', {'class': 'rv-control', id: 'rv-partition'}));
    part.appendChild(el('span', {'class': 'rv-label'}, 'Partition:'));
    st.partBoxes = part.appendChild(el('span', {'class': 'rv-part-members'}));
    button(part, 'partition', 'cut off', function () {
      var chosen = [];
      st.partBoxes.querySelectorAll('input:checked').forEach(function (c) {
        chosen.push(c.value);
      });
      return {members: chosen};
    });
    button(part, 'heal', 'heal', function () { return {}; });
    var put = box.appendChild(el('div', {'class': 'rv-control', id: 'rv-put'}));
    put.appendChild(el('span', {'class': 'rv-label'}, 'Put:'));
    var key = put.appendChild(el('input', {id: 'rv-put-key', placeholder: 'key', size: 10}));
    var val = put.appendChild(el('input', {id: 'rv-put-value', placeholder: 'value', size: 10}));
    button(put, 'put', 'put', function () { return {key: key.value, value: val.value}; });
    var add = box.appendChild(el('div', {'class': 'rv-control', id: 'rv-add'}));
    add.appendChild(el('span', {'class': 'rv-label'}, 'Add member:'));
    st.addSelect = add.appendChild(el('select', {id: 'rv-add-member'}));
    button(add, 'add', 'add', function () { return {member: st.addSelect.value}; });
    st.output = box.appendChild(el('pre', {'class': 'rv-output', id: 'rv-output'}, ''));
    return box;
  }

  /** A button that runs options.onAction(verb, args()) and shows its answer. */
  function button(parent, verb, label, args, member) {
    var b = parent.appendChild(el('button', {'data-action': verb, type: 'button'}, label));
    if (member) { b.setAttribute('data-member', member); }
    b.addEventListener('click', function () { act(b, verb, args()); });
    return b;
  }

  function act(b, verb, args) {
    if (!st.onAction) { return; }
    b.disabled = true;
    b.classList.add('rv-busy');
    show('… ' + verb + ' ' + describe(args), '');
    Promise.resolve(st.onAction(verb, args)).then(function (r) {
      r = r || {};
      show((r.ok ? '' : 'failed: ') + verb + ' ' + describe(args) + '\n'
        + (r.ok ? (r.output || 'ok') : (r.error || 'error')), r.ok ? 'ok' : 'error');
    }, function (e) {
      show('failed: ' + verb + ': ' + e, 'error');
    }).then(function () {
      b.disabled = false;
      b.classList.remove('rv-busy');
    });
  }

  function describe(args) {
    var parts = [];
    for (var k in args) { parts.push(Array.isArray(args[k]) ? args[k].join(',') : args[k]); }
    return parts.join(' ');
  }

  function show(text, kind) {
    if (!st.output) { return; }
    st.output.textContent = text;
    st.output.setAttribute('data-result', kind);
  }

  // ---- the ring of members, with messages flowing on its edges ----

  function ringPanel() {
    var box = el('section', {'class': 'rv-ring-box'});
    st.svg = box.appendChild(svg('svg', {'class': 'rv-ring', id: 'rv-ring',
      viewBox: '0 0 ' + RING.size + ' ' + RING.size}));
    st.edgeLayer = st.svg.appendChild(svg('g', {'class': 'rv-edges'}));
    st.dotLayer = st.svg.appendChild(svg('g', {'class': 'rv-dots'}));
    st.nodeLayer = st.svg.appendChild(svg('g', {'class': 'rv-nodes'}));
    var legend = box.appendChild(el('div', {'class': 'rv-legend', id: 'rv-legend'}));
    st.legendCounts = {};
    TYPES.forEach(function (t) {
      var item = legend.appendChild(el('span', {'class': 'rv-legend-item'}));
      item.appendChild(el('span', {'class': 'rv-dot rv-msg-' + t}));
      item.appendChild(document.createTextNode(' ' + t + ' '));
      st.legendCounts[t] = item.appendChild(el('b', {'data-legend': t}, '0'));
    });
    box.appendChild(el('div', {'class': 'rv-legend-note'},
      'dots: messages sent since the last update (sampled; on a cut edge they fade half way:'
      + ' dropped); numbers: per update'));
    return box;
  }

  function position(i, n) {
    var a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    var c = RING.size / 2;
    return {x: c + RING.radius * Math.cos(a), y: c + RING.radius * Math.sin(a)};
  }

  function drawRing(members) {
    var names = members.map(function (m) { return m.name; });
    if (names.join() !== st.members.join()) {
      st.members = names;
      st.edgeLayer.innerHTML = '';
      st.nodeLayer.innerHTML = '';
      st.ringNodes = {};
      st.edges = {};
      st.pos = {};
      members.forEach(function (m, i) { st.pos[m.name] = position(i, members.length); });
      drawEdges(names);
      members.forEach(function (m) { st.ringNodes[m.name] = ringNode(m.name); });
    }
    members.forEach(function (m) { updateRingNode(st.ringNodes[m.name], m); });
    cutEdges(members);
  }

  function drawEdges(names) {
    for (var i = 0; i < names.length; i++) {
      for (var j = i + 1; j < names.length; j++) {
        var a = st.pos[names[i]], b = st.pos[names[j]];
        var line = st.edgeLayer.appendChild(svg('line', {x1: a.x, y1: a.y, x2: b.x, y2: b.y,
          'class': 'rv-edge', 'data-edge': names[i] + '-' + names[j]}));
        st.edges[names[i] + '-' + names[j]] = line;
      }
    }
  }

  function ringNode(name) {
    var p = st.pos[name];
    var g = st.nodeLayer.appendChild(svg('g', {'class': 'rv-node', 'data-ring-member': name,
      transform: 'translate(' + p.x + ',' + p.y + ')'}));
    g.appendChild(svg('circle', {r: RING.node + 6, 'class': 'rv-node-halo'}));
    g.appendChild(svg('circle', {r: RING.node, 'class': 'rv-node-body'}));
    var t = g.appendChild(svg('text', {'class': 'rv-node-name', y: -4}));
    t.textContent = name;
    g.appendChild(svg('text', {'class': 'rv-node-term', y: 12}));
    return g;
  }

  function updateRingNode(g, m) {
    g.setAttribute('data-role', m.role || '');
    g.setAttribute('data-state', m.state);
    g.querySelector('.rv-node-body').style.fill = m.state === 'up' || m.state === 'paused'
      ? termColor(m.term, true) : '#eee';
    g.querySelector('.rv-node-term').textContent = m.state !== 'up' ? m.state
      : (m.role === 'leader' ? '★ ' : '') + 't' + m.term;
  }

  /** An edge is drawn cut (red, dashed) when either end says it is partitioned from the other. */
  function cutEdges(members) {
    var cut = {};
    members.forEach(function (m) {
      (m.cut || []).forEach(function (p) { cut[[m.name, p].sort().join('-')] = true; });
    });
    for (var k in st.edges) { st.edges[k].classList.toggle('rv-cut', !!cut[k]); }
  }

  function launch(messages) {
    var totals = {};
    TYPES.forEach(function (t) { totals[t] = 0; });
    var now = performance.now();
    (messages || []).forEach(function (msg) {
      totals[msg.type] = (totals[msg.type] || 0) + msg.count;
      var a = st.pos && st.pos[msg.from], b = st.pos && st.pos[msg.to];
      if (!a || !b) { return; }
      var n = Math.min(msg.count, DOTS_PER_EDGE);
      for (var i = 0; i < n && st.dots.length < MAX_DOTS; i++) {
        var d = st.dotLayer.appendChild(svg('circle', {r: 4, 'class': 'rv-dot rv-msg-'
          + msg.type, 'data-type': msg.type}));
        // On a cut edge the transport drops what it is handed: the dot dies half way.
        var edge = st.edges[[msg.from, msg.to].sort().join('-')];
        st.dots.push({el: d, a: a, b: b, start: now + i * (FLIGHT_MS / (n + 1)),
          side: msg.type === 'response' ? -1 : 1,
          end: edge && edge.classList.contains('rv-cut') ? 0.5 : 1});
      }
    });
    TYPES.forEach(function (t) { st.legendCounts[t].textContent = totals[t]; });
    if (!st.anim && st.dots.length) {
      st.anim = true;
      requestAnimationFrame(step);
    }
  }

  /** Moves each dot along its edge, off to one side so a request and its answer do not meet. */
  function step(now) {
    st.dots = st.dots.filter(function (d) {
      var f = (now - d.start) / FLIGHT_MS;
      if (f >= d.end || !d.el.isConnected) { d.el.remove(); return false; }
      f = Math.max(0, f);
      var dx = d.b.x - d.a.x, dy = d.b.y - d.a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var off = 5 * d.side, from = RING.node / len, span = 1 - 2 * from;
      var g = from + f * span;
      d.el.setAttribute('cx', d.a.x + dx * g - (dy / len) * off);
      d.el.setAttribute('cy', d.a.y + dy * g + (dx / len) * off);
      d.el.style.opacity = f <= 0 ? 0 : d.end < 1 ? 1 - f / d.end : 1;
      return true;
    });
    st.anim = st.dots.length > 0;
    if (st.anim) { requestAnimationFrame(step); }
  }

  // ---- one card per member ----

  function card(name) {
    var c = el('article', {'class': 'rv-card', 'data-member': name});
    var h = c.appendChild(el('header', {'class': 'rv-card-head'}));
    h.appendChild(el('span', {'class': 'rv-name'}, name));
    h.appendChild(el('span', {'class': 'rv-role', 'data-field': 'role'}));
    h.appendChild(el('span', {'class': 'rv-state', 'data-field': 'state'}));
    var dl = c.appendChild(el('dl', {'class': 'rv-fields'}));
    [['term', 'term'], ['vote', 'voted for'], ['leader', 'leader'], ['index',
      'commit / applied / last'], ['kind', 'member'], ['cut', 'cut off from']]
      .forEach(function (f) {
        dl.appendChild(el('dt', {}, f[1]));
        dl.appendChild(el('dd', {'data-field': f[0]}));
      });
    c.appendChild(el('div', {'class': 'rv-failure', 'data-field': 'failure'}));
    c.appendChild(el('div', {'class': 'rv-log', 'data-field': 'log'}));
    if (st.actions) {
      var bar = c.appendChild(el('div', {'class': 'rv-buttons'}));
      var one = function () { return {member: name}; };
      [['kill', 'kill'], ['restart', 'restart'], ['pause', 'pause'], ['resume', 'resume'],
        ['transfer', 'make leader'], ['remove', 'remove']].forEach(function (b) {
        button(bar, b[0], b[1], one, name);
      });
    }
    return c;
  }

  function field(c, name) { return c.querySelector('[data-field="' + name + '"]'); }

  function updateCard(c, m) {
    var live = m.state === 'up';
    c.setAttribute('data-role', m.role || '');
    c.setAttribute('data-state', m.state);
    c.setAttribute('data-cut', (m.cut || []).join(','));
    c.classList.toggle('rv-partitioned', (m.cut || []).length > 0);
    c.style.borderTopColor = live ? termColor(m.term) : '#999';
    field(c, 'role').textContent = m.role || (live ? '?' : '');
    field(c, 'state').textContent = m.state;
    field(c, 'term').textContent = m.term || '-';
    field(c, 'vote').textContent = m.vote || '-';
    field(c, 'leader').textContent = m.leader || '-';
    field(c, 'index').textContent = m.commit + ' / ' + m.applied + ' / ' + m.lastIndex;
    field(c, 'kind').textContent = (m.voter === false ? 'learner' : 'voter')
      + (m.id ? ' (' + m.id + ')' : '');
    field(c, 'cut').textContent = (m.cut || []).length ? m.cut.join(', ') : '-';
    field(c, 'failure').textContent = m.failure || '';
    drawLog(field(c, 'log'), m);
    if (st.actions) { enableButtons(c, m); }
  }

  /** The last entries as blocks coloured by term; uncommitted ones hollow (RaftScope). */
  function drawLog(box, m) {
    var log = m.log || [];
    var key = log.map(function (e) { return e.index + ':' + e.term; }).join() + '|' + m.commit;
    if (box.getAttribute('data-key') === key) { return; }
    box.setAttribute('data-key', key);
    box.innerHTML = '';
    log.forEach(function (e) {
      var committed = e.index <= m.commit;
      var b = box.appendChild(el('span', {'class': 'rv-entry' + (committed ? ' rv-committed'
        : ' rv-uncommitted'), 'data-index': e.index, 'data-term': e.term,
        title: 'index ' + e.index + ', term ' + e.term + (committed ? ', committed'
          : ', not committed')}, String(e.term)));
      b.style.borderColor = termColor(e.term);
      if (committed) { b.style.background = termColor(e.term); }
    });
    if (log.length) {
      box.appendChild(el('span', {'class': 'rv-log-end'}, '#' + log[log.length - 1].index));
    }
  }

  function enableButtons(c, m) {
    var s = m.state;
    var on = {kill: s === 'up' || s === 'paused', restart: s === 'down' || s === 'stopped',
      pause: s === 'up', resume: s === 'paused',
      transfer: s === 'up' && m.role !== 'leader' && m.voter !== false, remove: true};
    c.querySelectorAll('button[data-action]').forEach(function (b) {
      if (!b.classList.contains('rv-busy')) { b.disabled = !on[b.getAttribute('data-action')]; }
    });
  }

  function drawCards(members) {
    var names = {};
    members.forEach(function (m) {
      names[m.name] = true;
      if (!st.cards[m.name]) { st.cards[m.name] = st.cardBox.appendChild(card(m.name)); }
      updateCard(st.cards[m.name], m);
    });
    for (var n in st.cards) {
      if (!names[n]) { st.cards[n].remove(); delete st.cards[n]; }
    }
    if (st.actions) { drawMemberChoices(members); }
  }

  /** The partition checkboxes (one per member) and the add list (the names not in use). */
  function drawMemberChoices(members) {
    var names = members.map(function (m) { return m.name; });
    if (st.partBoxes.getAttribute('data-names') !== names.join()) {
      st.partBoxes.setAttribute('data-names', names.join());
      st.partBoxes.innerHTML = '';
      names.forEach(function (n) {
        var l = st.partBoxes.appendChild(el('label', {}));
        l.appendChild(el('input', {type: 'checkbox', value: n, 'data-partition-member': n}));
        l.appendChild(document.createTextNode(n + ' '));
      });
      st.addSelect.innerHTML = '';
      ['n1', 'n2', 'n3', 'n4', 'n5'].filter(function (n) { return names.indexOf(n) < 0; })
        .forEach(function (n) { st.addSelect.appendChild(el('option', {value: n}, n)); });
    }
  }

  // ---- the timeline ----

  function appendEvents(events) {
    (events || []).forEach(function (e) {
      var id = e.seq !== undefined ? 's' + e.seq : null;
      if (id && st.seen[id]) { return; }
      if (id) { st.seen[id] = true; }
      var li = el('li', {'class': 'rv-event rv-kind-' + e.kind, 'data-kind': e.kind,
        'data-seq': e.seq === undefined ? '' : e.seq, 'data-member': e.member || ''});
      li.appendChild(el('span', {'class': 'rv-event-clock'}, e.clock || ''));
      li.appendChild(el('span', {'class': 'rv-event-kind'}, e.kind));
      li.appendChild(el('span', {'class': 'rv-event-text'}, e.text));
      st.timeline.insertBefore(li, st.timeline.firstChild);
    });
    // Forget the numbers of the entries dropped too: a page left open for days would otherwise
    // keep one per event ever shown. A number comes twice only just after connecting (an event
    // both in the greeting and in the next frame), long before its entry is dropped.
    while (st.timeline.childNodes.length > MAX_EVENTS) {
      delete st.seen['s' + st.timeline.lastChild.getAttribute('data-seq')];
      st.timeline.removeChild(st.timeline.lastChild);
    }
  }

  function render(frame) {
    if (!st) { throw new Error('RaftView.render before RaftView.mount'); }
    var members = frame.members || [];
    st.clock.textContent = frame.clock || '';
    var leaders = members.filter(function (m) { return m.role === 'leader' && m.state === 'up'; })
      .map(function (m) { return m.name + ' (term ' + m.term + ')'; });
    st.leaderLabel.textContent = leaders.length ? 'leader: ' + leaders.join(', ') : 'no leader';
    st.leaderLabel.setAttribute('data-leader', leaders.length ? members.filter(function (m) {
      return m.role === 'leader' && m.state === 'up'; })[0].name : '');
    drawRing(members);
    drawCards(members);
    launch(frame.messages);
    appendEvents(frame.events);
  }

  function reset() {
    if (!st) { return; }
    st.dots.forEach(function (d) { d.el.remove(); });
    st.dots = [];
    st.timeline.innerHTML = '';
    st.seen = {};
    st.cardBox.innerHTML = '';
    st.cards = {};
    st.members = [];
    st.edgeLayer.innerHTML = '';
    st.nodeLayer.innerHTML = '';
    st.clock.textContent = '-';
    st.leaderLabel.textContent = '';
  }

  window.RaftView = {mount: mount, render: render, reset: reset, termColor: termColor};
})();
