/* Views of a stance analysis: the relation graph (cytoscape.js), the relations list, the text with actor mentions
   highlighted by sentiment, and the actor table. Used by the service's /ui page and by the HTML report of
   `stance analyze`. No network access: the analysis is given to it. */
(function () {
  "use strict";

  var STANCE_COLOUR = { supportive: "#1a7f37", hostile: "#c62828" };
  var STANCE_LINE = { supportive: "solid", hostile: "dashed" };
  var SENTIMENT_COLOUR = { negative: "#f4b6b6", neutral: "#d9d9d9", positive: "#b7e4c7" };

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child == null) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function pct(p) { return (100 * p).toFixed(0) + "%"; }

  function edgeWidth(count, strength) {
    return 1 + 0.8 * Math.min(count, 6) + 3 * strength;
  }

  function graph(container, nodes, edges, onSelect) {
    var elements = nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.name, sentiment: n.sentiment || "neutral" } };
    }).concat(edges.map(function (e) {
      return { group: "edges", data: { id: e.id, source: e.source, target: e.target, stance: e.stance,
                                       width: e.width, label: e.label } };
    }));
    var cy = cytoscape({
      container: container,
      elements: elements,
      autoungrabify: false,
      style: [
        { selector: "node", style: {
            "label": "data(label)", "text-valign": "bottom", "text-margin-y": 5, "font-size": 15, "font-weight": "bold",
            "width": 34, "height": 34, "border-width": 2, "border-color": "#555",
            "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": 2 } },
        { selector: "node[sentiment = 'negative']", style: { "background-color": SENTIMENT_COLOUR.negative } },
        { selector: "node[sentiment = 'neutral']", style: { "background-color": SENTIMENT_COLOUR.neutral } },
        { selector: "node[sentiment = 'positive']", style: { "background-color": SENTIMENT_COLOUR.positive } },
        { selector: "edge", style: {
            "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.9, "control-point-step-size": 36,
            "width": "data(width)", "label": "data(label)", "font-size": 11, "text-rotation": "autorotate",
            "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 2 } },
        { selector: "edge[stance = 'supportive']", style: {
            "line-color": STANCE_COLOUR.supportive, "target-arrow-color": STANCE_COLOUR.supportive,
            "line-style": STANCE_LINE.supportive } },
        { selector: "edge[stance = 'hostile']", style: {
            "line-color": STANCE_COLOUR.hostile, "target-arrow-color": STANCE_COLOUR.hostile,
            "line-style": STANCE_LINE.hostile, "line-dash-pattern": [8, 5] } },
        { selector: "edge:selected", style: { "overlay-color": "#1565c0", "overlay-opacity": 0.25,
                                               "overlay-padding": 6 } },
        { selector: "node:selected", style: { "border-color": "#1565c0", "border-width": 4 } }
      ],
      minZoom: 0.3,
      maxZoom: 1.6,
      layout: nodes.length <= 10
        ? { name: "circle", padding: 40, avoidOverlap: true, spacingFactor: 1.2 }
        : { name: "cose", animate: false, randomize: false, padding: 40,
            nodeRepulsion: function () { return 400000; }, idealEdgeLength: function () { return 140; } }
    });
    cy.on("tap", "edge", function (evt) { onSelect(evt.target.id()); });
    return cy;
  }

  function legend() {
    return el("p", { className: "legend" },
      el("span", { className: "key supportive" }, "supportive (solid green)"), " ",
      el("span", { className: "key hostile" }, "hostile (dashed red)"), " ",
      "· arrow: holder → target · width: evidence and confidence · node colour: how the text portrays the actor (",
      el("span", { className: "m negative" }, "negative"), " ", el("span", { className: "m neutral" }, "neutral"), " ",
      el("span", { className: "m positive" }, "positive"), ")");
  }

  // A list of buttons, one per relation: the keyboard way to the graph's edges (Tab, Enter or Space, arrow keys).
  function relationList(items, select) {
    var list = el("ol", { className: "relations", "aria-label": "Relations, strongest first" });
    items.forEach(function (item, i) {
      var button = el("button", { type: "button", className: "relation " + item.stance, "data-edge": item.id,
                                  "aria-pressed": "false" },
        el("span", { className: "who" }, item.holder + " "),
        el("span", { className: "stance " + item.stance }, item.stance === "hostile" ? "- - hostile - →" : "— supportive →"),
        el("span", { className: "who" }, " " + item.target),
        el("span", { className: "conf" }, " " + item.detail));
      button.addEventListener("click", function () { select(item.id); });
      button.addEventListener("keydown", function (evt) {
        var buttons = list.querySelectorAll("button");
        if (evt.key === "ArrowDown" && i + 1 < buttons.length) { buttons[i + 1].focus(); evt.preventDefault(); }
        if (evt.key === "ArrowUp" && i > 0) { buttons[i - 1].focus(); evt.preventDefault(); }
      });
      list.appendChild(el("li", {}, button));
    });
    if (!items.length) list.appendChild(el("li", { className: "none" }, "No supportive or hostile relation found."));
    return list;
  }

  function markedText(text, doc) {
    var box = el("div", { className: "text", id: "doc-text-" + doc.index, tabindex: "0",
                          "aria-label": "The text, actor mentions highlighted by sentiment" });
    var pos = 0;
    doc.sentences.forEach(function (s) {
      if (s.start > pos) box.appendChild(document.createTextNode(text.slice(pos, s.start)));
      var span = el("span", { className: "sentence", "data-sentence": String(s.index) });
      var mentions = [];
      s.actors.forEach(function (a) {
        a.mentions.forEach(function (m) { mentions.push({ m: m, a: a }); });
      });
      mentions.sort(function (x, y) { return x.m.start - y.m.start; });
      var at = s.start;
      mentions.forEach(function (x) {
        if (x.m.start < at) return;
        span.appendChild(document.createTextNode(text.slice(at, x.m.start)));
        var label = x.a.sentiment.label;
        span.appendChild(el("mark", { className: "m " + label, "data-actor": x.a.id, "data-start": String(x.m.start),
                                      title: x.a.name + ": " + label + " (" + pct(x.a.sentiment.probabilities[label]) + ")" },
                            text.slice(x.m.start, x.m.end)));
        at = x.m.end;
      });
      span.appendChild(document.createTextNode(text.slice(at, s.end)));
      box.appendChild(span);
      pos = s.end;
    });
    if (pos < text.length) box.appendChild(document.createTextNode(text.slice(pos)));
    return box;
  }

  function actorTable(actors) {
    var table = el("table", { className: "actors" },
      el("caption", {}, "Actors over the document"),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, "Actor"), el("th", { scope: "col" }, "Type"), el("th", { scope: "col" }, "Mentions"),
        el("th", { scope: "col" }, "Portrayed"), el("th", { scope: "col" }, "Holds supp./host."),
        el("th", { scope: "col" }, "Receives supp./host."), el("th", { scope: "col" }, "Toward"))));
    var body = el("tbody", {});
    actors.forEach(function (a) {
      var s = a.sentiment;
      body.appendChild(el("tr", {},
        el("th", { scope: "row" }, a.name + " (" + a.id + ")"), el("td", {}, a.type), el("td", {}, String(a.mentions)),
        el("td", {}, el("span", { className: "m " + s.label }, s.label), " " + pct(s.probabilities[s.label])),
        el("td", {}, a.stance.holds.supportive + " / " + a.stance.holds.hostile),
        el("td", {}, a.stance.receives.supportive + " / " + a.stance.receives.hostile),
        el("td", {}, a.stance.toward.map(function (t) { return t.name; }).join(", "))));
    });
    table.appendChild(body);
    if (!actors.length) body.appendChild(el("tr", {}, el("td", { colspan: "7" }, "No actor found.")));
    return table;
  }

  function renderDocument(root, doc, text, title) {
    text = text != null ? text : doc.sentences.map(function (s) { return s.text; }).join(" ");
    var relations = doc.summary.relations;
    var section = el("section", { className: "document", "aria-label": title || ("Document " + doc.id) });
    if (title) section.appendChild(el("h2", {}, title));
    var graphBox = el("div", { className: "graph", role: "img",
                               "aria-label": "Relation graph: " + relations.length + " relations between " +
                                             doc.summary.actors.length + " actors; the list beside it is the same" });
    var evidence = el("div", { className: "evidence", "aria-live": "polite" },
                      el("p", { className: "hint" }, "Select a relation (in the graph or the list) to see its evidence."));
    var textBox = markedText(text, doc);
    var items = relations.map(function (r, i) {
      return { id: "d" + doc.index + "r" + i, holder: r.holder.name, target: r.target.name, stance: r.stance,
               detail: "confidence " + pct(r.strength.max) + " (mean " + pct(r.strength.mean) + "), " +
                       r.evidence_count + " sentence" + (r.evidence_count === 1 ? "" : "s"), relation: r };
    });
    var cy;
    function select(edgeId) {
      var item = items.filter(function (x) { return x.id === edgeId; })[0];
      if (!item) return;
      section.querySelectorAll(".relation").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-edge") === edgeId));
      });
      if (cy) { cy.elements().unselect(); cy.getElementById(edgeId).select(); }
      var indices = item.relation.evidence.map(function (e) { return e.sentence; });
      textBox.querySelectorAll(".sentence").forEach(function (s) {
        s.classList.toggle("evidence", indices.indexOf(Number(s.getAttribute("data-sentence"))) >= 0);
      });
      textBox.querySelectorAll("mark").forEach(function (m) { m.classList.remove("ev-holder", "ev-target"); });
      item.relation.evidence.forEach(function (e) {
        [["holder", e.holder], ["target", e.target]].forEach(function (pair) {
          var mark = textBox.querySelector('mark[data-start="' + pair[1].start + '"]');
          if (mark) mark.classList.add("ev-" + pair[0]);
        });
      });
      evidence.innerHTML = "";
      evidence.appendChild(el("h3", {}, item.holder + " is " + item.stance + " toward " + item.target));
      var ol = el("ol", {});
      item.relation.evidence.forEach(function (e) {
        ol.appendChild(el("li", { "data-sentence": String(e.sentence) },
          el("span", { className: "conf" }, "sentence " + e.sentence + ", " + pct(e.probability) + ": "), e.text));
      });
      evidence.appendChild(ol);
      var first = textBox.querySelector(".sentence.evidence");
      if (first && first.scrollIntoView) first.scrollIntoView({ block: "nearest" });
    }
    var nodes = doc.summary.actors.map(function (a) { return { id: a.id, name: a.name, sentiment: a.sentiment.label }; });
    var edges = items.map(function (x) {
      var r = x.relation;
      return { id: x.id, source: r.holder.id, target: r.target.id, stance: r.stance, label: pct(r.strength.max),
               width: edgeWidth(r.evidence_count, r.strength.max) };
    });
    section.appendChild(el("div", { className: "top" },
      el("div", { className: "graph-col" }, graphBox, legend()),
      el("div", { className: "list-col" }, el("h3", {}, "Relations"), relationList(items, select), evidence)));
    section.appendChild(el("h3", {}, "Text"));
    section.appendChild(textBox);
    section.appendChild(actorTable(doc.summary.actors));
    root.appendChild(section);
    cy = graph(graphBox, nodes, edges, select);
    section.stanceGraph = cy;
    return section;
  }

  function renderCorpus(root, corpus) {
    var section = el("section", { className: "corpus", "aria-label": "Relations across documents" });
    section.appendChild(el("h2", {}, corpus.documents.length + " documents, " + corpus.relations.length + " relations"));
    var graphBox = el("div", { className: "graph", role: "img", "aria-label": "Relation graph across documents" });
    var evidence = el("div", { className: "evidence", "aria-live": "polite" });
    var names = {};
    var items = corpus.relations.map(function (r, i) {
      names[r.holder.id] = r.holder.name; names[r.target.id] = r.target.name;
      return { id: "c" + i, holder: r.holder.name, target: r.target.name, stance: r.stance, relation: r,
               detail: r.document_count + " document" + (r.document_count === 1 ? "" : "s") + ", confidence " +
                       pct(r.strength.max) };
    });
    var cy;
    function select(edgeId) {
      var item = items.filter(function (x) { return x.id === edgeId; })[0];
      if (!item) return;
      if (cy) { cy.elements().unselect(); cy.getElementById(edgeId).select(); }
      section.querySelectorAll(".relation").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-edge") === edgeId));
      });
      var r = item.relation;
      evidence.innerHTML = "";
      evidence.appendChild(el("h3", {}, item.holder + " is " + item.stance + " toward " + item.target));
      evidence.appendChild(el("p", {}, "Documents: " + r.documents.join(", ")));
      var dates = Object.keys(r.by_date);
      if (dates.length) evidence.appendChild(el("p", {}, "By date: " + dates.map(function (d) {
        return d + " (" + r.by_date[d] + ")"; }).join(", ")));
      if (r.example) evidence.appendChild(el("blockquote", {}, r.example.text + " [" + r.example_document + "]"));
    }
    var nodes = Object.keys(names).map(function (id) { return { id: id, name: names[id], sentiment: "neutral" }; });
    var edges = items.map(function (x) {
      var r = x.relation;
      return { id: x.id, source: r.holder.id, target: r.target.id, stance: r.stance,
               label: r.document_count + " doc" + (r.document_count === 1 ? "" : "s"),
               width: edgeWidth(r.document_count, r.strength.max) };
    });
    section.appendChild(el("div", { className: "top" },
      el("div", { className: "graph-col" }, graphBox, legend()),
      el("div", { className: "list-col" }, el("h3", {}, "Relations"), relationList(items, select), evidence)));
    root.appendChild(section);
    cy = graph(graphBox, nodes, edges, select);
    section.stanceGraph = cy;
    return section;
  }

  function modelLine(model) {
    if (!model) return "";
    return "Model: " + (model.registered_model ? model.registered_model + " v" + model.registry_version + " · " : "") +
           (model.bento_tag || model.path || "") + (model.base_model ? " (" + model.base_model + ")" : "");
  }

  // The HTML report: {"model", "documents", "texts", "titles"} or {"model", "corpus"}.
  function renderReport(root, payload) {
    var line = document.getElementById("model-line");
    if (line) line.textContent = modelLine(payload.model);
    if (payload.corpus) renderCorpus(root, payload.corpus);
    (payload.documents || []).forEach(function (doc, i) {
      renderDocument(root, doc, payload.texts ? payload.texts[i] : null, payload.titles ? payload.titles[i] : null);
    });
  }

  window.StanceViews = { renderDocument: renderDocument, renderCorpus: renderCorpus, renderReport: renderReport,
                         modelLine: modelLine };
})();
