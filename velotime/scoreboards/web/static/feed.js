/* velotime scoreboard: the feed shared by the page and the overlay.
 *
 * On load, api/state once: the first screen shows the state at once, not after the stream's
 * first message. Then one EventSource on api/events. The server sends the whole state ("state" events) on connect
 * and after each change, and a "ping" when idle; both carry the server's clock (now_us), which
 * the race clock runs against. The connection is LIVE when the stream is up and the state says
 * live, STALE when the stream is up but the scoring service or the broker is not, OFFLINE when
 * the stream is down. EventSource reconnects by itself; when it gives up (an HTTP error from a
 * proxy) or goes silent, we open a new one with a backoff.
 *
 * Payload strings only ever reach the page through textContent (VT.el, VT.text).
 */
(function (global) {
  'use strict';

  var WATCHDOG_MS = 25000; // no state or ping for this long: the stream is dead
  var RETRY_MIN_MS = 1000;
  var RETRY_MAX_MS = 15000;

  var VT = {};
  var offsetMs = 0; // server clock minus browser clock

  /* ?event=ID pins a screen to one event: it shows that event whatever is on the track. */
  VT.pinned = new URLSearchParams(global.location.search).get('event') || null;
  /* ?standings=ID: the page shows that sprint tournament's bracket under the ranking. */
  VT.pinnedStandings = new URLSearchParams(global.location.search).get('standings') || null;

  VT.el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== '') node.textContent = String(text);
    return node;
  };

  VT.text = function (node, text) {
    var value = text === undefined || text === null ? '' : String(text);
    if (node.textContent !== value) node.textContent = value;
  };

  VT.show = function (node, visible) {
    if (node.hidden === visible) node.hidden = !visible;
  };

  VT.nowUs = function () {
    return (Date.now() + offsetMs) * 1000;
  };

  VT.sync = function (serverUs) {
    if (typeof serverUs === 'number') offsetMs = serverUs / 1000 - Date.now();
  };

  /* The clock a board shows: tenths ("12.3", "1:02.4"), as velotime/scoreboards/view.py. */
  VT.runningTime = function (startUs, nowUs) {
    if (startUs === null || startUs === undefined) return '';
    var tenths = Math.max(0, Math.floor((nowUs - startUs) / 100000));
    var minutes = Math.floor(tenths / 600);
    var rest = tenths - minutes * 600;
    var seconds = Math.floor(rest / 10);
    var tenth = rest % 10;
    if (minutes) return minutes + ':' + (seconds < 10 ? '0' : '') + seconds + '.' + tenth;
    return seconds + '.' + tenth;
  };

  VT.disciplines = {
    flying200: 'Flying 200 m', time_trial: 'Time trial', keirin: 'Keirin', scratch: 'Scratch race',
    points_race: 'Points race', tempo: 'Tempo race', elimination: 'Elimination race',
    madison: 'Madison', omnium: 'Omnium', sprint: 'Sprint', individual_pursuit: 'Individual pursuit',
    team_pursuit: 'Team pursuit', team_sprint: 'Team sprint'
  };

  /* Where a bracket's rider comes from, as view.py's slot_label: "q5" -> "Q5", "1/8:3" ->
   * "W 1/8 #3" (the winner of heat 3 of 1/8), "1/8:3:2" -> "2nd 1/8 #3". */
  VT.slotLabel = function (slot) {
    var text = String(slot);
    if (/^q\d+$/.test(text)) return 'Q' + text.slice(1);
    var parts = text.split(':');
    if (parts.length === 2) return 'W ' + parts[0] + ' #' + parts[1];
    if (parts.length === 3 && /^\d+$/.test(parts[2])) {
      var place = parseInt(parts[2], 10);
      var last = place < 20 ? place : place % 10;
      var suffix = last === 1 ? 'st' : last === 2 ? 'nd' : last === 3 ? 'rd' : 'th';
      return place + suffix + ' ' + parts[0] + ' #' + parts[1];
    }
    return text;
  };

  /* A pursuit side's time as the boards show it: its time once finished, else the cumulative
   * time of its latest split timed ("" before the first); `at`: that split's distance. */
  VT.pursuitLatest = function (side) {
    var timed = (side.splits || []).filter(function (split) { return split.cumulative; });
    var last = timed.length ? timed[timed.length - 1] : null;
    return { time: side.time || (last ? last.cumulative : ''), at: last && last.distance_m ? last.distance_m : null,
      lap: last && last.lap ? last.lap : '' };
  };

  /* A team sprint heat's board (`team_sprint`) as a pursuit's, as view.py's
   * team_sprint_as_pursuit: its teams side by side (home first), names, times and statuses from
   * the result's lines, the gap at each half lap both have ridden; null for any other result. */
  VT.teamSprintAsPursuit = function (result) {
    var board = result && result.team_sprint;
    if (!board) return null;
    var lines = {};
    (result.lines || []).forEach(function (line) { lines[line.bib] = line; });
    var lapM = null;
    (result.lines || []).forEach(function (line) {
      if (lapM === null && line.splits && line.splits.length) lapM = line.splits[0].distance_m;
    });
    var halfLaps = 2 * board.laps;
    var teams = (board.teams || []).slice().sort(function (a, b) { return a.side - b.side; });
    var sides = teams.map(function (team) {
      var line = lines[team.team] || {};
      var ridden = 0;
      (team.points || []).forEach(function (point) { ridden = Math.max(ridden, point.half_laps); });
      var finished = ridden >= halfLaps;
      return {
        side: team.side === 0 ? 'home' : 'back', entrant: team.team, name: line.name || '',
        nation: line.nation || '', riders: team.riders || [], dropped: [], half_laps: ridden,
        laps_to_go: (halfLaps - ridden) / 2, finished: finished, caught: false, won: false,
        time: finished ? line.time || null : null, status: line.status || '',
        splits: (team.points || []).map(function (point) {
          return { half_lap: point.half_laps, distance_m: lapM ? Math.round(lapM * point.half_laps / 2) : null,
            cumulative: point.cumulative, lap: point.lap || null };
        })
      };
    });
    var gaps = [];
    if (teams.length === 2) {
      (teams[0].points || []).forEach(function (point) {
        if (point.gap === null || point.gap === undefined) return;
        var level = /^[+-]?[0:.]*$/.test(point.gap);
        var ahead = level ? null : point.gap.charAt(0) === '-' ? teams[0].team : teams[1].team;
        gaps.push({ half_lap: point.half_laps, ahead: ahead, gap: '+' + point.gap.replace(/^[+-]/, '') });
      });
    }
    return { half_laps: halfLaps, match: false, sides: sides, gaps: gaps,
      finished: sides.length > 0 && sides.every(function (side) { return side.finished || side.status; }) };
  };

  /* A pursuit side's state, as view.py's: a status (DNF...), Caught, Won (a match), Finished. */
  VT.pursuitState = function (board, side) {
    if (side.status) return side.status;
    if (side.caught) return 'Caught';
    if (board.match && side.won) return 'Won';
    if (side.finished) return 'Finished';
    return '';
  };

  /* Whether a heat of standings is the event, or (a sprint match) has it among its races. */
  VT.heatHas = function (heat, eventId) {
    if (!heat || eventId === null || eventId === undefined) return false;
    if (heat.event === eventId) return true;
    return (heat.races || []).some(function (race) { return race.event === eventId; });
  };

  /* A sprint race's match, as view.py's sprint_match: from the tournament's standings whose
   * match lists the race under `races`; null for any other event. */
  VT.sprintMatch = function (doc, eventId) {
    var standings = doc.standings || {};
    var ids = Object.keys(standings);
    for (var i = 0; i < ids.length; i++) {
      var comp = standings[ids[i]] || {};
      if (comp.discipline !== 'sprint') continue;
      var rounds = comp.rounds || [];
      for (var r = 0; r < rounds.length; r++) {
        var heats = rounds[r].heats || [];
        for (var h = 0; h < heats.length; h++) {
          var heat = heats[h];
          var races = heat.races || [];
          var race = -1;
          races.forEach(function (item, index) { if (item.event === eventId) race = index + 1; });
          if (race < 0) continue;
          var bestOf = rounds[r].best_of || races.length;
          var wins = heat.wins || heat.riders.map(function () { return 0; });
          return {
            competition: comp.competition || ids[i], round: rounds[r].name || '', heat: h + 1,
            heats: heats.length, riders: heat.riders || [], wins: wins, race: race, bestOf: bestOf,
            winner: heat.status === 'final' && heat.order && heat.order.length ? heat.order[0] : null,
            score: bestOf > 1 ? wins.join('-') : '',
            decider: bestOf > 1 && race === bestOf
          };
        }
      }
    }
    return null;
  };

  /* A bunch race's lap board in words, as the text boards write it (view.py LapBoardView). */
  VT.lapBoardText = function (board) {
    if (!board) return '';
    if (board.finished) return 'Finish';
    if (board.bell) return 'Bell \u2014 last lap';
    var toGo = board.laps_to_go + (board.laps_to_go === 1 ? ' lap' : ' laps') + ' to go';
    if (board.neutralised) return 'Neutralised (' + board.neutralised + ') \u00b7 ' + toGo;
    return board.started ? toGo : toGo + ' (not started)';
  };

  /* A line's laps gained or lost, signed ("+1", "-1"), "" for none. */
  VT.lapsGained = function (line) {
    var n = line.laps_gained || 0;
    return n > 0 ? '+' + n : n < 0 ? '\u2212' + (-n) : '';
  };

  /* An optional value (points, sprint by sprint) as text: numbers as they are, lists joined. */
  VT.value = function (value) {
    if (value === null || value === undefined) return '';
    if (Array.isArray(value)) return value.map(VT.value).join(' ');
    if (typeof value === 'object') return '';
    return String(value);
  };
  VT.statusLabels = {
    running: 'Running', provisional: 'Provisional', final: 'Final', live: 'Live' // live: an omnium
  };
  VT.flagLabels = {
    qualified: 'Q', 'draw required': 'Draw', corrected: 'Corr.', 'photo required': 'Photo',
    check: 'Check', confirmed: 'Conf.'
  };

  /* Who a bib is: the meet file's riders (meta), else any start list or result line that
   * names them. */
  VT.riders = function (doc) {
    var map = {};
    var startlists = doc.startlists || {};
    Object.keys(startlists).forEach(function (key) {
      ((startlists[key] && startlists[key].riders) || []).forEach(function (rider) {
        map[rider.bib] = { name: rider.name || '', nation: rider.nation || '' };
      });
    });
    var results = doc.results || {};
    Object.keys(results).forEach(function (key) {
      var lines = (results[key] && results[key].lines) || [];
      lines.forEach(function (line) {
        map[line.bib] = { name: line.name || '', nation: line.nation || '' };
      });
    });
    var known = (doc.meta && doc.meta.riders) || {};
    Object.keys(known).forEach(function (bib) { map[bib] = known[bib]; });
    return map;
  };

  /* The next event: the start list lowest in the programme whose event has not been run. */
  VT.nextEvent = function (doc) {
    var startlists = doc.startlists || {};
    var results = doc.results || {};
    var next = null;
    Object.keys(startlists).forEach(function (id) {
      var run = results[id] && results[id].status !== 'scheduled';
      var order = startlists[id].programme;
      if (!run && (next === null || order < startlists[next].programme)) next = id;
    });
    return next;
  };

  /* What a board shows: the pinned event (?event=), else the event on the track, else the
   * latest result (view.py's board_view), else the next event's start list. `kind` says which:
   * "track", "pinned", "latest" or "next". */
  VT.view = function (doc, pinned) {
    if (pinned === undefined) pinned = VT.pinned;
    var current = doc.current || {};
    var eventId = pinned || current.event;
    var kind = pinned ? 'pinned' : 'track';
    if (eventId === null || eventId === undefined) {
      eventId = doc.latest;
      kind = 'latest';
    }
    if (eventId === null || eventId === undefined) {
      eventId = VT.nextEvent(doc);
      kind = 'next';
    }
    if (eventId === null || eventId === undefined) return null;
    var onTrack = current.event === eventId;
    var result = (doc.results || {})[eventId] || {};
    var startList = (doc.startlists || {})[eventId] || {};
    var source = onTrack ? current : result.event ? result : startList;
    var riders = onTrack ? (current.riders || []) :
      (startList.riders || []).map(function (rider) { return rider.bib; });
    return {
      event: eventId,
      kind: kind,
      onTrack: onTrack,
      title: source.name || result.name || startList.name || eventId,
      discipline: source.discipline || result.discipline || startList.discipline || '',
      category: source.category || result.category || startList.category || '',
      round: source.round || result.round || startList.round || '',
      heat: startList.heat || '',
      status: result.status || (onTrack ? current.status : '') || '',
      startUs: onTrack ? (current.start_us === undefined ? null : current.start_us) : null,
      riders: riders,
      riderOnTrack: onTrack ? current.on_track : null,
      result: result,
      lines: result.lines || [],
      match: VT.sprintMatch(doc, eventId)
    };
  };

  /* The line whose time arrived last, per event: a line with a time it did not have before. */
  VT.LatestTracker = function () {
    this.event = null;
    this.seen = null;
    this.bib = null;
    this.at = 0;
  };
  VT.LatestTracker.prototype.update = function (eventId, lines) {
    var times = new Map();
    lines.forEach(function (line) {
      if (line.time) times.set(line.bib, line.time_us !== undefined ? line.time_us : line.time);
    });
    if (eventId !== this.event) {
      this.event = eventId;
      this.seen = times;
      this.bib = null;
      return;
    }
    var self = this;
    times.forEach(function (time, bib) {
      if (self.seen.get(bib) !== time) {
        self.bib = bib;
        self.at = Date.now();
      }
    });
    if (this.bib !== null && !times.has(this.bib)) this.bib = null; // its time was taken away
    this.seen = times;
  };
  VT.LatestTracker.prototype.line = function (lines) {
    var bib = this.bib;
    if (bib === null) return null;
    for (var i = 0; i < lines.length; i++) if (lines[i].bib === bib) return lines[i];
    return null;
  };

  /* Connect: api/state once, then the stream; handlers.state(doc) on each state, handlers.connection(status) on each change of
   * "live" | "stale" | "offline" | "connecting". Renders are coalesced to animation frames, so a
   * burst of states ends on the last one without rendering each. */
  VT.connect = function (handlers) {
    var source = null;
    var lastSeen = 0;
    var retryMs = RETRY_MIN_MS;
    var timer = null;
    var streamUp = false;
    var everUp = false; // until the stream's first message, the page is connecting
    var doc = null;
    var status = 'connecting';
    var pending = false;

    function setStatus() {
      var next = !streamUp ? (everUp ? 'offline' : 'connecting') : doc && doc.live ? 'live' : 'stale';
      if (next !== status) {
        status = next;
        handlers.connection(status, doc);
      }
    }

    function render() {
      if (!pending) return;
      pending = false;
      handlers.state(doc);
      setStatus();
    }

    function schedule() {
      if (pending) return;
      pending = true;
      if (global.requestAnimationFrame) global.requestAnimationFrame(render);
      setTimeout(render, 250); // hidden tabs get no animation frames
    }

    function down() {
      streamUp = false;
      setStatus();
    }

    function reopen(delayMs) {
      clearTimeout(timer);
      timer = setTimeout(open, delayMs);
    }

    function open() {
      clearTimeout(timer);
      if (source) source.close();
      source = new EventSource('api/events');
      lastSeen = Date.now();
      source.addEventListener('state', function (event) {
        var next;
        try {
          next = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        lastSeen = Date.now();
        retryMs = RETRY_MIN_MS;
        streamUp = true;
        everUp = true;
        VT.sync(next.now_us);
        doc = next;
        schedule();
      });
      source.addEventListener('ping', function (event) {
        lastSeen = Date.now();
        try {
          VT.sync(JSON.parse(event.data).now_us);
        } catch (error) {
          /* a ping is only a sign of life */
        }
      });
      source.onerror = function () {
        down();
        if (source.readyState === EventSource.CLOSED) {
          reopen(retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        }
      };
    }

    setInterval(function () {
      if (Date.now() - lastSeen > WATCHDOG_MS) {
        down();
        open();
      }
    }, 5000);
    /* The state as it is now, for the first screen: the stream's first message may take a
     * while (a slow link, a proxy). A stream message that came first wins: it is as new. */
    function first() {
      if (!global.fetch) return;
      global.fetch('api/state', { cache: 'no-store' }).then(function (reply) {
        return reply.ok ? reply.json() : null;
      }).then(function (state) {
        if (!state || (doc && doc.version >= state.version)) return;
        VT.sync(state.now_us);
        doc = state;
        schedule();
      }).catch(function () { /* the stream brings the state all the same */ });
    }

    handlers.connection(status, doc);
    first();
    open();
  };

  global.VT = VT;
})(window);
