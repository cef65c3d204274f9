/* Góp Ý's only script of its own, ES5 for the KaiOS 2.5 browser. Appended to htmx at setup.
   htmx ignores 4xx answers by default; ours carry the form with its errors, so show them.
   Any other refusal (too many tries, not allowed, expired session, server error) comes as a
   short notice: show it above the page instead of leaving the click without an answer. */
(function () {
  function alertBox() {
    var box = document.getElementById("app-alert");
    var main = document.getElementById("main") || document.body;
    if (!box) {
      box = document.createElement("div");
      box.id = "app-alert";
      main.insertBefore(box, main.firstChild);
    }
    return box;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 404 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 400) {
      event.detail.shouldSwap = true;
      event.detail.target = alertBox();
      event.detail.target.scrollIntoView();
    }
  });
})();
