// The in-browser phone: plays the TwiML script the server returns (see staff/phone.py).
"use strict";
(function () {
  const root = document.getElementById("phone");
  if (!root) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const state = { sid: null, gather: null, digits: "", timer: null, resolve: null, generation: 0 };

  function log(kind, text) {
    const li = document.createElement("li");
    li.className = kind;
    const who = document.createElement("strong");
    who.textContent = kind === "line" ? "Ligne : " : kind === "caller" ? "Vous : " : "";
    li.appendChild(who);
    li.appendChild(document.createTextNode(text));
    $("transcript").appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }
  function status(text) { $("status").textContent = text; }
  function typed() { $("typed").textContent = state.digits; }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: "Réponse illisible du serveur." }; }
    if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
    return data;
  }

  let frVoice = null;
  function pickVoice() {
    if (!("speechSynthesis" in window)) return;
    const voices = window.speechSynthesis.getVoices();
    frVoice = voices.find((v) => v.lang === "fr-FR") || voices.find((v) => v.lang.startsWith("fr")) || null;
  }
  if ("speechSynthesis" in window) {
    pickVoice();
    window.speechSynthesis.onvoiceschanged = pickVoice;
  }

  function speak(text, lang) {
    return new Promise((resolve) => {
      if (!$("voice").checked || !("speechSynthesis" in window)) { resolve(); return; }
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang || "fr-FR";
      if (frVoice && u.lang.startsWith("fr")) u.voice = frVoice;
      let done = false;
      const finish = () => { if (!done) { done = true; clearTimeout(guard); resolve(); } };
      // Some browsers never fire "end" (no voice installed): never wait forever.
      const guard = setTimeout(finish, 2000 + text.length * 90);
      u.onend = finish;
      u.onerror = finish;
      state.cancelSpeech = () => { window.speechSynthesis.cancel(); finish(); };
      window.speechSynthesis.speak(u);
    });
  }
  function silence() {
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
    if (state.cancelSpeech) state.cancelSpeech();
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function prompt(verb, gen) {
    if (gen !== state.generation) return;
    if (verb.verb === "say") {
      log("line", verb.text);
      status(verb.text);
      await speak(verb.text, verb.language);
    } else if (verb.verb === "pause") {
      await sleep(Math.min(verb.length || 1, 10) * ($("voice").checked ? 1000 : 100));
    } else if (verb.verb === "play") {
      log("line", "[son]");
    }
  }

  function gatherDone(result) {
    if (!state.resolve) return;
    clearTimeout(state.timer);
    const resolve = state.resolve;
    state.resolve = null;
    resolve(result);
  }

  function armTimeout() {
    clearTimeout(state.timer);
    const g = state.gather;
    if (!g || $("patient").checked) return;
    state.timer = setTimeout(() => gatherDone({ type: "timeout" }), (g.timeout || 5) * 1000);
  }

  async function gather(verb, gen) {
    state.gather = verb;
    state.digits = "";
    state.interrupted = false;
    typed();
    const result = new Promise((resolve) => { state.resolve = resolve; });
    for (const p of verb.prompts) {
      if (state.interrupted || gen !== state.generation) break;
      await prompt(p, gen);
    }
    if (gen === state.generation && state.resolve) {
      status("À vous : tapez " + (verb.numDigits ? verb.numDigits + " touche(s)" : "puis #") +
        (verb.input.includes("speech") ? ", ou parlez" : "") + ".");
      armTimeout();
    }
    const r = await result;
    state.gather = null;
    return r;
  }

  async function play(answer) {
    const gen = ++state.generation;
    const script = answer.script;
    for (let i = 0; i < script.length; i++) {
      if (gen !== state.generation || !state.sid) return;
      const verb = script[i];
      if (verb.verb === "gather") {
        const r = await gather(verb, gen);
        if (gen !== state.generation || !state.sid) return;
        let body = null;
        if (r.type === "digits") body = { sid: state.sid, url: verb.action, digits: r.digits, kind: "gather" };
        else if (r.type === "speech") body = { sid: state.sid, url: verb.action, speech: r.text, kind: "gather" };
        else if (r.type === "timeout" && state.digits) body = { sid: state.sid, url: verb.action, digits: state.digits, kind: "gather" };
        else if (r.type === "timeout" && verb.actionOnEmptyResult) body = { sid: state.sid, url: verb.action, digits: "", kind: "gather" };
        if (r.type === "digits") log("caller", r.digits ? r.digits : "#");
        if (r.type === "timeout") log("caller", state.digits ? state.digits : "(silence)");
        if (body) { await follow(body); return; }
        continue; // no answer and no action: Twilio goes on with the next verb
      }
      if (verb.verb === "redirect") { await follow({ sid: state.sid, url: verb.url, kind: "redirect" }); return; }
      if (verb.verb === "hangup") { log("end", "La ligne raccroche."); await end(); return; }
      if (verb.verb === "dial") { log("end", "Transfert vers " + verb.number + " (non simulé)."); await end(); return; }
      if (verb.verb === "message") { log("line", "SMS : " + verb.text); continue; }
      if (verb.verb === "unsupported") { log("line", "[" + verb.name + " non simulé]"); continue; }
      await prompt(verb, gen);
    }
    if (gen === state.generation && state.sid) { log("end", "Fin du document : la ligne raccroche."); await end(); }
  }

  async function follow(body) {
    status("…");
    try {
      const answer = await post(root.dataset.sendUrl, body);
      await play(answer);
    } catch (e) {
      log("end", "Erreur : " + e.message);
      await end();
    }
  }

  function press(key) {
    if (!state.sid) return;
    const g = state.gather;
    if (!g || !state.resolve) return; // keys outside a question are not heard
    state.interrupted = true;
    silence();
    clearTimeout(state.timer);
    if (key === g.finishOnKey && g.finishOnKey) { gatherDone({ type: "digits", digits: state.digits }); return; }
    state.digits += key;
    typed();
    if (g.numDigits && state.digits.length >= g.numDigits) { gatherDone({ type: "digits", digits: state.digits }); return; }
    armTimeout();
  }

  async function call() {
    if (state.sid) return;
    $("transcript").innerHTML = "";
    $("after-call").hidden = true;
    $("call").disabled = true;
    status("Appel en cours…");
    try {
      // A family chosen: the server calls from its number (the page never has it); a number
      // typed instead wins, as does an empty choice (a withheld number).
      const typedNumber = $("caller").value.trim();
      const body = typedNumber ? { from: typedNumber } : { account: $("account").value };
      const answer = await post(root.dataset.callUrl, body);
      if (answer.from) status("Appel en cours depuis " + answer.from + "…");
      state.sid = answer.sid;
      state.timeline = answer.timeline;
      $("hangup").disabled = false;
      root.dataset.sid = answer.sid;
      await play(answer);
    } catch (e) {
      status("Erreur : " + e.message);
      log("end", "Erreur : " + e.message);
      $("call").disabled = false;
    }
  }

  async function end() {
    const sid = state.sid;
    if (!sid) return;
    state.sid = null;
    state.generation++;
    gatherDone({ type: "hangup" });
    silence();
    clearTimeout(state.timer);
    $("hangup").disabled = true;
    $("call").disabled = false;
    status("Appel terminé.");
    try {
      const r = await post(root.dataset.hangupUrl, { sid: sid });
      $("timeline-link").href = r.timeline;
    } catch (e) {
      $("timeline-link").href = state.timeline || "#";
    }
    $("after-call").hidden = false;
    root.dataset.ended = sid;
  }

  $("call").addEventListener("click", call);
  $("hangup").addEventListener("click", () => { log("caller", "(raccroche)"); end(); });
  root.querySelectorAll(".key").forEach((b) => b.addEventListener("click", () => press(b.dataset.key)));
  document.addEventListener("keydown", (ev) => {
    if (ev.target instanceof HTMLInputElement) return;
    if (/^[0-9*#]$/.test(ev.key)) { press(ev.key); ev.preventDefault(); }
  });
  $("say-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("speech").value.trim();
    if (!text || !state.sid) return;
    const g = state.gather;
    if (!g || !state.resolve) return;
    if (!g.input.includes("speech")) { status("Cette question n'accepte que le clavier."); return; }
    log("caller", "« " + text + " »");
    $("speech").value = "";
    silence();
    gatherDone({ type: "speech", text: text });
  });
})();
