// Import page: upload with a progress bar, then poll the import job's progress.
"use strict";
(function () {
  // A refused upload (session ended: 401; form expired: 400; file too large: 413) is said in
  // the server's own words, with its login link when a login is missing; "Erreur HTTP 401"
  // alone did not say that nothing was checked nor what to do.
  const refused = (label, xhr) => {
    let message = "";
    let login = "";
    try {
      const data = JSON.parse(xhr.responseText);
      message = data.error || "";
      login = data.login || "";
    } catch (e) {
      const page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      const said = page.querySelector(".flash.error");
      message = said ? said.textContent.trim() : "";
    }
    label.textContent = message || "Erreur HTTP " + xhr.status + " : le fichier n'a pas été vérifié.";
    if (login) {
      const link = document.createElement("a");
      link.href = login;
      link.textContent = "Se reconnecter et revenir à l'import";
      label.append(" ", link);
    }
    document.getElementById("upload-progress").hidden = true;
  };
  const form = document.getElementById("import-form");
  if (form && window.XMLHttpRequest && window.FormData) {
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const bar = document.getElementById("upload-progress");
      const label = document.getElementById("upload-status");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          label.textContent = "Envoi : " + bar.value + " %";
        }
      };
      xhr.upload.onload = () => { label.textContent = "Vérification du fichier…"; };
      xhr.onload = () => {
        if (xhr.status !== 200) { refused(label, xhr); return; }
        const data = JSON.parse(xhr.responseText);
        document.getElementById("import-result").innerHTML = data.html;
        label.textContent = data.ok ? "Fichier vérifié." : "Fichier refusé.";
        bar.value = 100;
      };
      xhr.onerror = () => { label.textContent = "Erreur réseau."; };
      xhr.send(new FormData(form));
    });
  }
  const job = document.getElementById("job");
  if (job && job.dataset.state === "running") {
    const bar = document.getElementById("job-progress");
    const label = document.getElementById("job-status");
    const tick = async () => {
      const r = await fetch(job.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const s = await r.json();
      bar.value = s.percent;
      job.dataset.state = s.state;
      if (s.state === "running") {
        label.textContent = "Écriture en cours : " + s.done + " / " + s.total + " ligne(s)…";
        setTimeout(tick, 500);
      } else if (s.state === "done") {
        const p = s.report;
        label.textContent = "Import terminé : " + p.rows + " ligne(s) ; familles créées " + p.families_created +
          ", mises à jour " + p.families_updated + ", inchangées " + (p.families_unchanged || 0) +
          " ; enfants créés " + p.children_created + ", mis à jour " + p.children_updated +
          ", inchangés " + (p.children_unchanged || 0) + "." +
          (p.adjustments ? " " + p.adjustments + " ajustement(s) pour la cuisine (école ou régime changé sur un jour déjà verrouillé)." : "");
        document.getElementById("job-result").innerHTML = s.html;  // rendered (escaped) by the server
      } else {
        label.textContent = "Import échoué, rien n'a été écrit : " + s.error;
      }
    };
    setTimeout(tick, 300);
  }
})();
