/* velotime overlay: the event on the track with its clock, the latest time and the top N, on a
 * transparent page. URL parameters (docs/scoreboards.md): top=N (8; 0 hides the list),
 * clock=0, latest=0, position=bottom-left|bottom-right|top-left|top-right, scale=X,
 * standings=ID (the list gives that omnium's standings: rank, bib, rider, total). A sprint race
 * shows its match (each rider's races won, "Race 3 · Decider"); a pursuit heat its two sides
 * (the latest split's time, the laps to go, Caught / Won) and the gap at the latest half lap. */
(function () {
  'use strict';
  var VT = window.VT;
  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(window.location.search);
  var TOP = Math.max(0, Math.min(40, parseInt(params.get('top') || '8', 10) || 0));
  var CLOCK = params.get('clock') !== '0';
  var LATEST = params.get('latest') !== '0';
  var POSITION = /^(bottom|top)-(left|right)$/.test(params.get('position') || '') ? params.get('position') : 'bottom-left';
  var SCALE = Math.max(0.5, Math.min(4, parseFloat(params.get('scale') || '1') || 1));
  var LATEST_SHOWN_MS = 12000; // how long the latest time stays up
  var STANDINGS = params.get('standings') || null;

  var nodes = {};
  var tracker = new VT.LatestTracker();
  var view = null;
  var frozen = '';
  var clockEvent = null;
  var LABELS = { live: 'Live', stale: 'Stale', offline: 'Offline', connecting: 'Connecting' };

  function lineNodes(item, line) {
    var ranked = line.rank !== null && line.rank !== undefined;
    item.appendChild(VT.el('span', 'ov-rank', ranked ? line.rank : ''));
    item.appendChild(VT.el('span', 'ov-bib', line.bib));
    item.appendChild(VT.el('span', 'ov-name', line.name || ''));
    item.appendChild(VT.el('span', 'ov-nation', line.nation || ''));
    // A bunch race's line: its points (when the race has them) where a time goes, its laps
    // gained or lost where a gap goes.
    var result = line.time || VT.value(line.points);
    item.appendChild(VT.el('span', 'ov-time' + (result ? '' : ' ov-status'), result || line.status || ''));
    item.appendChild(VT.el('span', 'ov-gap', line.gap || VT.lapsGained(line)));
  }

  /* A sprint race's match: a row per rider in slot order with the races won, and which race. */
  function renderMatch(doc) {
    var match = view.match;
    var box = nodes.match;
    VT.show(box, !!match);
    if (!match) return;
    box.textContent = '';
    var riders = VT.riders(doc);
    var race = match.bestOf > 1 ? 'Race ' + match.race + (match.decider ? ' \u00b7 Decider' : '') : '';
    var head = VT.el('div', 'ov-match-head');
    head.appendChild(VT.el('span', null, [match.round, match.heats > 1 ? 'Heat ' + match.heat : ''].filter(Boolean).join(' \u00b7 ')));
    head.appendChild(VT.el('span', 'ov-match-race' + (match.decider ? ' is-decider' : ''), race));
    box.appendChild(head);
    match.riders.forEach(function (bib, index) {
      var who = riders[bib] || {};
      var row = VT.el('div', 'ov-match-side' + (match.winner === bib ? ' is-winner' : ''));
      row.dataset.bib = String(bib);
      row.appendChild(VT.el('span', 'ov-bib', bib));
      row.appendChild(VT.el('span', 'ov-name', who.name || ''));
      row.appendChild(VT.el('span', 'ov-nation', who.nation || ''));
      row.appendChild(VT.el('span', 'ov-wins', match.bestOf > 1 ? String(match.wins[index] || 0) : ''));
      box.appendChild(row);
    });
  }

  function renderPursuit() {
    var board = view.result.pursuit || VT.teamSprintAsPursuit(view.result);
    var box = nodes.pursuit;
    VT.show(box, !!board);
    if (!board) return;
    box.textContent = '';
    var gaps = board.gaps || [];
    var last = gaps.length ? gaps[gaps.length - 1] : null;
    (board.sides || []).forEach(function (side) {
      var latest = VT.pursuitLatest(side);
      var state = VT.pursuitState(board, side);
      var ahead = last && last.ahead === side.entrant;
      var row = VT.el('div', 'ov-pursuit-side side-' + side.side + (ahead ? ' is-ahead' : ''));
      row.dataset.entrant = String(side.entrant);
      row.appendChild(VT.el('span', 'ov-bib', side.entrant));
      row.appendChild(VT.el('span', 'ov-name', side.name || ''));
      var toGo = side.laps_to_go > 0 && !state ? side.laps_to_go + ' to go' : '';
      row.appendChild(VT.el('span', 'ov-togo', toGo));
      row.appendChild(VT.el('span', 'ov-time', latest.time));
      row.appendChild(VT.el('span', 'ov-state state-' + state.toLowerCase(), state));
      box.appendChild(row);
    });
    if (last) {
      var distance = null;
      (board.sides || []).forEach(function (side) {
        (side.splits || []).forEach(function (split) { if (split.half_lap === last.half_lap) distance = split.distance_m; });
      });
      var gap = VT.el('div', 'ov-pursuit-gap');
      gap.appendChild(VT.el('span', 'ov-gap-value', last.ahead === null ? 'Level' : last.gap));
      gap.appendChild(VT.el('span', 'ov-gap-where', (last.ahead === null ? '' : last.ahead + ' ahead') +
        (distance !== null ? ' at ' + distance + ' m' : '')));
      box.appendChild(gap);
    }
  }

  function onState(doc) {
    view = VT.view(doc);
    VT.show(nodes.overlay, !!view);
    if (!view) return;
    tracker.update(view.event, view.lines);
    VT.text(nodes.event, view.title);
    var detail = [view.category, view.round].filter(Boolean).join(' \u00b7 ');
    if (!view.onTrack && view.status) detail += (detail ? ' \u00b7 ' : '') + (VT.statusLabels[view.status] || view.status);
    VT.text(nodes.detail, detail);
    if (view.event !== clockEvent) {
      clockEvent = view.event;
      frozen = '';
    }
    VT.show(nodes.clock, CLOCK && view.onTrack);
    var board = view.result.lap_board;
    VT.show(nodes.laps, !!board && view.onTrack);
    if (board) {
      VT.text(nodes.laps, VT.lapBoardText(board));
      nodes.laps.classList.toggle('is-bell', !!board.bell && !board.finished);
    }

    renderMatch(doc);
    renderPursuit();

    var latest = tracker.line(view.lines);
    var showLatest = LATEST && latest && view.discipline !== 'keirin' && Date.now() - tracker.at < LATEST_SHOWN_MS;
    VT.show(nodes.latest, !!showLatest);
    if (showLatest) {
      VT.text(nodes.latestRank, latest.rank === null || latest.rank === undefined ? '' : latest.rank);
      VT.text(nodes.latestBib, latest.bib);
      VT.text(nodes.latestName, latest.name || '');
      VT.text(nodes.latestNation, latest.nation || '');
      VT.text(nodes.latestTime, latest.time || '');
      VT.text(nodes.latestGap, latest.gap || '');
    }

    var list = nodes.top;
    list.textContent = '';
    var omnium = STANDINGS ? (doc.standings || {})[STANDINGS] : null;
    if (omnium && omnium.discipline === 'omnium') {
      // The omnium's standings in place of the event's lines: the total where a time goes.
      (omnium.lines || []).slice(0, TOP).forEach(function (line) {
        var item = VT.el('li');
        item.dataset.bib = String(line.bib);
        lineNodes(item, { rank: line.rank, bib: line.bib, name: line.name, nation: line.nation,
          points: line.status ? null : line.total, status: line.status });
        list.appendChild(item);
      });
      VT.show(list, TOP > 0 && (omnium.lines || []).length > 0);
      document.body.dataset.version = String(doc.version);
      return;
    }
    view.lines.slice(0, TOP).forEach(function (line) {
      var item = VT.el('li');
      if (latest && line.bib === latest.bib) item.className = 'is-latest';
      item.dataset.bib = String(line.bib);
      lineNodes(item, line);
      list.appendChild(item);
    });
    // A pursuit's or team sprint's two sides say all its lines would.
    VT.show(list, TOP > 0 && view.lines.length > 0 && !view.result.pursuit && !view.result.team_sprint);
    document.body.dataset.version = String(doc.version);
  }

  function onConnection(status) {
    var body = document.body;
    body.className = body.className.replace(/\bconn-\S+/g, '').trim() + ' conn-' + status;
    VT.text(nodes.conn, LABELS[status]);
  }

  function tick() {
    if (view && view.onTrack && CLOCK) {
      var text = view.startUs !== null ? VT.runningTime(view.startUs, VT.nowUs()) : frozen || '0.0';
      if (view.startUs !== null) frozen = text;
      VT.text(nodes.clock, text);
      nodes.clock.classList.toggle('is-frozen', view.startUs === null);
    }
    // The latest time goes away on its own after a while.
    if (view && !nodes.latest.hidden && Date.now() - tracker.at >= LATEST_SHOWN_MS) VT.show(nodes.latest, false);
    window.requestAnimationFrame(tick);
  }

  function start() {
    document.body.className = document.body.className.replace(/\bpos-\S+/g, '').trim() + ' pos-' + POSITION;
    document.documentElement.style.setProperty('--scale', String(SCALE));
    nodes.overlay = $('overlay');
    nodes.event = $('ov-event');
    nodes.detail = $('ov-detail');
    nodes.clock = $('ov-clock');
    nodes.laps = $('ov-laps');
    nodes.match = $('ov-match');
    nodes.pursuit = $('ov-pursuit');
    nodes.latest = $('ov-latest');
    nodes.latestRank = $('ov-latest-rank');
    nodes.latestBib = $('ov-latest-bib');
    nodes.latestName = $('ov-latest-name');
    nodes.latestNation = $('ov-latest-nation');
    nodes.latestTime = $('ov-latest-time');
    nodes.latestGap = $('ov-latest-gap');
    nodes.top = $('ov-top');
    nodes.conn = $('ov-conn');
    VT.connect({ state: onState, connection: onConnection });
    window.requestAnimationFrame(tick);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
