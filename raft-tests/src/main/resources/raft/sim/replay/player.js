// The simulator replay's player (scripts/simulate --html): steps through the recorded frames
// (issue 15's schema) and draws each with the live view's own code (view.js, window.RaftView),
// without its fault buttons. Stepping forward draws the next frame as the live view would;
// any other move redraws from scratch: RaftView.reset(), then the target frame carrying the
// timeline's events up to it.
//
// Test hooks: #rp-player has data-frame (index shown, from 0), data-frames and data-playing;
// its buttons carry data-control (first, back, play, forward, last); #rp-slider, #rp-speed.
// window.RaftReplay = {frames, seek(i), current()}. The page opens at #frame=N if given.
(function () {
  'use strict';
  var MAX_EVENTS = 400;   // timeline entries redrawn when seeking (view.js keeps as many)
  var FRAME_MS = 500;     // one frame each half second at speed 1
  var data = JSON.parse(document.getElementById('rp-data').textContent);
  var frames = data.frames || [];
  var current = -1;
  var timer = null;
  var ui = {};

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // Labels use only glyphs that common fonts draw (media-control symbols showed as boxes).
  function control(box, name, label, title, action) {
    var b = box.appendChild(el('button', {type: 'button', 'data-control': name, title: title},
      label));
    b.addEventListener('click', action);
    return b;
  }

  function build(bar) {
    bar.appendChild(el('div', {'class': 'rp-title'}, data.title || 'simulator replay'));
    bar.appendChild(el('div', {'class': 'rp-summary'}, data.summary || ''));
    var box = bar.appendChild(el('div', {'class': 'rp-controls'}));
    control(box, 'first', '|◀', 'first frame', function () { pause(); seek(0); });
    control(box, 'back', '◀ step', 'one frame back (←)', function () { pause(); seek(current - 1); });
    ui.play = control(box, 'play', 'play', 'play / pause (space)', toggle);
    control(box, 'forward', 'step ▶', 'one frame forward (→)', function () {
      pause(); seek(current + 1);
    });
    control(box, 'last', '▶|', 'last frame', function () { pause(); seek(frames.length - 1); });
    ui.slider = box.appendChild(el('input', {type: 'range', id: 'rp-slider', min: 0,
      max: Math.max(frames.length - 1, 0), value: 0, step: 1}));
    ui.slider.addEventListener('input', function () { seek(Number(ui.slider.value)); });
    box.appendChild(el('label', {'for': 'rp-speed'}, 'speed'));
    ui.speed = box.appendChild(el('select', {id: 'rp-speed'}));
    [0.25, 0.5, 1, 2, 4, 8, 16].forEach(function (s) {
      var o = ui.speed.appendChild(el('option', {value: s}, s + '×'));
      if (s === 1) { o.selected = true; }
    });
    ui.position = box.appendChild(el('span', {'class': 'rp-position', id: 'rp-position'}));
    bar.setAttribute('data-frames', frames.length);
  }

  /** Frame i with the events of every frame up to it: what playing up to i would have shown. */
  function caughtUp(i) {
    var events = [];
    for (var k = i; k >= 0 && events.length < MAX_EVENTS; k--) {
      events = (frames[k].events || []).concat(events);
    }
    var f = {};
    for (var key in frames[i]) { f[key] = frames[i][key]; }
    f.events = events.slice(-MAX_EVENTS);
    return f;
  }

  function seek(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    if (!frames.length || i === current) { return; }
    if (i === current + 1) {
      RaftView.render(frames[i]);
    } else {
      RaftView.reset();
      RaftView.render(caughtUp(i));
    }
    current = i;
    ui.slider.value = i;
    ui.bar.setAttribute('data-frame', i);
    ui.position.textContent = 'frame ' + (i + 1) + ' / ' + frames.length + ' · '
      + frames[i].clock;
  }

  function tick() {
    if (current >= frames.length - 1) { pause(); return; }
    seek(current + 1);
    timer = setTimeout(tick, FRAME_MS / Number(ui.speed.value));
  }

  function play() {
    if (timer !== null) { return; }
    if (current >= frames.length - 1) { seek(0); }
    ui.bar.setAttribute('data-playing', 'true');
    ui.play.textContent = 'pause';
    timer = setTimeout(tick, FRAME_MS / Number(ui.speed.value));
  }

  function pause() {
    if (timer !== null) { clearTimeout(timer); }
    timer = null;
    ui.bar.setAttribute('data-playing', 'false');
    ui.play.textContent = 'play';
  }

  function toggle() {
    if (timer === null) { play(); } else { pause(); }
  }

  function keys(e) {
    if (e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT')) { return; }
    if (e.key === 'ArrowRight') { pause(); seek(current + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { pause(); seek(current - 1); e.preventDefault(); }
    if (e.key === ' ') { toggle(); e.preventDefault(); }
  }

  ui.bar = document.getElementById('rp-player');
  build(ui.bar);
  RaftView.mount(document.getElementById('raft-view'), {actions: false});
  pause();
  // page.html#frame=N opens at frame N (from 0), to point someone at a moment of the run.
  var at = /frame=(\d+)/.exec(location.hash);
  seek(at ? Number(at[1]) : 0);
  document.addEventListener('keydown', keys);
  window.RaftReplay = {frames: frames, seek: seek, current: function () { return current; }};
})();
