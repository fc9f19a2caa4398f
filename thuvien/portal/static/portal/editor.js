/* The rich-text editor of the staff news and event forms (Trix, served from our static files):
   file attachments are refused in the editor; images are uploaded with the form's image field. */
(function () {
  "use strict";
  document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
}());
