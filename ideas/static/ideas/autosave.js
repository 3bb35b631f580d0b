// Saves the idea's draft once a minute while it has unsaved changes, without reloading the page.
// The server answers in the same terms as a full save: a new version, or why it refused.
(function () {
  "use strict";
  var form = document.getElementById("idea-form");
  if (!form || !window.fetch) { return; }
  var status = document.getElementById("autosave-status");
  var version = form.querySelector("input[name=version]");
  var INTERVAL = 60 * 1000;
  var dirty = false;
  var stopped = false;

  form.addEventListener("input", function () { dirty = true; });

  function save() {
    if (!dirty || stopped) { return; }
    dirty = false;
    var data = new FormData(form);
    data.set("action", "autosave");
    // A file question's file is sent with the "Save draft" button only, not once a minute.
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok && result.body.saved) {
        version.value = result.body.version;
      } else {
        dirty = true;
        if (result.body.conflict) { stopped = true; }
      }
      if (result.body.message) { status.textContent = result.body.message; }
    }).catch(function () { dirty = true; });
  }

  window.setInterval(save, INTERVAL);
  // Tests and impatient people can ask for a save now.
  form.addEventListener("ideatori:autosave", save);
})();
