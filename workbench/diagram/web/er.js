/* Schema Workbench interactive ER diagram.
 *
 * ER.mount(element, data) draws the diagram described by `data` (written by
 * workbench/diagram/interactive.py) into `element` and wires the navigation:
 * search, focus on a table's N-hop neighbourhood (laid out again with dagre),
 * expand/collapse columns, collapsible groups (PostgreSQL schema or connected
 * component), the path between two tables, FK details on hover, diff colours.
 *
 * The whole-schema layout comes precomputed in `data` (Graphviz, column-level
 * ports), so opening a 1,000-table file only draws; nothing is fetched.
 */
(function (global) {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var HEADER = 23, ROW = 19, PAD = 6, FONT = 12, COLLAPSED_GROUP_W = 190, COLLAPSED_GROUP_H = 44;
  var MOUNTS = 0;
  // Above LARGE boxes, rows are drawn only at a readable zoom (DETAIL_SCALE screen px per
  // layout unit) and only for boxes in view; names from NAME_SCALE.
  var LARGE = 150, DETAIL_SCALE = 0.45, NAME_SCALE = 0.18;

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function el(tag, attrs, parent) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    if (parent) parent.appendChild(e);
    return e;
  }

  function mount(root, data) {
    var t0 = performance.now();
    var uid = "er" + MOUNTS++;
    var tables = data.tables, edges = data.edges;
    var byId = {};
    tables.forEach(function (t, i) { t.index = i; byId[t.id] = t; });
    var adjacency = tables.map(function () { return []; });
    edges.forEach(function (e, i) {
      e.index = i;
      adjacency[e.from].push([e.to, i]);
      if (e.to !== e.from) adjacency[e.to].push([e.from, i]);
    });
    var groupings = data.groups || {};
    var state = {
      mode: "full",          // 'full' | 'focus'
      focus: null,           // table index
      depth: 1,
      shown: null,           // indexes shown in focus mode
      positions: null,       // focus-mode positions {index: {x, y}}
      collapsed: {},         // table index -> true (columns hidden)
      columns: data.columns_default || "all", // 'all' | 'keys' | 'none'
      grouping: data.grouping || "none",
      collapsedGroups: {},
      path: null,            // {tables: Set, edges: Set}
      matches: {},           // table index -> true (search hits)
    };

    root.classList.add("er-root");
    root.innerHTML = "";
    var bar = el("div", { class: "er-bar" }, root);
    var search = el("input", { class: "er-search", type: "search", placeholder: "Search tables and columns", "aria-label": "search" }, bar);
    var depthSel = el("select", { class: "er-depth", title: "hops around a focused table" }, bar);
    [1, 2, 3].forEach(function (d) { el("option", { value: d, text: d + " hop" + (d > 1 ? "s" : "") }, depthSel); });
    var colSel = el("select", { class: "er-columns", title: "columns shown" }, bar);
    [["all", "all columns"], ["keys", "key columns"], ["none", "no columns"]].forEach(function (o) {
      el("option", { value: o[0], text: o[1] }, colSel);
    });
    colSel.value = state.columns;
    var groupSel = el("select", { class: "er-group", title: "group tables" }, bar);
    [["schema", "group by schema"], ["component", "group by component"], ["none", "no groups"]].forEach(function (o) {
      if (o[0] === "none" || groupings[o[0]]) el("option", { value: o[0], text: o[1] }, groupSel);
    });
    groupSel.value = state.grouping;
    var listId = uid + "-tables";
    var from = el("input", { class: "er-from", list: listId, placeholder: "path from", "aria-label": "path from" }, bar);
    var to = el("input", { class: "er-to", list: listId, placeholder: "to", "aria-label": "path to" }, bar);
    var dl = el("datalist", { id: listId }, bar);
    tables.forEach(function (t) { el("option", { value: t.id }, dl); });
    var pathBtn = el("button", { class: "er-path", type: "button", text: "Path" }, bar);
    var resetBtn = el("button", { class: "er-reset", type: "button", text: "Whole schema" }, bar);
    var fitBtn = el("button", { class: "er-fit", type: "button", text: "Fit" }, bar);
    var status = el("span", { class: "er-status" }, bar);
    var results = el("ul", { class: "er-results", hidden: "" }, root);
    var stage = el("div", { class: "er-stage" }, root);
    var tip = el("div", { class: "er-tip", hidden: "" }, root);
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("class", "er-canvas");
    stage.appendChild(svg);
    svg.innerHTML =
      "<defs>" +
      // shapes drawn at negative x: back along the line, outside the box the line enters
      marker(uid + "-one", "M-3,-6 L-3,6 M-7,-6 L-7,6") +
      marker(uid + "-zero_or_one", "M-3,-6 L-3,6", -11) +
      marker(uid + "-many", "M0,-6 L-10,0 L0,6 M-10,-6 L-10,6", -14) +
      "</defs><g class='er-viewport'></g>";
    var viewport = svg.querySelector(".er-viewport");
    var view = { x: 0, y: 0, w: data.width || 800, h: data.height || 600 };

    function marker(id, d, ringAt) {
      var circle = ringAt ? "<circle cx='" + ringAt + "' cy='0' r='3.2' fill='#fff' stroke='#4a5568' stroke-width='1.2'/>" : "";
      return "<marker id='" + id + "' viewBox='-20 -8 22 16' refX='0' refY='0' markerWidth='22' markerHeight='16' " +
        "markerUnits='userSpaceOnUse' orient='auto-start-reverse'><path d='" + d + "' fill='none' stroke='#4a5568' stroke-width='1.4'/>" +
        circle + "</marker>";
    }

    // ---- geometry --------------------------------------------------------------
    function visibleColumns(t) {
      if (state.collapsed[t.index] || state.columns === "none") return [];
      if (state.columns === "keys") {
        return t.columns.filter(function (c) { return c[2].indexOf("PK") >= 0 || c[2].indexOf("FK") >= 0 || c[4] !== "same"; });
      }
      return t.columns;
    }
    function boxHeight(t) { return HEADER + visibleColumns(t).length * ROW + (visibleColumns(t).length ? 4 : 0); }
    function position(t) {
      if (state.mode === "focus") return state.positions[t.index];
      return { x: t.x, y: t.y };
    }
    function portY(t, cols, top) {
      var vis = visibleColumns(t);
      for (var i = 0; i < vis.length; i++) {
        if (cols.indexOf(vis[i][0]) >= 0) return top + HEADER + i * ROW + ROW / 2 + 2;
      }
      return top + HEADER / 2;
    }
    function groupOf(i) {
      var gs = groupings[state.grouping];
      if (!gs) return null;
      for (var g = 0; g < gs.length; g++) if (gs[g].members.indexOf(i) >= 0) return gs[g];
      return null;
    }

    // dagre's bends of a line that spans several ranks (its points beside the boxes are dropped,
    // the line leaves and enters at the column rows instead).
    function bends(e, a, b) {
      var route = (state.positions && state.positions.routes && state.positions.routes[String(e.index)]) || [];
      var left = Math.min(a.x + a.w, b.x + b.w) + 30, right = Math.max(a.x, b.x) - 30;
      // two real ranks apart or more: dagre's dummy points; one rank apart: a plain curve
      if (route.length <= 3) return [];
      return route.slice(1, -1).filter(function (p) { return p.x > left && p.x < right; });
    }

    // A smooth curve through points (Catmull-Rom as cubic Béziers).
    function smooth(pts) {
      var d = "M" + pts[0].x + "," + pts[0].y;
      for (var i = 0; i < pts.length - 1; i++) {
        var p0 = pts[Math.max(0, i - 1)], p1 = pts[i], p2 = pts[i + 1], p3 = pts[Math.min(pts.length - 1, i + 2)];
        d += " C" + (p1.x + (p2.x - p0.x) / 6) + "," + (p1.y + (p2.y - p0.y) / 6) + " " +
          (p2.x - (p3.x - p1.x) / 6) + "," + (p2.y - (p3.y - p1.y) / 6) + " " + p2.x + "," + p2.y;
      }
      return d;
    }

    // ---- drawing ---------------------------------------------------------------
    function shownIndexes() {
      if (state.mode === "focus") return state.shown;
      return tables.map(function (t) { return t.index; });
    }

    function draw() {
      var shown = shownIndexes();
      var shownSet = {};
      shown.forEach(function (i) { shownSet[i] = true; });
      var hiddenByGroup = {};
      var groupBoxes = {};
      var parts = [];
      var gs = state.mode === "full" ? groupings[state.grouping] || [] : [];
      gs.forEach(function (g) {
        var collapsed = !!state.collapsedGroups[g.id];
        var b = g.bbox;
        if (collapsed) {
          g.members.forEach(function (i) { hiddenByGroup[i] = g; });
          groupBoxes[g.id] = { x: b[0], y: b[1], w: COLLAPSED_GROUP_W, h: COLLAPSED_GROUP_H };
          parts.push("<g class='er-group er-group-collapsed' data-group='" + esc(g.id) + "'>" +
            "<rect x='" + b[0] + "' y='" + b[1] + "' width='" + COLLAPSED_GROUP_W + "' height='" + COLLAPSED_GROUP_H + "' rx='6'/>" +
            "<text class='er-group-label' x='" + (b[0] + 10) + "' y='" + (b[1] + 18) + "'>▸ " + esc(g.label) + "</text>" +
            "<text class='er-group-count' x='" + (b[0] + 10) + "' y='" + (b[1] + 35) + "'>" + g.members.length + " tables</text></g>");
        } else {
          parts.push("<g class='er-group' data-group='" + esc(g.id) + "'>" +
            "<rect x='" + b[0] + "' y='" + b[1] + "' width='" + b[2] + "' height='" + b[3] + "' rx='8'/>" +
            "<text class='er-group-label' x='" + (b[0] + 10) + "' y='" + (b[1] + 18) + "'>▾ " + esc(g.label) + "</text></g>");
        }
      });
      var boxes = {};
      shown.forEach(function (i) {
        if (hiddenByGroup[i]) return;
        var t = tables[i], p = position(t), h = boxHeight(t);
        boxes[i] = { x: p.x - t.w / 2, y: p.y - h / 2, w: t.w, h: h };
      });
      // Level of detail: a whole large schema is drawn as boxes and names; rows appear
      // when zoomed in far enough to read them, and then only for boxes in view.
      var large = shown.length > LARGE;
      var scale = (svg.clientWidth || 800) / view.w;
      var detail = !large || state.mode === "focus" || scale >= DETAIL_SCALE;
      var inView = function () { return true; };
      if (large && detail && state.mode !== "focus") {
        var mx = view.w * 0.25, my = view.h * 0.25;
        inView = function (b) {
          return b.x + b.w >= view.x - mx && b.x <= view.x + view.w + mx && b.y + b.h >= view.y - my && b.y <= view.y + view.h + my;
        };
      }
      state.detail = detail;
      var edgeParts = [];
      edges.forEach(function (e) {
        if (!shownSet[e.from] || !shownSet[e.to]) return;
        var a = boxes[e.from] || (hiddenByGroup[e.from] && groupBoxes[hiddenByGroup[e.from].id]);
        var b = boxes[e.to] || (hiddenByGroup[e.to] && groupBoxes[hiddenByGroup[e.to].id]);
        if (!a || !b || (a === b && e.from !== e.to)) return;
        if (!inView(a) && !inView(b)) return;
        var d;
        var fullRoute = state.mode === "full" && e.path && boxes[e.from] && boxes[e.to] &&
          !state.collapsed[e.from] && !state.collapsed[e.to] && state.columns === "all";
        if (fullRoute) d = e.path;
        else {
          var ay = boxes[e.from] ? portY(tables[e.from], e.fc, a.y) : a.y + a.h / 2;
          var by = boxes[e.to] ? portY(tables[e.to], e.tc, b.y) : b.y + b.h / 2;
          if (e.from === e.to) {
            var rx = a.x + a.w;
            d = "M" + rx + "," + ay + " C" + (rx + 60) + "," + ay + " " + (rx + 60) + "," + (ay + 40) + " " + rx + "," + (ay + 30);
          } else if (state.mode === "focus" && bends(e, a, b).length) {
            var pts = bends(e, a, b);
            var startRight = pts[0].x >= a.x + a.w / 2, endLeft = pts[pts.length - 1].x <= b.x + b.w / 2;
            var start = { x: startRight ? a.x + a.w : a.x, y: ay }, end = { x: endLeft ? b.x : b.x + b.w, y: by };
            d = smooth([start, { x: start.x + (startRight ? 24 : -24), y: ay }].concat(pts, [{ x: end.x + (endLeft ? -24 : 24), y: by }, end]));
          } else {
            var rightward = b.x + b.w / 2 >= a.x + a.w / 2;
            var ax = rightward ? a.x + a.w : a.x, bx = rightward ? b.x : b.x + b.w;
            var dx = Math.max(40, Math.abs(bx - ax) / 2) * (rightward ? 1 : -1);
            d = "M" + ax + "," + ay + " C" + (ax + dx) + "," + ay + " " + (bx - dx) + "," + by + " " + bx + "," + by;
          }
        }
        var cls = "er-edge er-kind-" + e.kind + " er-status-" + e.status;
        if (state.path && state.path.edges[e.index]) cls += " er-on-path";
        else if (state.path) cls += " er-dim";
        edgeParts.push("<g class='" + cls + "' data-edge='" + e.index + "' data-id='" + esc(e.id) + "'>" +
          (detail ? "<path class='er-hit' d='" + d + "'/>" : "") +
          "<path class='er-line' d='" + d + "' marker-start='url(#" + uid + "-" + e.pe + ")' marker-end='url(#" + uid + "-" + e.ce + ")'/></g>");
      });
      var tableParts = [];
      shown.forEach(function (i) {
        var b = boxes[i];
        if (!b) return;
        var t = tables[i];
        if (!detail) {
          tableParts.push("<g class='er-table er-overview er-status-" + t.status + (state.matches[i] ? " er-match" : "") +
            (state.path ? (state.path.tables[i] ? " er-on-path" : " er-dim") : "") +
            "' data-id='" + esc(t.id) + "' data-index='" + i + "' transform='translate(" + b.x + "," + b.y + ")'>" +
            "<rect class='er-box' width='" + b.w + "' height='" + b.h + "' rx='3'/>" +
            "<rect class='er-head' width='" + b.w + "' height='" + HEADER + "' rx='3'/>" +
            (scale >= NAME_SCALE ? "<text class='er-name' x='" + PAD + "' y='16'>" + esc(data.qualify ? t.id : t.name) + "</text>" : "") +
            "<title>" + esc(t.id) + "</title></g>");
          return;
        }
        if (!inView(b)) return;
        var cls = "er-table er-status-" + t.status;
        if (state.mode === "focus" && i === state.focus) cls += " er-focus";
        if (state.matches[i]) cls += " er-match";
        if (state.path) cls += state.path.tables[i] ? " er-on-path" : " er-dim";
        var s = "<g class='" + cls + "' data-id='" + esc(t.id) + "' data-index='" + i + "' transform='translate(" + b.x + "," + b.y + ")'>" +
          "<rect class='er-box' width='" + b.w + "' height='" + b.h + "' rx='3'/>" +
          "<rect class='er-head' width='" + b.w + "' height='" + HEADER + "' rx='3'/>" +
          "<text class='er-toggle' x='" + (b.w - 14) + "' y='16'>" + (state.collapsed[i] ? "▸" : "▾") + "</text>" +
          "<text class='er-name' x='" + PAD + "' y='16'>" + esc(data.qualify ? t.id : t.name) +
          (t.partitions ? " (" + t.partitions + " partitions)" : "") + "</text>";
        var vis = visibleColumns(t);
        vis.forEach(function (c, r) {
          var y = HEADER + r * ROW + 15;
          var rowCls = "er-col er-status-" + c[4];
          if (state.matchColumns && state.matchColumns[i + "." + c[0]]) rowCls += " er-match-col";
          s += "<g class='" + rowCls + "' data-column='" + esc(c[0]) + "'>";
          if (c[4] !== "same") s += "<rect class='er-row-bg' y='" + (y - 13) + "' width='" + b.w + "' height='" + ROW + "'/>";
          s += "<text class='er-markers' x='" + PAD + "' y='" + y + "'>" + esc(c[2]) + "</text>" +
            "<text class='er-colname" + (c[3] ? " er-notnull" : "") + "' x='" + (PAD + 36) + "' y='" + y + "'>" + esc(c[0]) + "</text>" +
            "<text class='er-type' x='" + (b.w - PAD) + "' y='" + y + "' text-anchor='end'>" + esc(c[5] ? c[1] + " (" + c[5] + ")" : c[1]) + "</text>";
          if (c[6]) s += "<title>" + esc(c[6]) + "</title>";
          s += "</g>";
        });
        if (!vis.length && t.columns.length) {
          // nothing: the header alone; its count is in the tooltip
        }
        s += "<title>" + esc(t.id + " — " + t.columns.length + " columns" + (t.comment ? ": " + t.comment : "")) + "</title></g>";
        tableParts.push(s);
      });
      viewport.innerHTML = parts.join("") + edgeParts.join("") + tableParts.join("");
      var n = Object.keys(boxes).length;
      status.textContent = (state.mode === "focus"
        ? "Showing " + n + " of " + tables.length + " tables around " + tables[state.focus].id
        : tables.length + " tables, " + edges.length + " relations") + (data.diff ? " · diff" : "");
      return boxes;
    }

    // ---- view box ----------------------------------------------------------------
    var pending = null;
    function applyView() {
      svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
      if (tables.length > LARGE && state.mode === "full") {
        if (pending) clearTimeout(pending);
        pending = setTimeout(function () { pending = null; lastBoxes = draw(); }, 90);
      }
    }
    function fit(boxes) {
      var keys = Object.keys(boxes);
      if (!keys.length) return;
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      keys.forEach(function (k) {
        var b = boxes[k];
        x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h);
      });
      var pad = 30, rect = stage.getBoundingClientRect();
      var w = x1 - x0 + 2 * pad, h = y1 - y0 + 2 * pad;
      var aspect = (rect.width || 800) / (rect.height || 600);
      if (w / h < aspect) { var nw = h * aspect; x0 -= (nw - w) / 2; w = nw; } else { var nh = w / aspect; y0 -= (nh - h) / 2; h = nh; }
      view = { x: x0 - pad, y: y0 - pad, w: w, h: h };
      svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
    }
    var lastBoxes = {};
    function render(refit) {
      if (refit) {
        // fit to the boxes about to be drawn, then draw at that zoom (level of detail)
        state.detail = true;
        lastBoxes = boxesOnly();
        fit(lastBoxes);
      }
      lastBoxes = draw();
    }
    function boxesOnly() {
      var out = {};
      shownIndexes().forEach(function (i) {
        var t = tables[i], p = position(t), h = boxHeight(t);
        out[i] = { x: p.x - t.w / 2, y: p.y - h / 2, w: t.w, h: h };
      });
      return out;
    }

    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var rect = svg.getBoundingClientRect();
      var fx = (ev.clientX - rect.left) / rect.width, fy = (ev.clientY - rect.top) / rect.height;
      var k = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
      var nw = view.w * k, nh = view.h * k;
      view = { x: view.x + (view.w - nw) * fx, y: view.y + (view.h - nh) * fy, w: nw, h: nh };
      applyView();
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.target.closest && ev.target.closest(".er-table, .er-group-label, .er-group-collapsed")) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var rect = svg.getBoundingClientRect();
      view.x = drag.vx - (ev.clientX - drag.x) * view.w / rect.width;
      view.y = drag.vy - (ev.clientY - drag.y) * view.h / rect.height;
      applyView();
    });
    window.addEventListener("pointerup", function () { drag = null; });

    // ---- navigation ------------------------------------------------------------
    function neighbourhood(start, depth) {
      var seen = {}; seen[start] = true;
      var frontier = [start];
      for (var d = 0; d < depth; d++) {
        var next = [];
        frontier.forEach(function (i) {
          adjacency[i].forEach(function (pair) { if (!seen[pair[0]]) { seen[pair[0]] = true; next.push(pair[0]); } });
        });
        frontier = next;
      }
      return Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    }

    function layoutFocus(indexes) {
      var positions = {};
      if (typeof dagre === "undefined") {
        indexes.forEach(function (i) { positions[i] = { x: tables[i].x, y: tables[i].y }; });
        return positions;
      }
      var g = new dagre.graphlib.Graph({ multigraph: true });
      g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 90, marginx: 20, marginy: 20 });
      g.setDefaultEdgeLabel(function () { return {}; });
      var inSet = {};
      indexes.forEach(function (i) { inSet[i] = true; g.setNode(String(i), { width: tables[i].w, height: boxHeight(tables[i]) }); });
      edges.forEach(function (e) {
        if (inSet[e.from] && inSet[e.to] && e.from !== e.to) g.setEdge(String(e.from), String(e.to), {}, String(e.index));
      });
      dagre.layout(g);
      indexes.forEach(function (i) { var n = g.node(String(i)); positions[i] = { x: n.x, y: n.y }; });
      // dagre routes each line between the ranks, around the boxes: keep its bends
      positions.routes = {};
      g.edges().forEach(function (ref) { positions.routes[ref.name] = g.edge(ref).points || []; });
      return positions;
    }

    function focus(index, depth) {
      if (typeof index === "string") index = byId[index].index;
      state.depth = depth || state.depth;
      depthSel.value = String(state.depth);
      state.mode = "focus";
      state.focus = index;
      state.path = null;
      state.shown = neighbourhood(index, state.depth);
      state.positions = layoutFocus(state.shown);
      render(true);
    }

    function reset() {
      state.mode = "full"; state.focus = null; state.shown = null; state.path = null;
      render(true);
    }

    function shortestPath(a, b) {
      var prev = {}; prev[a] = [-1, -1];
      var queue = [a];
      while (queue.length) {
        var i = queue.shift();
        if (i === b) break;
        adjacency[i].forEach(function (pair) {
          if (!(pair[0] in prev)) { prev[pair[0]] = [i, pair[1]]; queue.push(pair[0]); }
        });
      }
      if (!(b in prev)) return null;
      var result = { tables: {}, edges: {}, order: [] };
      for (var cur = b; cur !== -1; cur = prev[cur][0]) {
        result.tables[cur] = true;
        result.order.unshift(cur);
        if (prev[cur][1] >= 0) result.edges[prev[cur][1]] = true;
      }
      return result;
    }

    function showPath(aId, bId) {
      var a = byId[aId], b = byId[bId];
      if (!a || !b) { status.textContent = "path: unknown table " + (!a ? aId : bId); return null; }
      var p = shortestPath(a.index, b.index);
      if (!p) { status.textContent = "no path between " + aId + " and " + bId; state.path = null; render(false); return null; }
      state.path = p;
      if (state.mode === "focus" && p.order.some(function (i) { return state.shown.indexOf(i) < 0; })) {
        state.mode = "full";
      }
      state.collapsedGroups = {};
      render(false);
      var sub = {};
      p.order.forEach(function (i) { sub[i] = lastBoxes[i]; });
      fit(sub);
      lastBoxes = draw();
      status.textContent = "path: " + p.order.map(function (i) { return tables[i].id; }).join(" → ");
      return p.order.map(function (i) { return tables[i].id; });
    }

    function runSearch(q) {
      q = q.trim().toLowerCase();
      state.matches = {}; state.matchColumns = {};
      results.innerHTML = "";
      if (!q) { results.hidden = true; render(false); return []; }
      var hits = [];
      tables.forEach(function (t) {
        if (t.id.toLowerCase().indexOf(q) >= 0) { hits.push([t.index, null]); state.matches[t.index] = true; }
        t.columns.forEach(function (c) {
          if (c[0].toLowerCase().indexOf(q) >= 0) {
            hits.push([t.index, c[0]]); state.matches[t.index] = true; state.matchColumns[t.index + "." + c[0]] = true;
          }
        });
      });
      hits.slice(0, 60).forEach(function (h) {
        var label = tables[h[0]].id + (h[1] ? "." + h[1] : "");
        el("li", { "data-id": tables[h[0]].id, "data-column": h[1] || "", text: label, tabindex: "0" }, results);
      });
      if (hits.length > 60) el("li", { class: "er-more", text: "… " + (hits.length - 60) + " more" }, results);
      if (!hits.length) el("li", { class: "er-more", text: "no table or column matches “" + q + "”" }, results);
      results.hidden = false;
      render(false);
      return hits.map(function (h) { return tables[h[0]].id + (h[1] ? "." + h[1] : ""); });
    }

    search.addEventListener("input", function () { runSearch(search.value); });
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { var first = results.querySelector("li[data-id]"); if (first) { results.hidden = true; focus(first.getAttribute("data-id")); } }
    });
    results.addEventListener("click", function (ev) {
      var li = ev.target.closest("li[data-id]");
      if (li) { results.hidden = true; focus(li.getAttribute("data-id")); }
    });
    depthSel.addEventListener("change", function () {
      state.depth = Number(depthSel.value);
      if (state.mode === "focus") focus(state.focus, state.depth);
    });
    colSel.addEventListener("change", function () {
      state.columns = colSel.value; state.collapsed = {};
      if (state.mode === "focus") { state.positions = layoutFocus(state.shown); render(true); } else render(false);
    });
    groupSel.addEventListener("change", function () { state.grouping = groupSel.value; state.collapsedGroups = {}; render(false); });
    pathBtn.addEventListener("click", function () { showPath(from.value.trim(), to.value.trim()); });
    resetBtn.addEventListener("click", reset);
    fitBtn.addEventListener("click", function () { fit(lastBoxes); lastBoxes = draw(); });

    viewport.addEventListener("click", function (ev) {
      var toggle = ev.target.closest(".er-toggle");
      var table = ev.target.closest(".er-table");
      var group = ev.target.closest(".er-group-label, .er-group-collapsed");
      if (toggle && table) {
        var i = Number(table.getAttribute("data-index"));
        state.collapsed[i] = !state.collapsed[i];
        if (state.mode === "focus") state.positions = layoutFocus(state.shown);
        render(false);
      } else if (table) {
        focus(Number(table.getAttribute("data-index")));
      } else if (group) {
        var gid = group.closest(".er-group").getAttribute("data-group");
        state.collapsedGroups[gid] = !state.collapsedGroups[gid];
        render(false);
      }
    });
    viewport.addEventListener("mouseover", function (ev) {
      var g = ev.target.closest(".er-edge");
      if (!g) return;
      var e = edges[Number(g.getAttribute("data-edge"))];
      var child = tables[e.to], parent = tables[e.from];
      tip.innerHTML = "<b>" + esc(e.label || e.id) + "</b><br>" +
        esc(child.id + "(" + e.tc.join(", ") + ") → " + parent.id + "(" + e.fc.join(", ") + ")") +
        (e.on_delete ? "<br>ON DELETE " + esc(e.on_delete) + " · ON UPDATE " + esc(e.on_update) : "") +
        (e.description ? "<br><span class='er-tip-note'>" + esc(e.description) + "</span>" : "");
      var rect = root.getBoundingClientRect();
      tip.style.left = (ev.clientX - rect.left + 12) + "px";
      tip.style.top = (ev.clientY - rect.top + 12) + "px";
      tip.hidden = false;
    });
    viewport.addEventListener("mouseout", function (ev) {
      if (ev.target.closest(".er-edge")) tip.hidden = true;
    });

    render(true);
    var api = {
      focus: focus,
      reset: reset,
      search: runSearch,
      path: showPath,
      visibleTables: function () {
        return Array.prototype.map.call(viewport.querySelectorAll(".er-table"), function (g) { return g.getAttribute("data-id"); });
      },
      neighbourhood: function (id, depth) { return neighbourhood(byId[id].index, depth).map(function (i) { return tables[i].id; }); },
      readyMs: performance.now() - t0,
    };
    root.erApi = api;
    return api;
  }

  global.ER = { mount: mount };
})(typeof window !== "undefined" ? window : globalThis);
