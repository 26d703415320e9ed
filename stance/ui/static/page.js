/* The /ui page: pick an example or paste text, POST it to the service's /analyze, show the views. */
(function () {
  "use strict";
  var EXAMPLES = [
    { name: "South Caucasus (three paragraphs)", text:
      "Tehran was quick to accuse Azerbaijan of siding with Israel. Iranian officials said Baku had let Israeli " +
      "drones use its airspace.\n\nTurkey provided political backing and helped shield Baku. President Erdogan " +
      "praised Azerbaijan as a brotherly nation, and Ankara condemned Iran for its military drills near the border." +
      "\n\nRussia remained largely neutral. Moscow urged Iran and Azerbaijan to settle their differences through " +
      "dialogue." },
    { name: "Black Sea grain talks", text:
      "Ukraine accused Russia of blocking grain shipments from Odesa. Turkey offered to mediate between Kyiv and " +
      "Moscow, and the United Nations welcomed the offer. The European Union condemned Russia for the attacks on " +
      "port infrastructure." },
    { name: "Sahel", text:
      "Mali expelled the French ambassador and accused France of interfering in its affairs. Russia backed the " +
      "junta in Bamako, while ECOWAS threatened Mali with new sanctions." }
  ];
  var select = document.getElementById("example");
  var text = document.getElementById("text");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  EXAMPLES.forEach(function (ex, i) {
    var option = document.createElement("option");
    option.value = String(i); option.textContent = ex.name; select.appendChild(option);
  });
  select.addEventListener("change", function () {
    if (select.value !== "") text.value = EXAMPLES[Number(select.value)].text;
  });
  function message(body) {
    if (body && body.detail && body.detail.length) return body.detail.map(function (d) { return d.msg; }).join("; ");
    return (body && body.error) || "the service did not answer";
  }
  document.getElementById("analyze-form").addEventListener("submit", function (evt) {
    evt.preventDefault();
    var value = text.value;
    status.className = "status"; status.textContent = "Analysing…";
    results.innerHTML = "";
    fetch("../analyze", { method: "POST", headers: { "Content-Type": "application/json" },
                          body: JSON.stringify({ texts: [value], ner: document.getElementById("ner").checked }) })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, status: response.status, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) throw new Error(answer.status + ": " + message(answer.body));
        document.getElementById("model-line").textContent = StanceViews.modelLine(answer.body.model);
        var doc = answer.body.documents[0];
        StanceViews.renderDocument(results, doc, value, null);
        status.textContent = doc.summary.relations.length + " relations, " + doc.summary.actors.length +
                             " actors, " + doc.sentences.length + " sentences.";
        var first = results.querySelector("button.relation");
        if (first) first.click();
      })
      .catch(function (err) { status.className = "status error"; status.textContent = "Error " + err.message; });
  });
  if (!text.value) { select.value = "0"; text.value = EXAMPLES[0].text; }
})();
