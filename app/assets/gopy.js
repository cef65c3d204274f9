/* Góp Ý's only script of its own, ES5 for the KaiOS 2.5 browser. Appended to htmx at setup.
   htmx ignores 4xx answers by default; ours carry the form with its errors, so show them. */
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 404 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
