// The chat UI: plain JavaScript, no build step, no dependencies.
// POST /chat/stream returns server-sent events (meta, delta*, blocked?, error?, done).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { sessionId: null, busy: false };

async function loadInfo() {
  try {
    const info = await (await fetch("/info")).json();
    document.title = info.name;
    $("title").textContent = info.name;
    const prompt = info.prompts.rag_answer ? `rag_answer ${info.prompts.rag_answer}` : "";
    $("about").textContent = `model ${info.model} · prompt ${prompt} (${info.prompt_variant}) · v${info.version}`;
    if (info.prompt_variants.length) {
      for (const name of info.prompt_variants) {
        $("variant").append(new Option(name, name, name === info.prompt_variant, name === info.prompt_variant));
      }
      $("variant").hidden = $("variant-label").hidden = false;
    }
  } catch (err) {
    $("about").textContent = "could not load /info";
  }
}

// Parse a text/event-stream body into {event, data} objects as they arrive.
async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

function addQuestion(text) {
  const item = document.createElement("li");
  item.className = "turn question";
  item.textContent = text;
  $("conversation").append(item);
}

function addAnswer() {
  const node = $("answer-template").content.firstElementChild.cloneNode(true);
  $("conversation").append(node);
  node.querySelector(".feedback").hidden = true;
  return node;
}

function showSource(citation) {
  $("source-title").textContent = citation.title || citation.doc_id;
  $("source-meta").textContent = `${citation.chunk_id}${citation.section ? " · " + citation.section : ""}`;
  $("source-text").textContent = citation.text;
  $("source").hidden = false;
  $("source").focus();
}

function renderCitations(node, citations) {
  const list = node.querySelector(".citations");
  for (const citation of citations) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#" + encodeURIComponent(citation.chunk_id);
    link.className = "citation";
    link.textContent = `${citation.title} (${citation.chunk_id})`;
    link.addEventListener("click", (e) => { e.preventDefault(); showSource(citation); });
    item.append(link);
    list.append(item);
  }
}

function enableFeedback(node, requestId) {
  const group = node.querySelector(".feedback");
  group.hidden = false;
  for (const button of group.querySelectorAll("button")) {
    button.addEventListener("click", async () => {
      group.querySelectorAll("button").forEach((b) => (b.disabled = true));
      const response = await fetch("/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ request_id: requestId, rating: Number(button.dataset.rating) }),
      });
      group.querySelector(".thanks").textContent = response.ok ? "Thanks for the feedback." : "Feedback was not saved.";
    });
  }
}

async function ask(question) {
  state.busy = true;
  $("send").disabled = true;
  $("status").textContent = "Answering…";
  addQuestion(question);
  const node = addAnswer();
  const text = node.querySelector(".text");
  const body = { question };
  if (state.sessionId) body.session_id = state.sessionId;
  else body.new_session = true;
  if (!$("variant").hidden) body.prompt_variant = $("variant").value;
  try {
    const response = await fetch("/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      text.textContent = problem.error ? problem.error.message : `HTTP ${response.status}`;
      text.classList.add("blocked");
      return;
    }
    for await (const { event, data } of sseEvents(response)) {
      if (event === "meta") state.sessionId = data.session_id || state.sessionId;
      else if (event === "delta") text.textContent += data.text;
      else if (event === "blocked") text.classList.add("blocked");
      else if (event === "error") text.textContent += ` (${data.error.message})`;
      else if (event === "done") {
        text.textContent = data.answer;
        renderCitations(node, data.citations);
        enableFeedback(node, data.request_id);
        node.dataset.requestId = data.request_id;
      }
    }
  } catch (err) {
    text.textContent = "The request failed: " + err;
  } finally {
    state.busy = false;
    $("send").disabled = false;
    $("status").textContent = "";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  loadInfo();
  $("ask").addEventListener("submit", (e) => {
    e.preventDefault();
    const question = $("question").value.trim();
    if (!question || state.busy) return;
    $("question").value = "";
    ask(question);
  });
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("ask").requestSubmit(); }
  });
  $("new-conversation").addEventListener("click", () => {
    state.sessionId = null;
    $("conversation").replaceChildren();
    $("question").focus();
  });
  $("source-close").addEventListener("click", () => { $("source").hidden = true; $("question").focus(); });
});
