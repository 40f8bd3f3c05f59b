/* ReDoc started from a file rather than an inline script (the Content-Security-Policy allows
   scripts from this site only). */
(function () {
  var element = document.getElementById("redoc-ui");
  var settings = JSON.parse(document.getElementById("redoc-settings").textContent);
  Redoc.init(element.dataset.openapiUrl, settings, element);
})();
