/* velotime scoreboard page: what is on the track, the running clock, the latest time, the
 * ranking or heat order, and the keirin standings. Built with DOM nodes and textContent only. */
(function () {
  'use strict';
  var VT = window.VT;
  var $ = function (id) { return document.getElementById(id); };
  var LATEST_GLOW_MS = 8000; // how long a new time stays highlighted in the ranking

  var nodes = {};
  var tracker = new VT.LatestTracker();
  var rows = new Map(); // bib -> <tr>, reused so that highlights animate once
  var view = null;
  var currentDoc = null;
  var lastStandings = '';
  var lastEvents = '';
  var frozenClock = '';
  var clockEvent = null;

  function ranked(line) {
    return line.rank !== null && line.rank !== undefined;
  }

  function rankText(line) {
    return ranked(line) ? String(line.rank) : '';
  }

  function flagNodes(line) {
    var out = [];
    (line.flags || []).forEach(function (flag) {
      var label = VT.flagLabels[flag] || flag;
      var tag = VT.el('span', 'flag flag-' + flag.replace(/[^a-z]+/g, '-'), label);
      tag.title = flag;
      out.push(tag);
    });
    return out;
  }

  function cell(tr, className) {
    var td = tr.querySelector('.' + className);
    if (!td) {
      td = VT.el('td', className);
      tr.appendChild(td);
    }
    return td;
  }

  function renderRow(tr, line) {
    // An unranked rider's status (DNS, DNF, DSQ) stands in the rank column, as on a result list.
    VT.text(cell(tr, 'c-rank'), ranked(line) ? line.rank : line.status || '');
    VT.text(cell(tr, 'c-bib'), line.bib);
    var name = cell(tr, 'c-name');
    var key = JSON.stringify([line.name, line.nation, line.flags || [], line.status || '']);
    if (name.dataset.key !== key) {
      name.dataset.key = key;
      name.textContent = '';
      name.appendChild(VT.el('span', 'rider-name', line.name || ''));
      name.appendChild(VT.el('span', 'rider-nation', line.nation || ''));
      if (line.status && ranked(line)) name.appendChild(VT.el('span', 'flag flag-status', line.status));
      flagNodes(line).forEach(function (tag) { name.appendChild(tag); });
    }
    VT.text(cell(tr, 'c-nation'), line.nation || '');
    // Bunch races: laps, laps gained or lost, and points (sprint by sprint) when the race has them.
    VT.text(cell(tr, 'c-laps'), VT.value(line.laps));
    VT.text(cell(tr, 'c-laps-gained'), VT.lapsGained(line));
    VT.text(cell(tr, 'c-sprints'), VT.value(line.sprint_points));
    VT.text(cell(tr, 'c-points'), VT.value(line.points));
    VT.text(cell(tr, 'c-time'), line.time || '');
    VT.text(cell(tr, 'c-gap'), line.gap || '');
    VT.text(cell(tr, 'c-speed'), line.speed_kmh || '');
    tr.classList.toggle('unranked', !ranked(line));
    tr.dataset.bib = String(line.bib);
    tr.dataset.rank = rankText(line);
  }

  function renderRanking(v) {
    var tbody = nodes.ranking.tBodies[0];
    var keirin = v && v.discipline === 'keirin';
    var lines = v ? v.lines : [];
    // Before the first line, the event's start list (on the track, next, or pinned).
    var startList = !!v && lines.length === 0 && v.riders.length > 0;
    if (startList) {
      var riders = VT.riders(currentDoc);
      lines = v.riders.map(function (bib) {
        var who = riders[bib] || {};
        return { rank: null, bib: bib, name: who.name || '', nation: who.nation || '' };
      });
    }
    nodes.ranking.classList.toggle('is-keirin', !!keirin);
    var has = function (key) {
      return lines.some(function (line) { return VT.value(line[key]) !== ''; });
    };
    var bunch = !!v && (!!v.result.lap_board || has('laps'));
    nodes.ranking.classList.toggle('is-bunch', bunch);
    nodes.ranking.classList.toggle('has-points', has('points'));
    nodes.ranking.classList.toggle('has-sprints', has('sprint_points'));
    nodes.ranking.classList.toggle('is-start-list', startList);
    VT.text(nodes.rankingTitle, startList ? 'Start list' : keirin ? 'Finish order' : 'Ranking');
    var note = '';
    if (v && v.result.winner_last_200) {
      note = 'Winner\u2019s last 200 m ' + v.result.winner_last_200 +
        ' \u00b7 ' + v.result.winner_last_200_kmh + ' km/h';
    }
    VT.text(nodes.rankingNote, note);
    var latest = tracker.bib;
    var fresh = latest !== null && Date.now() - tracker.at < LATEST_GLOW_MS;
    var keep = new Set();
    lines.forEach(function (line) {
      var tr = rows.get(line.bib);
      if (!tr) {
        tr = VT.el('tr');
        rows.set(line.bib, tr);
      }
      renderRow(tr, line);
      tr.classList.toggle('is-latest', fresh && line.bib === latest);
      tbody.appendChild(tr); // in result order
      keep.add(line.bib);
    });
    rows.forEach(function (tr, bib) {
      if (!keep.has(bib)) {
        tr.remove();
        rows.delete(bib);
      }
    });
    // A sprint race or a pursuit heat: its two lines in big rows above the bracket or half laps.
    var compact = !!v && !!(v.match || v.result.pursuit || v.result.team_sprint);
    nodes.rankingWrap.style.setProperty('--rows', String(Math.max(lines.length, compact ? 3 : 8)));
    VT.show(nodes.rankingEmpty, lines.length === 0);
    VT.text(nodes.rankingEmpty, v ? (keirin ? 'No finish order yet.' : 'No times yet.') : 'No result yet.');
  }

  /* A sprint race's match: the riders side by side in slot order, each one's races won, and
   * which race this is ("Race 3 \u00b7 Decider"); the match's winner marked once decided. */
  function renderMatch(v, doc) {
    var match = v && v.match;
    var box = nodes.match;
    VT.show(box, !!match);
    if (!match) return;
    var key = JSON.stringify([match, doc.meta && doc.meta.riders ? 1 : 0]);
    if (box.dataset.key === key) return;
    box.dataset.key = key;
    box.textContent = '';
    var riders = VT.riders(doc);
    var where = [match.round, match.heats > 1 ? 'Heat ' + match.heat : ''].filter(Boolean);
    var head = VT.el('div', 'match-head');
    head.appendChild(VT.el('span', 'match-where', where.join(' \u00b7 ')));
    var race = match.bestOf > 1 ? 'Race ' + match.race + (match.decider ? ' \u00b7 Decider' : '') : '';
    head.appendChild(VT.el('span', 'match-race' + (match.decider ? ' is-decider' : ''), race));
    box.appendChild(head);
    var sides = VT.el('div', 'match-sides');
    match.riders.forEach(function (bib, index) {
      if (index) sides.appendChild(VT.el('span', 'match-v', 'v'));
      var who = riders[bib] || {};
      var side = VT.el('div', 'match-side' + (match.winner === bib ? ' is-winner' : ''));
      side.dataset.bib = String(bib);
      side.appendChild(VT.el('span', 'bib', bib));
      side.appendChild(VT.el('span', 'match-name', who.name || ''));
      side.appendChild(VT.el('span', 'nation', who.nation || ''));
      if (match.bestOf > 1) side.appendChild(VT.el('span', 'match-wins', String(match.wins[index] || 0)));
      sides.appendChild(side);
    });
    box.appendChild(sides);
    var score = VT.el('div', 'match-score', match.score);
    VT.show(score, !!match.score);
    box.appendChild(score);
  }

  /* A pursuit heat: both sides side by side (the home straight's first, red; the back
   * straight's, green): who, the latest split's cumulative time (the time once finished), its
   * distance and lap, the laps to go, Caught / Won / Finished; the gap at the latest half lap
   * both have ridden, and who is ahead. Under the ranking, the gap at every half lap. */
  function renderPursuit(v, doc) {
    var board = v && (v.result.pursuit || VT.teamSprintAsPursuit(v.result));
    VT.show(nodes.pursuit, !!board);
    VT.show(nodes.pursuitTable, !!board);
    if (!board) return;
    var key = JSON.stringify([board, doc.meta && doc.meta.riders ? 1 : 0]);
    if (nodes.pursuit.dataset.key === key) return;
    nodes.pursuit.dataset.key = key;
    var box = nodes.pursuit;
    box.textContent = '';
    var gaps = board.gaps || [];
    var last = gaps.length ? gaps[gaps.length - 1] : null;
    var leader = last ? last.ahead : null;
    var sides = VT.el('div', 'pursuit-sides');
    var names = {};
    (board.sides || []).forEach(function (side) {
      names[side.entrant] = side;
      var latest = VT.pursuitLatest(side);
      var state = VT.pursuitState(board, side);
      var card = VT.el('div', 'pursuit-side side-' + side.side + (leader === side.entrant ? ' is-ahead' : ''));
      card.dataset.entrant = String(side.entrant);
      card.appendChild(VT.el('div', 'pursuit-line', side.side === 'home' ? 'Home straight' : 'Back straight'));
      var who = VT.el('div', 'pursuit-who');
      who.appendChild(VT.el('span', 'bib', side.entrant));
      who.appendChild(VT.el('span', 'pursuit-name', side.name || ''));
      who.appendChild(VT.el('span', 'nation', side.nation || ''));
      card.appendChild(who);
      if ((side.dropped || []).length) {
        card.appendChild(VT.el('div', 'pursuit-team', 'Riding ' + side.riders.join(' ') + ' \u00b7 dropped ' + side.dropped.join(' ')));
      }
      card.appendChild(VT.el('div', 'pursuit-time', latest.time || '\u2013'));
      var at = side.time ? '' : [latest.at !== null ? latest.at + ' m' : '', latest.lap ? 'lap ' + latest.lap : ''].filter(Boolean).join(' \u00b7 ');
      card.appendChild(VT.el('div', 'pursuit-at', at));
      var toGo = side.laps_to_go;
      card.appendChild(VT.el('div', 'pursuit-togo', toGo > 0 && !state ? toGo + (toGo === 1 ? ' lap' : ' laps') + ' to go' : ''));
      card.appendChild(VT.el('span', 'pursuit-state state-' + state.toLowerCase(), state));
      sides.appendChild(card);
    });
    box.appendChild(sides);
    if (last) {
      var gap = VT.el('div', 'pursuit-gap', last.ahead === null ? 'Level' : last.gap);
      var distance = null;
      (board.sides || []).forEach(function (side) {
        (side.splits || []).forEach(function (split) { if (split.half_lap === last.half_lap) distance = split.distance_m; });
      });
      var where = (last.ahead === null ? '' : last.ahead + ' ' + ((names[last.ahead] || {}).name || '') + ' ahead') +
        (distance !== null ? ' at ' + distance + ' m' : '');
      gap.appendChild(VT.el('span', 'pursuit-gap-where', where.trim()));
      box.appendChild(gap);
    }
    renderPursuitTable(board, names);
  }

  function renderPursuitTable(board, names) {
    var sides = board.sides || [];
    var home = sides[0] || {};
    var back = sides[1] || {};
    VT.text(nodes.pursuitHomeHead, home.entrant !== undefined ? home.entrant + ' ' + (home.name || '') : 'Home');
    VT.text(nodes.pursuitBackHead, back.entrant !== undefined ? back.entrant + ' ' + (back.name || '') : 'Back');
    var byHalf = function (side) {
      var map = {};
      (side.splits || []).forEach(function (split) { map[split.half_lap] = split; });
      return map;
    };
    var homeSplits = byHalf(home);
    var backSplits = byHalf(back);
    var gaps = {};
    (board.gaps || []).forEach(function (gap) { gaps[gap.half_lap] = gap; });
    var count = Math.max(home.half_laps || 0, back.half_laps || 0);
    var tbody = nodes.pursuitTable.querySelector('tbody');
    tbody.textContent = '';
    for (var n = count; n >= 1; n--) { // the latest half lap first
      var a = homeSplits[n] || {};
      var b = backSplits[n] || {};
      var gap = gaps[n];
      var tr = VT.el('tr');
      tr.dataset.halfLap = String(n);
      if (gap && gap.ahead !== null) tr.className = gap.ahead === home.entrant ? 'ahead-home' : 'ahead-back';
      tr.appendChild(VT.el('td', 'c-half', n));
      tr.appendChild(VT.el('td', 'c-distance', a.distance_m || b.distance_m || ''));
      tr.appendChild(VT.el('td', 'c-home', a.cumulative || ''));
      tr.appendChild(VT.el('td', 'c-back', b.cumulative || ''));
      tr.appendChild(VT.el('td', 'c-gap', gap ? (gap.ahead === null ? 'level' : gap.gap) : ''));
      tr.appendChild(VT.el('td', 'c-ahead', gap && gap.ahead !== null ? gap.ahead : ''));
      tbody.appendChild(tr);
    }
    VT.text(nodes.pursuitTableNote, board.half_laps ? count + ' of ' + board.half_laps : '');
  }

  function renderLapBoard(v) {
    var board = v && v.result.lap_board;
    var box = nodes.lapBoard;
    VT.show(box, !!board);
    if (!board) return;
    VT.text(box, VT.lapBoardText(board));
    box.classList.toggle('is-bell', !!board.bell && !board.finished);
    box.classList.toggle('is-finished', !!board.finished);
    box.dataset.lapsToGo = String(board.laps_to_go);
  }

  /* Standings other than a keirin competition's rounds (the omnium's): a table of their lines,
   * every key the payload's lines carry as a column, so that new keys show without a change. */
  var STANDINGS_SKIP = ['rank', 'bib', 'name', 'nation', 'status', 'flags'];

  function standingsLines(comp) {
    var keys = ['classification', 'standings', 'lines'];
    for (var i = 0; i < keys.length; i++) {
      if (Array.isArray(comp[keys[i]]) && comp[keys[i]].length) return comp[keys[i]];
    }
    return [];
  }

  /* An omnium (standings/<omnium>, docs/mqtt.md): rank, rider, each counted race's points
   * (or why not: lapped, DNF...), the total. */
  function omniumStandings(comp, riders) {
    var races = (comp.races || []).map(function (race, index) { return [race, index]; })
      .filter(function (pair) { return pair[0].counted; });
    var table = VT.el('table', 'table classification standings-table omnium');
    var head = VT.el('tr');
    ['#', 'Bib', 'Rider'].forEach(function (title) { head.appendChild(VT.el('th', null, title)); });
    races.forEach(function (pair) { head.appendChild(VT.el('th', 'c-race', pair[0].name)); });
    head.appendChild(VT.el('th', 'c-total', 'Total'));
    var thead = VT.el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = VT.el('tbody');
    (comp.lines || []).forEach(function (line) {
      var tr = VT.el('tr', line.rank === null || line.rank === undefined ? 'unranked' : '');
      tr.dataset.bib = String(line.bib);
      var who = riders[line.bib] || {};
      tr.appendChild(VT.el('td', 'c-rank', line.rank === null || line.rank === undefined ? (line.status || '') : line.rank));
      tr.appendChild(VT.el('td', 'c-bib', line.bib));
      tr.appendChild(VT.el('td', 'c-name', line.name || who.name || ''));
      races.forEach(function (pair) {
        var score = (line.races || [])[pair[1]];
        tr.appendChild(VT.el('td', 'c-race', score ? (score.status || score.points) : ''));
      });
      tr.appendChild(VT.el('td', 'c-total', line.status || line.total));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    return table;
  }

  function genericStandings(comp, riders) {
    if (comp.discipline === 'omnium') return omniumStandings(comp, riders);
    var lines = standingsLines(comp);
    var columns = [];
    lines.forEach(function (line) {
      Object.keys(line).forEach(function (key) {
        if (STANDINGS_SKIP.indexOf(key) < 0 && columns.indexOf(key) < 0 && VT.value(line[key]) !== '') columns.push(key);
      });
    });
    var table = VT.el('table', 'table classification standings-table');
    var thead = VT.el('thead');
    var head = VT.el('tr');
    ['#', 'Bib', 'Rider'].concat(columns.map(function (key) { return key.replace(/_/g, ' '); })).forEach(function (title) {
      head.appendChild(VT.el('th', null, title));
    });
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = VT.el('tbody');
    lines.forEach(function (line) {
      var tr = VT.el('tr');
      tr.dataset.bib = String(line.bib);
      var who = riders[line.bib] || {};
      tr.appendChild(VT.el('td', 'c-rank', line.rank === null || line.rank === undefined ? (line.status || '') : line.rank));
      tr.appendChild(VT.el('td', 'c-bib', line.bib));
      tr.appendChild(VT.el('td', 'c-name', line.name || who.name || ''));
      columns.forEach(function (key) { tr.appendChild(VT.el('td', 'c-' + key.replace(/[^a-z0-9]+/g, '-'), VT.value(line[key]))); });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    return table;
  }

  function riderChip(bib, riders, className) {
    var who = riders[bib] || {};
    var chip = VT.el('span', 'chip' + (className ? ' ' + className : ''));
    chip.appendChild(VT.el('span', 'bib', bib));
    chip.appendChild(VT.el('span', 'chip-name', who.name || ''));
    if (who.nation) chip.appendChild(VT.el('span', 'nation', who.nation));
    return chip;
  }

  function renderRiders(v, doc) {
    var box = nodes.riders;
    box.textContent = '';
    if (!v || !v.onTrack) return;
    var riders = VT.riders(doc);
    if (v.discipline === 'keirin') {
      if (v.riders.length) box.appendChild(VT.el('div', 'riders-label', 'Heat'));
      var list = VT.el('div', 'chips');
      v.riders.forEach(function (bib) { list.appendChild(riderChip(bib, riders)); });
      box.appendChild(list);
      return;
    }
    if (v.discipline === 'time_trial' && v.riderOnTrack !== null && v.riderOnTrack !== undefined) {
      box.appendChild(VT.el('div', 'riders-label', 'Riding'));
      box.appendChild(riderChip(v.riderOnTrack, riders, 'chip-large'));
      var ride = v.result.on_track;
      if (ride && ride.bib === v.riderOnTrack && ride.splits && ride.splits.length) {
        var splits = VT.el('div', 'splits');
        ride.splits.forEach(function (split) {
          var item = VT.el('span', 'split');
          item.appendChild(VT.el('span', 'split-d', split.distance_m + ' m'));
          item.appendChild(VT.el('span', 'split-t', split.cumulative));
          splits.appendChild(item);
        });
        box.appendChild(splits);
      }
      return;
    }
    if (v.result.lap_board) return; // a bunch race: they all ride; the lap board says the rest
    if (v.match || v.discipline === 'sprint') return; // its match says who rides
    if (v.result.pursuit || v.result.team_sprint) return; // its two sides say who rides
    // Flying 200 m (and a time trial before its first rider): the next in start order that
    // has no result line yet.
    var done = new Set(v.lines.map(function (line) { return line.bib; }));
    var next = v.riders.filter(function (bib) { return !done.has(bib); });
    if (next.length) {
      var running = v.startUs !== null;
      box.appendChild(VT.el('div', 'riders-label', running ? 'Riding' : 'Next in start order'));
      box.appendChild(riderChip(next[0], riders, 'chip-large'));
      if (next.length > 1) {
        var then = VT.el('div', 'then');
        then.appendChild(VT.el('span', 'riders-label', 'Then'));
        next.slice(1, 4).forEach(function (bib) { then.appendChild(riderChip(bib, riders)); });
        box.appendChild(then);
      }
    }
  }

  function trackLabel(v) {
    if (!v) return 'Waiting';
    if (v.onTrack) return 'On track';
    if (v.kind === 'next') return 'Next';
    if (v.kind === 'pinned') return v.lines.length || v.status ? 'Result' : 'Start list';
    return 'Latest result';
  }

  function renderTrack(v, doc) {
    VT.text(nodes.trackLabel, trackLabel(v));
    VT.text(nodes.eventName, v ? v.title : 'Waiting for the first event');
    var heat = v && v.heat ? 'Heat ' + v.heat : '';
    var detail = v ? [v.category, v.round, heat, VT.disciplines[v.discipline] || v.discipline] : [];
    VT.text(nodes.eventDetail, detail.filter(Boolean).join(' \u00b7 '));
    var status = v ? v.status : '';
    VT.text(nodes.eventStatus, VT.statusLabels[status] || status);
    nodes.eventStatus.className = 'pill pill-' + (status || 'none');
    VT.show(nodes.eventStatus, !!status);
    VT.show(nodes.clock, !!(v && v.onTrack));
    if (!v || v.event !== clockEvent) {
      frozenClock = '';
      clockEvent = v ? v.event : null;
    }
    renderRiders(v, doc);
  }

  function renderLatest(v) {
    var line = v ? tracker.line(v.lines) : null;
    var show = !!line && v.discipline !== 'keirin';
    VT.show(nodes.latest, show);
    if (!show) return;
    VT.text(nodes.latestBib, line.bib);
    VT.text(nodes.latestName, line.name || '');
    VT.text(nodes.latestNation, line.nation || '');
    VT.text(nodes.latestTime, line.time || '');
    VT.text(nodes.latestRank, rankText(line) || '\u2013');
    VT.text(nodes.latestGap, line.gap || (line.rank === 1 ? 'Leader' : '\u2013'));
    VT.text(nodes.latestSpeed, line.speed_kmh || '\u2013');
    var key = v.event + ':' + line.bib + ':' + line.time;
    if (nodes.latest.dataset.key !== key) {
      nodes.latest.dataset.key = key;
      nodes.latest.classList.remove('flash');
      void nodes.latest.offsetWidth; // restart the animation
      nodes.latest.classList.add('flash');
    }
  }

  function appendClassification(block, classification) {
    if (!classification.length) return;
    block.appendChild(VT.el('h4', 'classification-title', 'Final classification'));
    var table = VT.el('table', 'table classification');
    var tbody = VT.el('tbody');
    classification.forEach(function (line) {
      var tr = VT.el('tr');
      tr.appendChild(VT.el('td', 'c-rank', line.rank === null || line.rank === undefined ? (line.status || '') : line.rank));
      tr.appendChild(VT.el('td', 'c-bib', line.bib));
      tr.appendChild(VT.el('td', 'c-name', line.name || ''));
      tr.appendChild(VT.el('td', 'c-nation', line.nation || ''));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    block.appendChild(table);
  }

  /* A pursuit's or team sprint's round ranked by time (its qualifying; a team event's first
   * round, group by group): rank, entrant, time, gap to the group's fastest, where each goes. */
  function appendRanking(block, round, riders) {
    var ranking = round.ranking || [];
    if (!ranking.length) return;
    block.appendChild(VT.el('h4', 'round-ranking-title', (round.name || '') + ' ranking'));
    var table = VT.el('table', 'table classification round-ranking');
    var tbody = VT.el('tbody');
    var grouped = ranking.some(function (entry) { return entry.group !== ranking[0].group; });
    ranking.forEach(function (entry, index) {
      if (grouped && (index === 0 || entry.group !== ranking[index - 1].group)) {
        var head = VT.el('tr', 'ranking-group');
        var th = VT.el('th', null, entry.group);
        th.colSpan = 6;
        head.appendChild(th);
        tbody.appendChild(head);
      }
      var tr = VT.el('tr', entry.to === 'out' ? 'is-out' : '');
      tr.dataset.bib = String(entry.entrant);
      tr.appendChild(VT.el('td', 'c-rank', entry.rank));
      tr.appendChild(VT.el('td', 'c-bib', entry.entrant));
      tr.appendChild(VT.el('td', 'c-name', (riders[entry.entrant] || {}).name || ''));
      tr.appendChild(VT.el('td', 'c-time', entry.time || entry.status || ''));
      tr.appendChild(VT.el('td', 'c-gap', entry.gap || ''));
      var to = [entry.to, entry.tied ? 'draw required' : ''].filter(Boolean).join(' \u00b7 ');
      tr.appendChild(VT.el('td', 'c-to', to));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    block.appendChild(table);
  }

  /* A sprint tournament as a bracket: its rounds as columns, each match a card with its riders
   * in slot order and the races each has won (the match's winner marked), the match being
   * ridden now marked; a round not drawn yet shows where its riders come from ("Q1", "W 1/4 #1"). */
  function sprintBracket(comp, riders, shown) {
    var bracket = VT.el('div', 'rounds bracket');
    (comp.rounds || []).forEach(function (round) {
      var col = VT.el('section', 'round');
      col.appendChild(VT.el('h4', null, round.name || ''));
      var heats = round.heats || [];
      var slots = round.slots || [];
      var count = Math.max(heats.length, slots.length);
      var list = VT.el('div', 'round-matches');
      for (var i = 0; i < count; i++) {
        var heat = heats[i] || null;
        var here = VT.heatHas(heat, shown);
        var card = VT.el('div', 'heat bracket-match heat-' + ((heat && heat.status) || 'none') + (here ? ' is-shown' : ''));
        card.dataset.heat = String(i + 1);
        if (heat) card.dataset.event = heat.event;
        var top = VT.el('div', 'heat-head');
        top.appendChild(VT.el('span', 'heat-name', count > 1 ? 'Heat ' + (i + 1) : 'Heat'));
        top.appendChild(VT.el('span', 'heat-status', heat ? (VT.statusLabels[heat.status] || heat.status || '') : ''));
        card.appendChild(top);
        var winner = heat && heat.status === 'final' && heat.order && heat.order.length ? heat.order[0] : null;
        var entries = heat ? heat.riders || [] : slots[i] || [];
        entries.forEach(function (entry, index) {
          var row = VT.el('div', 'bracket-rider');
          if (heat) {
            var who = riders[entry] || {};
            row.dataset.bib = String(entry);
            if (entry === winner) row.classList.add('is-winner');
            row.appendChild(VT.el('span', 'bib', entry));
            row.appendChild(VT.el('span', 'heat-rider', who.name || ''));
            row.appendChild(VT.el('span', 'bracket-wins', (round.best_of || 1) > 1 && heat.wins ? heat.wins[index] : ''));
          } else {
            row.classList.add('is-slot');
            row.appendChild(VT.el('span', 'bracket-slot', VT.slotLabel(entry)));
          }
          card.appendChild(row);
        });
        list.appendChild(card);
      }
      col.appendChild(list);
      bracket.appendChild(col);
    });
    return bracket;
  }

  /* The sprint tournament shown under the ranking: the shown race's, else the one named by
   * ?standings=ID; the side panel's standings then leave it out. */
  function bracketCompetition(doc) {
    if (view && view.match) return view.match.competition;
    var comp = VT.pinnedStandings && (doc.standings || {})[VT.pinnedStandings];
    return comp && comp.discipline === 'sprint' ? VT.pinnedStandings : null;
  }

  function renderBracket(doc) {
    var id = bracketCompetition(doc);
    var comp = id ? (doc.standings || {})[id] : null;
    VT.show(nodes.bracket, !!comp);
    if (!comp) return;
    var key = JSON.stringify([comp, doc.meta && doc.meta.riders ? 1 : 0, view ? view.event : null]);
    if (nodes.bracket.dataset.key === key) return;
    nodes.bracket.dataset.key = key;
    VT.text(nodes.bracketTitle, [comp.name || id, comp.category].filter(Boolean).join(' \u00b7 '));
    VT.text(nodes.bracketStatus, VT.statusLabels[comp.status] || comp.status || '');
    nodes.bracketStatus.className = 'pill pill-' + (comp.status || 'none');
    nodes.bracketBody.textContent = '';
    nodes.bracketBody.appendChild(sprintBracket(comp, VT.riders(doc), view ? view.event : null));
    appendClassification(nodes.bracketBody, comp.classification || []);
  }

  function renderStandings(doc) {
    var standings = doc.standings || {};
    var inBracket = bracketCompetition(doc);
    var key = JSON.stringify([standings, doc.meta && doc.meta.riders ? 1 : 0, view ? view.event : null]);
    if (key === lastStandings) return;
    lastStandings = key;
    var body = nodes.standingsBody;
    body.textContent = '';
    var riders = VT.riders(doc);
    var ids = Object.keys(standings).filter(function (id) { return id !== inBracket; });
    VT.show(nodes.standings, ids.length > 0);
    ids.forEach(function (id) {
      var comp = standings[id] || {};
      var block = VT.el('article', 'competition');
      var head = VT.el('div', 'competition-head');
      head.appendChild(VT.el('h3', null, [comp.name || id, comp.category].filter(Boolean).join(' \u00b7 ')));
      var pill = VT.el('span', 'pill pill-' + (comp.status || 'none'), VT.statusLabels[comp.status] || comp.status || '');
      head.appendChild(pill);
      block.appendChild(head);
      if (!Array.isArray(comp.rounds)) {
        block.appendChild(genericStandings(comp, riders));
        (comp.problems || []).forEach(function (problem) {
          block.appendChild(VT.el('p', 'problem', problem));
        });
        body.appendChild(block);
        return;
      }
      if (comp.discipline === 'sprint') {
        block.appendChild(sprintBracket(comp, riders, view ? view.event : null));
        appendClassification(block, comp.classification || []);
        (comp.problems || []).forEach(function (problem) {
          block.appendChild(VT.el('p', 'problem', problem));
        });
        body.appendChild(block);
        return;
      }
      var rounds = VT.el('div', 'rounds');
      (comp.rounds || []).forEach(function (round) {
        var col = VT.el('section', 'round');
        col.appendChild(VT.el('h4', null, round.name || ''));
        (round.heats || []).forEach(function (heat, index) {
          var card = VT.el('div', 'heat heat-' + (heat.status || 'none'));
          var top = VT.el('div', 'heat-head');
          var label = round.heats.length > 1 ? 'Heat ' + (index + 1) : 'Heat';
          top.appendChild(VT.el('span', 'heat-name', label));
          top.appendChild(VT.el('span', 'heat-status', VT.statusLabels[heat.status] || heat.status || ''));
          card.appendChild(top);
          // A pursuit or team sprint heat: its entrants home side first, each with its time
          // (or why not), the match's winner in bold.
          var entrants = {};
          (heat.entrants || []).forEach(function (entrant) { entrants[entrant.entrant] = entrant; });
          var timed = Array.isArray(heat.entrants);
          var ordered = !timed && heat.order && heat.order.length;
          var list = VT.el(ordered ? 'ol' : 'ul', 'heat-riders' + (timed ? ' heat-timed' : ''));
          (ordered ? heat.order : heat.riders || []).forEach(function (bib) {
            var who = riders[bib] || {};
            var item = VT.el('li');
            item.dataset.bib = String(bib);
            item.appendChild(VT.el('span', 'bib', bib));
            item.appendChild(VT.el('span', 'heat-rider', who.name || ''));
            if (timed) {
              var entrant = entrants[bib] || {};
              if (heat.winner === bib) item.classList.add('is-winner');
              item.appendChild(VT.el('span', 'heat-time', entrant.time || entrant.status || (entrant.caught ? 'caught' : '')));
            } else {
              item.appendChild(VT.el('span', 'nation', who.nation || ''));
            }
            list.appendChild(item);
          });
          card.appendChild(list);
          col.appendChild(card);
        });
        rounds.appendChild(col);
      });
      appendClassification(block, comp.classification || []);
      block.appendChild(rounds);
      (comp.rounds || []).forEach(function (round) { appendRanking(block, round, riders); });
      (comp.problems || []).forEach(function (problem) {
        block.appendChild(VT.el('p', 'problem', problem));
      });
      body.appendChild(block);
    });
  }

  function renderEvents(doc, v) {
    var results = doc.results || {};
    var ids = Object.keys(results);
    var key = JSON.stringify([v ? v.event : null, ids.map(function (id) {
      var r = results[id] || {};
      return [id, r.name, r.category, r.round, r.status];
    })]);
    if (key === lastEvents) return;
    lastEvents = key;
    var list = nodes.eventsList;
    list.textContent = '';
    VT.show(nodes.events, ids.length > 0);
    ids.forEach(function (id) {
      var result = results[id] || {};
      var item = VT.el('li', v && v.event === id ? 'is-shown' : '');
      var link = VT.el('a');
      link.href = 'sheets/' + encodeURIComponent(id) + '.html';
      link.appendChild(VT.el('span', 'event-title', result.name || id));
      var status = result.status || '';
      link.appendChild(VT.el('span', 'pill pill-' + (status || 'none'), VT.statusLabels[status] || status));
      link.appendChild(VT.el('span', 'event-sub', [result.category, result.round].filter(Boolean).join(' \u00b7 ')));
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function renderHeader(doc) {
    var meta = doc.meta || {};
    var scoring = (doc.status || {}).scoring || {};
    VT.text(nodes.meet, meta.meet || scoring.meet || 'Scoreboard');
    VT.text(nodes.venue, meta.venue || '');
    document.title = (view ? view.title + ' \u00b7 ' : '') + (meta.meet || meta.venue || 'Scoreboard');
    var at = new Date();
    VT.text(nodes.updated, 'Updated ' + at.toLocaleTimeString([], { hour12: false }));
  }

  function onState(doc) {
    currentDoc = doc;
    view = VT.view(doc);
    if (view) tracker.update(view.event, view.lines);
    renderHeader(doc);
    renderTrack(view, doc);
    renderLatest(view);
    renderLapBoard(view);
    renderMatch(view, doc);
    renderPursuit(view, doc);
    renderRanking(view);
    renderBracket(doc);
    renderStandings(doc);
    renderEvents(doc, view);
    document.body.dataset.version = String(doc.version);
  }

  var BADGES = {
    live: ['Live', ''],
    stale: ['Stale', 'Scoring is offline: the results shown may not be up to date.'],
    offline: ['Offline', 'Connection to the scoreboard lost: showing the last known state. Reconnecting\u2026'],
    connecting: ['Connecting', '']
  };

  function onConnection(status, doc) {
    var badge = BADGES[status];
    var body = document.body;
    body.className = body.className.replace(/\bconn-\S+/g, '').trim() + ' conn-' + status;
    VT.text(nodes.badge, badge[0]);
    var message = badge[1];
    if (status === 'stale' && doc && !doc.connected) {
      message = 'The scoreboard has lost the broker: the results shown may not be up to date.';
    }
    VT.text(nodes.banner, message);
    VT.show(nodes.banner, !!message);
  }

  function tick() {
    if (view && view.onTrack) {
      var text;
      if (view.startUs !== null) {
        text = VT.runningTime(view.startUs, VT.nowUs());
        frozenClock = text;
      } else {
        text = frozenClock || '0.0';
      }
      VT.text(nodes.clock, text);
      nodes.clock.classList.toggle('is-running', view.startUs !== null && document.body.classList.contains('conn-live'));
      nodes.clock.classList.toggle('is-frozen', view.startUs === null);
    }
    window.requestAnimationFrame(tick);
  }

  function start() {
    [
      'meet', 'venue', 'updated', 'badge', 'banner', 'clock', 'riders', 'latest', 'ranking',
      'standings'
    ].forEach(function (id) { nodes[id] = $(id); });
    nodes.trackLabel = $('track-label');
    nodes.eventName = $('event-name');
    nodes.eventDetail = $('event-detail');
    nodes.eventStatus = $('event-status');
    nodes.latestBib = $('latest-bib');
    nodes.latestName = $('latest-name');
    nodes.latestNation = $('latest-nation');
    nodes.latestTime = $('latest-time');
    nodes.latestRank = $('latest-rank');
    nodes.latestGap = $('latest-gap');
    nodes.latestSpeed = $('latest-speed');
    nodes.rankingTitle = $('ranking-title');
    nodes.rankingNote = $('ranking-note');
    nodes.rankingEmpty = $('ranking-empty');
    nodes.rankingWrap = nodes.ranking.parentNode;
    nodes.standingsBody = $('standings-body');
    nodes.lapBoard = $('lap-board');
    nodes.match = $('match');
    nodes.bracket = $('bracket');
    nodes.bracketTitle = $('bracket-title');
    nodes.bracketStatus = $('bracket-status');
    nodes.bracketBody = $('bracket-body');
    nodes.pursuit = $('pursuit');
    nodes.pursuitTable = $('pursuit-table');
    nodes.pursuitTableNote = $('pursuit-table-note');
    nodes.pursuitHomeHead = $('pursuit-home-head');
    nodes.pursuitBackHead = $('pursuit-back-head');
    nodes.events = $('events');
    nodes.eventsList = $('events-list');
    VT.connect({ state: onState, connection: onConnection });
    window.requestAnimationFrame(tick);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
